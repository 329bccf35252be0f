//! A fault plan's durations are checked when the plan is accepted: a zero
//! nemesis tick (which hung the run) and `Duration::MAX` delays (which
//! overflowed the virtual clock) get a message naming the field and the
//! accepted range.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use detsim::faults::PLAN_DURATION_MAX;
use detsim::time::sleep;
use detsim::{Config, Faults, Probability, Runtime, Sim};

/// The panic message of `f`, which must panic.
#[track_caller]
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("the plan was accepted");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn runtime(faults: Faults) -> Runtime {
    let mut config = Config::default();
    config.faults = faults;
    Runtime::with_config(1, config)
}

#[test]
fn a_zero_nemesis_tick_is_refused_by_the_runner_and_the_runtime() {
    let mut plan = Faults::chaos();
    plan.net.nemesis_tick = Duration::ZERO;
    let msg = panic_message(|| drop(Sim::new().faults(plan.clone())));
    assert!(msg.contains("Faults::net.nemesis_tick is 0ns"), "{msg}");
    assert!(msg.contains("from 1µs to"), "{msg}");
    let msg = panic_message(|| drop(runtime(plan)));
    assert!(msg.contains("net.nemesis_tick"), "{msg}");
}

#[test]
fn duration_max_delays_are_refused_naming_the_field() {
    type SetField = fn(&mut Faults);
    let fields: [(&str, SetField); 6] = [
        ("readiness_delay_max", |p| {
            p.readiness_delay_max = Duration::MAX
        }),
        ("completion_delay_max", |p| {
            p.completion_delay_max = Duration::MAX
        }),
        ("completion_reorder_window", |p| {
            p.completion_reorder_window = Duration::MAX
        }),
        ("net.partition_duration_max", |p| {
            p.net.partition_duration_max = Duration::MAX
        }),
        ("net.crash_downtime_max", |p| {
            p.net.crash_downtime_max = Duration::MAX
        }),
        ("net.nemesis_until", |p| p.net.nemesis_until = Duration::MAX),
    ];
    for (field, set) in fields {
        let mut plan = Faults::default();
        set(&mut plan);
        let msg = panic_message(|| drop(runtime(plan.clone())));
        assert!(msg.contains(&format!("Faults::{field} is")), "{msg}");
        assert!(msg.contains("to 365 days"), "{msg}");
        assert_eq!(plan.validate().unwrap_err().field(), field);
    }
}

#[test]
fn the_longest_accepted_delays_run_without_overflowing_the_clock() {
    let mut plan = Faults::none();
    plan.delayed_completion = Probability::ALWAYS;
    plan.delayed_readiness = Probability::ALWAYS;
    plan.readiness_delay_max = PLAN_DURATION_MAX;
    plan.completion_delay_max = PLAN_DURATION_MAX;
    plan.completion_reorder_window = PLAN_DURATION_MAX;
    plan.net.partition = Probability::ALWAYS;
    plan.net.nemesis_tick = PLAN_DURATION_MAX;
    plan.net.nemesis_until = PLAN_DURATION_MAX;
    plan.net.partition_duration_max = PLAN_DURATION_MAX;
    plan.net.crash_downtime_max = PLAN_DURATION_MAX;
    Sim::new().faults(plan).seeds(20).run(|| async {
        detsim::net::host("a", || async {});
        detsim::net::host("b", || async {});
        for i in 0..20 {
            detsim::fs::write(format!("/{i}"), b"x").await.unwrap();
        }
        sleep(PLAN_DURATION_MAX).await;
        sleep(PLAN_DURATION_MAX).await;
    });
}
