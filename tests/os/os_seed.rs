//! The OS runtime's seed: drawn from OS entropy, fixed by `DETSIM_SEED`,
//! readable (`Runtime::seed`, `detsim::rand::seed`) and printed when a run
//! fails, so a run's `detsim::rand` draws can be repeated. Tests that need
//! a given environment run this binary again as a child process.

#![cfg(target_os = "linux")]

use crate::common::{assert_contains, is_child, parse_u64, run_child};
use detsim::Runtime;

/// The draws a run makes through every user-facing entry point.
fn draws(rt: &Runtime) -> (u64, u64, u32) {
    rt.block_on(async {
        use detsim::rand::RngExt;
        (
            detsim::rand::seed(),
            detsim::rand::random::<u64>(),
            detsim::rand::rng().random_range(0..1_000_000u32),
        )
    })
}

#[test]
#[ignore = "run as a child process by the tests in this file"]
fn child_prints_two_os_runtimes_seeds_and_draws() {
    if !is_child() {
        return;
    }
    match Runtime::os() {
        Ok(rt) => {
            let other = Runtime::os().unwrap();
            let (seed, a, b) = draws(&rt);
            assert_eq!(seed, rt.seed(), "detsim::rand::seed is the runtime's seed");
            println!("first: {seed:#x} {a:#x} {b}");
            let (seed, a, b) = draws(&other);
            println!("second: {seed:#x} {a:#x} {b}");
        }
        Err(e) => println!("error: {:?} {e}", e.kind()),
    }
}

/// `(seed, draw, draw)` of the child's first and second runtime.
fn seeds_and_draws(env: &[(&str, &str)]) -> [(u64, u64, u64); 2] {
    let child = run_child("os_seed::child_prints_two_os_runtimes_seeds_and_draws", env);
    assert!(child.success, "{}", child.all());
    ["first", "second"].map(|key| {
        let v: Vec<u64> = child.value_of(key).split(' ').map(parse_u64).collect();
        (v[0], v[1], v[2])
    })
}

#[test]
fn without_detsim_seed_each_os_runtime_draws_a_fresh_seed_from_the_os() {
    let [a, b] = seeds_and_draws(&[]);
    let [c, d] = seeds_and_draws(&[]);
    // Four equal 64-bit seeds would be a constant, not bad luck.
    assert_ne!(a.0, b.0, "two runtimes in one process");
    assert_ne!(a.0, c.0, "two processes");
    assert_ne!(c.0, d.0);
    assert_ne!(a.1, b.1, "the user stream follows the seed");
}

#[test]
fn detsim_seed_fixes_the_os_runtimes_seed_and_repeats_its_draws() {
    let [a, b] = seeds_and_draws(&[("DETSIM_SEED", "0x2a")]);
    assert_eq!(a.0, 0x2a);
    assert_eq!(a, b, "both runtimes of the child run seed 0x2a");
    assert_eq!(seeds_and_draws(&[("DETSIM_SEED", "42")])[0], a);
    // The same draws as an explicitly seeded OS runtime, and as the
    // simulation under the same seed: one user stream, whatever the backend.
    assert_eq!(draws(&Runtime::os_with_seed(0x2a).unwrap()), as_draws(a));
    assert_eq!(draws(&Runtime::sim(0x2a)), as_draws(a));
}

fn as_draws((seed, a, b): (u64, u64, u64)) -> (u64, u64, u32) {
    (seed, a, u32::try_from(b).unwrap())
}

#[test]
fn a_bad_detsim_seed_is_an_error_naming_the_variable_not_a_silent_random_seed() {
    let child = run_child(
        "os_seed::child_prints_two_os_runtimes_seeds_and_draws",
        &[("DETSIM_SEED", "lots")],
    );
    assert!(child.success, "{}", child.all());
    let error = child.value_of("error");
    assert_contains(&error, "InvalidInput");
    assert_contains(&error, "DETSIM_SEED=\"lots\" is not valid");
    assert_contains(&error, "0x2a");
}

#[test]
fn a_failed_os_run_prints_the_seed_that_repeats_its_random_draws() {
    let rt = Runtime::os_with_seed(0x5eed).unwrap();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rt.block_on(async {
            let _: u64 = detsim::rand::random();
            panic!("the server gave up");
        })
    }))
    .unwrap_err();
    let message = panic.downcast_ref::<String>().expect("a formatted message");
    assert_contains(message, "the server gave up");
    assert_contains(message, "seed:   0x5eed");
    assert_contains(
        message,
        "DETSIM_SEED=0x5eed repeats this run's detsim::rand draws",
    );
}
