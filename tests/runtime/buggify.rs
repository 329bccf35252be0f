//! `detsim::buggify!`: user-placed fault points, enabled per site per run,
//! recorded, replayed and shrunk like the simulation's own faults.

use detsim::{Config, FaultKind, Faults, Runtime, Sim};

fn run_with(seed: u64, faults: Faults, body: impl AsyncFnOnce() -> Vec<bool>) -> Vec<bool> {
    let mut config = Config::default();
    config.faults = faults;
    Runtime::with_config(seed, config).block_on(body())
}

fn site_a() -> bool {
    detsim::buggify!()
}

fn site_b() -> bool {
    detsim::buggify!(0.5)
}

fn always_when_enabled() -> bool {
    detsim::buggify!(1.0)
}

/// Ten evaluations of site a, after `b_first` evaluations of site b.
async fn evaluate(b_first: usize) -> Vec<bool> {
    for _ in 0..b_first {
        site_b();
    }
    (0..10).map(|_| site_a()).collect()
}

#[test]
fn a_site_fires_on_some_seeds_and_not_others() {
    let mut fired_somewhere = 0;
    for seed in 0..64 {
        let got = run_with(seed, Faults::default(), async || evaluate(0).await);
        fired_somewhere += usize::from(got.contains(&true));
    }
    // Enabled on 1/4 of the runs, then firing 1/4 of the time: over ten
    // evaluations an enabled site fires with chance 1 - 0.75^10 = 94%.
    assert!(
        (5..=30).contains(&fired_somewhere),
        "site fired in {fired_somewhere} of 64 runs"
    );
}

#[test]
fn the_same_seed_gives_the_same_firings() {
    for seed in 0..16 {
        let a = run_with(seed, Faults::default(), async || evaluate(0).await);
        let b = run_with(seed, Faults::default(), async || evaluate(0).await);
        assert_eq!(a, b, "seed {seed}");
    }
}

#[test]
fn another_site_does_not_change_whether_a_site_is_enabled() {
    // Firings share the kind's stream, so another site's evaluations shift
    // *which* evaluations fire; whether the site is enabled at all is its
    // own draw, so it fires in a run exactly when it fires without b.
    let mut enabled = 0;
    for seed in 0..64 {
        let mut plan = Faults::none();
        plan.buggify = detsim::Probability::new(0.5).unwrap();
        let alone = run_with(seed, plan.clone(), async || {
            (0..64).map(|_| always_when_enabled()).collect()
        });
        let after_b = run_with(seed, plan, async || {
            for _ in 0..5 {
                site_b();
            }
            (0..64).map(|_| always_when_enabled()).collect()
        });
        assert_eq!(
            alone.contains(&true),
            after_b.contains(&true),
            "seed {seed}"
        );
        enabled += usize::from(alone.contains(&true));
    }
    assert!((16..=48).contains(&enabled), "enabled in {enabled} of 64");
}

#[test]
fn a_plan_without_buggify_never_fires() {
    for seed in 0..32 {
        let mut plan = Faults::chaos();
        plan.buggify = detsim::Probability::NEVER;
        let got = run_with(seed, plan, async || {
            (0..20).map(|_| detsim::buggify!(1.0)).collect()
        });
        assert!(!got.contains(&true), "seed {seed}");
    }
}

#[test]
fn buggify_is_false_outside_a_runtime_and_on_the_os_runtime() {
    assert!(!detsim::buggify!(1.0));
    let os = Runtime::os().expect("OS runtime");
    let got = os.block_on(async { (0..50).any(|_| detsim::buggify!(1.0)) });
    assert!(!got);
}

#[test]
fn a_firing_is_a_fault_event_naming_the_site() {
    let mut plan = Faults::none();
    plan.buggify = detsim::Probability::ALWAYS;
    let mut config = Config::default();
    config.faults = plan;
    config.record_all_events = true;
    let rt = Runtime::with_config(5, config);
    assert!(rt.block_on(async { detsim::buggify!(1.0) }));
    let events = rt.take_events().expect("events recorded");
    let fired: Vec<_> = events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                detsim::trace::EventKind::Fault {
                    kind: FaultKind::Buggify,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(fired.len(), 1, "{events:?}");
}

/// Code whose retry path is wrong after two retries, next to an unrelated
/// site.
async fn retry_twice_is_a_bug() {
    let mut retries = 0;
    for _ in 0..20 {
        if detsim::buggify!() {
            retries += 1;
        }
        let _ = detsim::buggify!(0.5);
        assert!(retries < 2, "two retries corrupted the state");
    }
}

#[test]
fn a_failure_that_needs_a_firing_is_shrunk_to_it_and_replays() {
    let failure = Sim::new()
        .faults(Faults::default())
        .seeds(200)
        .try_run(retry_twice_is_a_bug)
        .expect_err("some seed takes the retry path twice");
    let shrunk = failure.shrunk.as_ref().expect("shrunk");
    assert_eq!(shrunk.faults.len(), 2, "{failure}");
    for fault in &shrunk.faults {
        assert_eq!(fault.kind, FaultKind::Buggify, "{failure}");
    }
    let report = failure.to_string();
    assert!(
        report.contains("buggify@tests/runtime/buggify.rs:"),
        "{report}"
    );
    assert!(
        shrunk.replay_string.contains(":bug"),
        "{}",
        shrunk.replay_string
    );
    let again = Sim::new()
        .faults(Faults::default())
        .replay(&shrunk.replay_string)
        .try_run(retry_twice_is_a_bug)
        .expect_err("the shrunk schedule fails again");
    assert!(
        again
            .to_string()
            .contains("two retries corrupted the state")
    );
}
