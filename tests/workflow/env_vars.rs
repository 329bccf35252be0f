//! The `DETSIM_*` variables, seen from outside: each test runs this test
//! binary again as a child process with the variables set, as a user would.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::common::{assert_contains, is_child, parse_u64, run_child};
use detsim::task::yield_now;
use detsim::time::{Duration, sleep};
use detsim::{Runtime, Sim};

const SWEEP: &str = "env_vars::child_sweeps_ten_seeds_and_prints_them";

#[test]
#[ignore = "run as a child process by the tests in this file"]
fn child_sweeps_ten_seeds_and_prints_them() {
    if !is_child() {
        return;
    }
    let report = Sim::new().seeds(10).run(|| async {
        sleep(Duration::from_millis(1)).await;
    });
    let seeds: Vec<String> = report
        .runs
        .iter()
        .map(|r| format!("{:#x}", r.seed))
        .collect();
    println!("seeds: {}", seeds.join(" "));
}

/// The seeds the child sweep ran under `env`.
#[track_caller]
fn seeds_run_with(env: &[(&str, &str)]) -> Vec<u64> {
    let child = run_child(SWEEP, env);
    assert!(child.success, "{env:?}: the sweep failed\n{}", child.all());
    child.value_of("seeds").split(' ').map(parse_u64).collect()
}

#[test]
fn without_variables_a_sweep_runs_a_fixed_range_so_ci_is_stable() {
    assert_eq!(seeds_run_with(&[]), (0..10).collect::<Vec<_>>());
}

#[test]
fn detsim_seed_runs_exactly_that_seed() {
    assert_eq!(seeds_run_with(&[("DETSIM_SEED", "0x2a")]), [42]);
    assert_eq!(seeds_run_with(&[("DETSIM_SEED", "42")]), [42]);
}

#[test]
fn detsim_seeds_takes_a_count_or_a_range_and_detsim_seed_base_moves_the_count() {
    assert_eq!(seeds_run_with(&[("DETSIM_SEEDS", "3")]), [0, 1, 2]);
    assert_eq!(
        seeds_run_with(&[("DETSIM_SEEDS", "100..0x67")]),
        [100, 101, 102]
    );
    assert_eq!(
        seeds_run_with(&[("DETSIM_SEEDS", "0x3"), ("DETSIM_SEED_BASE", "0x10")]),
        [16, 17, 18]
    );
}

#[test]
fn detsim_shard_runs_one_of_n_disjoint_slices_of_the_sweep() {
    let shards: Vec<Vec<u64>> = ["1/3", "2/3", "3/3"]
        .iter()
        .map(|k| seeds_run_with(&[("DETSIM_SHARD", k)]))
        .collect();
    assert_eq!(shards[1], [1, 4, 7]);
    let mut all: Vec<u64> = shards.concat();
    all.sort_unstable();
    assert_eq!(
        all,
        (0..10).collect::<Vec<_>>(),
        "the shards cover the sweep once"
    );
}

#[test]
fn a_random_seed_base_is_printed_so_the_sweep_can_be_repeated() {
    let child = run_child(SWEEP, &[("DETSIM_SEED_BASE", "random")]);
    assert!(child.success, "{}", child.all());
    let line = child
        .stderr
        .lines()
        .find(|l| l.starts_with("detsim: random seed base "))
        .unwrap_or_else(|| panic!("no seed base line:\n{}", child.all()));
    let base = line
        .split("DETSIM_SEED_BASE=")
        .nth(1)
        .map(parse_u64)
        .unwrap_or_else(|| panic!("no DETSIM_SEED_BASE= in {line:?}"));
    let seeds: Vec<u64> = child.value_of("seeds").split(' ').map(parse_u64).collect();
    assert_eq!(seeds, (base..base + 10).collect::<Vec<_>>());
    assert_eq!(
        seeds_run_with(&[("DETSIM_SEED_BASE", &format!("{base:#x}"))]),
        seeds,
        "the printed base repeats the sweep"
    );
}

