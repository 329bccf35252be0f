//! Legal behaviour (what the OS contract allows: short reads, spurious
//! wakes, reordered completions...) as a user meets it: `DETSIM_LEGAL=0`
//! switches it off for a sweep, and a failing run under it prints the
//! line that replays the seed without it.

use crate::common::{assert_contains, is_child, run_child};
use detsim::io::duplex;
use detsim::kernel::KernelHandle;
use detsim::{FaultKind, Faults, Sim};
use futures::{AsyncReadExt, AsyncWriteExt};

/// Expects one `read` to return a whole 100-byte message: true on a
/// perfect kernel, false whenever a read comes back short, which read(2)
/// allows.
async fn one_read_is_one_message() {
    let (mut a, mut b) = duplex(1024);
    detsim::spawn(async move { a.write_all(&[7; 100]).await.unwrap() });
    let mut buf = [0; 100];
    let n = b.read(&mut buf).await.unwrap();
    assert_eq!(n, 100, "one read returned part of the message");
}

#[test]
#[ignore = "run as a child process by the tests in this file"]
fn child_prints_the_plan_its_sweep_runs() {
    if !is_child() {
        return;
    }
    Sim::new().faults(Faults::chaos()).run(|| async {
        let plan = KernelHandle::current().fault_plan().clone();
        println!("has legal: {}", plan.has_legal());
        println!(
            "host crash on: {}",
            !plan.probability(FaultKind::HostCrash).is_never()
        );
    });
}

#[test]
fn detsim_legal_0_switches_the_legal_group_off_and_keeps_the_environment_faults() {
    let test = "legal_behaviour::child_prints_the_plan_its_sweep_runs";
    let child = run_child(test, &[]);
    assert!(child.success, "{}", child.all());
    assert_eq!(child.value_of("has legal"), "true");
    let child = run_child(test, &[("DETSIM_LEGAL", "0")]);
    assert!(child.success, "{}", child.all());
    assert_eq!(child.value_of("has legal"), "false");
    assert_eq!(child.value_of("host crash on"), "true");
    let child = run_child(test, &[("DETSIM_LEGAL", "1")]);
    assert_eq!(child.value_of("has legal"), "true");
}

#[test]
fn a_bad_detsim_legal_fails_with_a_message_naming_the_accepted_forms() {
    let child = run_child(
        "legal_behaviour::child_prints_the_plan_its_sweep_runs",
        &[("DETSIM_LEGAL", "off")],
    );
    assert!(!child.success, "{}", child.all());
    assert_contains(&child.all(), "detsim: DETSIM_LEGAL=\"off\" is not valid");
    assert_contains(&child.all(), "0 or false (switch legal behaviour off");
}

#[test]
#[ignore = "run as a child process by the tests in this file"]
fn child_reads_a_message_in_one_read() {
    if !is_child() {
        return;
    }
    Sim::new()
        .faults(Faults::legal())
        .seeds(50)
        .run(one_read_is_one_message);
}

#[test]
fn a_failure_under_legal_behaviour_prints_the_replay_line_without_it() {
    let test = "legal_behaviour::child_reads_a_message_in_one_read";
    let child = run_child(test, &[]);
    assert!(!child.success, "short reads break the naive reader");
    let out = child.all();
    assert_contains(&out, "one read returned part of the message");
    assert_contains(&out, "short_read#");
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("replay without legal behaviour: "))
        .unwrap_or_else(|| panic!("no line to replay without legal behaviour:\n{out}"));
    assert!(line.starts_with("DETSIM_LEGAL=0 DETSIM_SEED=0x"), "{line}");
    assert_contains(line, "legal_behaviour::child_reads_a_message_in_one_read");
    // Which is what the user runs next: without short reads, it passes.
    let child = run_child(test, &[("DETSIM_LEGAL", "0")]);
    assert!(child.success, "{}", child.all());
    assert_contains(&child.all(), "50 seeds passed");
}

#[test]
#[ignore = "run as a child process by the tests in this file"]
fn child_always_fails() {
    if !is_child() {
        return;
    }
    Sim::new()
        .faults(Faults::legal())
        .run(|| async { panic!("always") as () });
}

#[test]
fn replay_lines_of_a_sweep_under_detsim_legal_0_carry_it() {
    let child = run_child(
        "legal_behaviour::child_always_fails",
        &[("DETSIM_LEGAL", "0")],
    );
    let out = child.all();
    assert_contains(&out, "replay: DETSIM_LEGAL=0 DETSIM_SEED=0x0 cargo test");
    assert!(!out.contains("replay without legal behaviour"), "{out}");
}

#[test]
fn replay_lines_of_a_sweep_under_detsim_swarm_or_strategy_carry_them() {
    // Swarm mode draws each seed's plan: a replay without the variable
    // would run another plan.
    let child = run_child(
        "legal_behaviour::child_always_fails",
        &[("DETSIM_SWARM", "1")],
    );
    assert_contains(
        &child.all(),
        "replay: DETSIM_SWARM=1 DETSIM_SEED=0x0 cargo test",
    );
}

#[test]
fn a_plan_without_legal_behaviour_prints_no_line_to_switch_it_off() {
    let failure = Sim::new()
        .faults(Faults::none())
        .try_run(|| async { panic!("always") as () })
        .expect_err("fails");
    assert!(failure.without_legal.is_none(), "{failure}");
    assert!(!failure.to_string().contains("without legal"), "{failure}");
}

#[detsim::test(faults = "legal", seeds = 5, regressions = false)]
async fn the_test_attribute_takes_faults_legal() {
    assert_eq!(KernelHandle::current().fault_plan(), &Faults::legal());
}
