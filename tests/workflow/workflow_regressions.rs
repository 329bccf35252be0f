//! Regression files: failing seeds saved by `run`, replayed first.

use detsim::Sim;

/// A fresh package directory under the system's temp dir, so the test suite never
/// writes into the repository.
fn package_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("detsim-wf-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_failing_run_saves_its_seed_and_the_next_run_replays_it_first() {
    let dir = package_dir("roundtrip");
    let name = "suite::keeps_its_bugs";
    // The seed the body will fail on: whichever seed it is running.
    let failing = Sim::new()
        .seeds(30)
        .regressions(true)
        .package_dir(&dir)
        .test_name(name);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        failing.run(|| async {
            let rt_seed: u64 = detsim::rand::random::<u64>() % 3;
            assert_ne!(rt_seed, 0, "the bug");
        })
    }));
    assert!(result.is_err(), "some seed of thirty hits the 1-in-3 bug");
    let file = dir.join("detsim-regressions/suite.keeps_its_bugs.txt");
    let text = std::fs::read_to_string(&file).expect("the regression file was written");
    assert!(text.starts_with("# detsim regression seeds"), "{text}");
    let entry = text
        .lines()
        .find(|l| !l.starts_with('#'))
        .expect("one entry")
        .split('#')
        .next()
        .unwrap()
        .trim()
        .to_string();

    // Next run: the saved seed runs before any seed of the sweep, even a
    // sweep that would never reach it.
    let failure = Sim::new()
        .seed_range(1_000..1_002)
        .regressions(true)
        .package_dir(&dir)
        .test_name(name)
        .jobs(1)
        .try_run(|| async {
            let rt_seed: u64 = detsim::rand::random::<u64>() % 3;
            assert_ne!(rt_seed, 0, "the bug");
        })
        .expect_err("the saved seed still fails");
    assert_eq!(format!("{:#x}", failure.failure.seed), entry);
    assert_eq!(failure.seeds_run, 1, "the entry ran before the sweep");
    assert!(
        failure.to_string().contains("regression entry"),
        "{failure}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn try_run_never_writes_a_regression_file() {
    let dir = package_dir("try-run");
    let _ = Sim::new()
        .seeds(20)
        .regressions(true)
        .package_dir(&dir)
        .test_name("suite::expects_a_failure")
        .try_run(|| async {
            assert_ne!(detsim::rand::random::<u64>() % 2, 0);
        })
        .expect_err("fails");
    assert!(!dir.join("detsim-regressions").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