#[test]
fn bad_values_fail_with_a_message_naming_the_variable_and_the_accepted_forms() {
    let cases = [
        (
            "DETSIM_SEED",
            "0xZZ",
            "a number, decimal or 0x-hex (e.g. 42 or 0x2a)",
        ),
        (
            "DETSIM_SEEDS",
            "lots",
            "a half-open range start..end (e.g. 100..600)",
        ),
        (
            "DETSIM_SEEDS",
            "600..100",
            "a seed count (e.g. 500 or 0x1f4)",
        ),
        ("DETSIM_SEED_BASE", "soon", "or the word `random`"),
        ("DETSIM_JOBS", "0", "a positive number of threads"),
        ("DETSIM_SHARD", "9/8", "k/n with 1 <= k <= n (e.g. 2/8)"),
        ("DETSIM_CHECK_DETERMINISM", "yes", "1, 0, true or false"),
    ];
    for (var, value, forms) in cases {
        let child = run_child(SWEEP, &[(var, value)]);
        assert!(
            !child.success,
            "{var}={value} was accepted\n{}",
            child.all()
        );
        let out = child.all();
        assert_contains(
            &out,
            &format!("detsim: {var}={value:?} is not valid: expected "),
        );
        assert_contains(&out, forms);
    }
}

/// The first user-stream draw of `seed`: the jobs test fails on some.
fn first_draw(seed: u64) -> u64 {
    Runtime::sim(seed).block_on(async { detsim::rand::random() })
}

async fn fail_when_the_first_draw_is_a_multiple_of_4() {
    let draw: u64 = detsim::rand::random();
    // Uneven work per seed, so parallel workers finish out of order.
    for _ in 0..draw % 2_000 {
        yield_now().await;
    }
    assert!(draw % 4 != 0, "draw {draw:#x} is a multiple of 4");
}

#[test]
#[ignore = "run as a child process by the tests in this file"]
fn child_sweeps_64_seeds_some_of_which_fail() {
    if !is_child() {
        return;
    }
    Sim::new()
        .seeds(64)
        .run(fail_when_the_first_draw_is_a_multiple_of_4);
}

#[test]
fn sweeps_on_several_jobs_report_the_lowest_failing_seed() {
    let failing: Vec<u64> = (0..64).filter(|&s| first_draw(s) % 4 == 0).collect();
    assert!(failing.len() >= 2, "the sweep needs several failing seeds");
    let lowest = format!("detsim: seed {:#x} failed", failing[0]);
    for _ in 0..3 {
        let child = run_child(
            "env_vars::child_sweeps_64_seeds_some_of_which_fail",
            &[("DETSIM_JOBS", "2")],
        );
        assert!(!child.success, "{}", child.all());
        assert_contains(&child.all(), &lowest);
    }
}

/// Runs of the next helper in this process: the second run of a seed sees
/// another value than the first.
static RUNS: AtomicU64 = AtomicU64::new(0);

#[test]
#[ignore = "run as a child process by the tests in this file"]
fn child_runs_a_body_that_depends_on_a_process_wide_counter() {
    if !is_child() {
        return;
    }
    Sim::new().run(|| async {
        let run = RUNS.fetch_add(1, Ordering::Relaxed);
        sleep(Duration::from_millis(1 + run % 2)).await;
    });
}

#[test]
fn detsim_check_determinism_catches_a_nondeterministic_body_and_names_the_first_diverging_event() {
    let test = "env_vars::child_runs_a_body_that_depends_on_a_process_wide_counter";
    let unchecked = run_child(test, &[]);
    assert!(
        unchecked.success,
        "one run alone passes\n{}",
        unchecked.all()
    );

    let checked = run_child(test, &[("DETSIM_CHECK_DETERMINISM", "1")]);
    assert!(!checked.success, "the check passed\n{}", checked.all());
    let out = checked.all();
    assert_contains(
        &out,
        "nondeterminism: two runs of the same seed diverged at event #",
    );
    assert_contains(&out, "first run:  t=1.000ms clock advanced");
    assert_contains(&out, "second run: t=2.000ms clock advanced");
}

#[test]
#[ignore = "run as a child process by the tests in this file"]
fn child_sweeps_three_seeds_and_may_allow_an_empty_sweep() {
    if !is_child() {
        return;
    }
    let allow = std::env::var("CHILD_ALLOW_EMPTY").is_ok();
    let report = Sim::new().seeds(3).allow_empty(allow).run(|| async {});
    println!("ran: {}", report.runs.len());
}

#[test]
fn an_empty_shard_fails_with_a_message_unless_allowed() {
    let test = "env_vars::child_sweeps_three_seeds_and_may_allow_an_empty_sweep";
    let empty = run_child(test, &[("DETSIM_SHARD", "5/8")]);
    assert!(!empty.success, "an empty sweep passed\n{}", empty.all());
    assert_contains(
        &empty.all(),
        "the sweep selects no seeds: DETSIM_SHARD=5/8 of 3 seeds (0x0..=0x2) is empty",
    );
    assert_contains(&empty.all(), "Sim::allow_empty(true)");

    let allowed = run_child(test, &[("DETSIM_SHARD", "5/8"), ("CHILD_ALLOW_EMPTY", "1")]);
    assert!(allowed.success, "{}", allowed.all());
    assert_eq!(allowed.value_of("ran"), "0");
    assert_contains(&allowed.all(), "detsim: the sweep selects no seeds");
}

#[test]
fn a_counted_sweep_past_the_last_seed_fails_with_a_message() {
    let child = run_child(SWEEP, &[("DETSIM_SEED_BASE", "0xfffffffffffffffa")]);
    assert!(!child.success, "{}", child.all());
    assert_contains(
        &child.all(),
        "a sweep of 10 seeds from the base 0xfffffffffffffffa runs past the last seed",
    );
    // An inclusive range reaches the last seed.
    assert_eq!(
        seeds_run_with(&[("DETSIM_SEEDS", "0xfffffffffffffffe..=0xffffffffffffffff")]),
        [u64::MAX - 1, u64::MAX]
    );
}

/// Runs of the next helper in this process.
static HUGE_RUNS: AtomicU64 = AtomicU64::new(0);

#[test]
#[ignore = "run as a child process by the tests in this file"]
fn child_fails_on_its_third_seed() {
    if !is_child() {
        return;
    }
    Sim::new().run(|| async {
        let run = HUGE_RUNS.fetch_add(1, Ordering::Relaxed);
        assert!(run < 2, "the third seed fails");
    });
}

#[test]
fn a_sweep_of_a_trillion_seeds_starts_at_once_instead_of_building_a_list() {
    // Built up front, 10^12 seeds are 8 TB: the process aborted.
    let child = run_child(
        "env_vars::child_fails_on_its_third_seed",
        &[("DETSIM_SEEDS", "1000000000000"), ("DETSIM_JOBS", "1")],
    );
    assert!(!child.success, "{}", child.all());
    assert_contains(&child.all(), "detsim: seed 0x2 failed (after 3 seeds run)");
}

#[test]
fn sim_seed_runs_the_last_seed_too() {
    let report = Sim::new()
        .seed(u64::MAX)
        .try_run(|| async {})
        .expect("passes");
    let seeds: Vec<u64> = report.runs.iter().map(|r| r.seed).collect();
    assert_eq!(seeds, [u64::MAX]);
}

#[test]
fn sim_config_keeps_the_faults_set_before_it_and_after_it() {
    use detsim::{Config, Faults, Probability};
    let mut lossy = Faults::none();
    lossy.net.packet_loss = Probability::new(0.25).unwrap();
    let loss_seen = || async {
        let plan = detsim::kernel::KernelHandle::current().fault_plan().clone();
        assert_eq!(plan.net.packet_loss, Probability::new(0.25).unwrap());
    };
    Sim::new()
        .faults(lossy.clone())
        .config(Config::default())
        .try_run(loss_seen)
        .unwrap_or_else(|f| panic!(".faults(..).config(..) lost the faults:\n{f}"));
    Sim::new()
        .config(Config::default())
        .faults(lossy)
        .try_run(loss_seen)
        .unwrap_or_else(|f| panic!("{f}"));
}
