//! Quickstart: detsim finds a race in a few milliseconds, names the seed
//! that shows it, and replays that seed bit for bit.
//!
//! The bug: two withdrawals from one account each check the balance, wait
//! for a (simulated) database round trip, then subtract. When their
//! requests arrive close together, both checks pass before either
//! subtraction lands and the balance goes negative. That is a
//! check-then-act race across an `.await`, and whether it strikes depends
//! on timing: exactly what a seed controls under detsim.
//!
//! ```text
//! cargo run --example quickstart                       # sweep, find, replay
//! DETSIM_SEED=0x.. cargo run --example quickstart      # run one seed, full report
//! ```

use std::cell::Cell;
use std::rc::Rc;

use detsim::task::Builder;
use detsim::time::{Duration, sleep};
use detsim::{FailureKind, Runtime, Sim};

const OPENING_BALANCE: i64 = 100;

/// Withdraws `amount` if the balance allows it. The bug: the check and the
/// subtraction are separated by an `.await`, and another task can run there.
async fn withdraw(balance: Rc<Cell<i64>>, amount: i64) {
    // The request arrives at some point in the next 50 ms.
    sleep(Duration::from_micros(detsim::rand::random_range(0..50_000))).await;
    if balance.get() >= amount {
        // Write the debit to the database: a 400 µs round trip.
        sleep(Duration::from_micros(400)).await;
        balance.set(balance.get() - amount);
    }
}

/// The test body: Alice withdraws 70 and Bob 50 from an account of 100.
/// At most one of them should succeed.
async fn two_withdrawals() -> Result<(), String> {
    let balance = Rc::new(Cell::new(OPENING_BALANCE));
    let alice = Builder::new()
        .name("alice")
        .spawn(withdraw(Rc::clone(&balance), 70));
    let bob = Builder::new()
        .name("bob")
        .spawn(withdraw(Rc::clone(&balance), 50));
    alice.await.map_err(|e| e.to_string())?;
    bob.await.map_err(|e| e.to_string())?;
    match balance.get() {
        b if b < 0 => Err(format!("balance is {b}: both withdrawals passed the check")),
        _ => Ok(()),
    }
}

fn main() {
    if std::env::var_os("DETSIM_SEED").is_some() {
        replay_from_environment();
    } else {
        sweep_then_replay();
    }
}

/// `DETSIM_SEED` is set: run exactly that seed and show the whole report.
fn replay_from_environment() {
    match Sim::new().try_run(two_withdrawals) {
        Ok(report) => println!(
            "seed {:#x} passed: no overdraft on this seed (trace digest {:#018x}).",
            report.runs[0].seed, report.runs[0].digest
        ),
        Err(failure) => {
            println!("Replaying the seed from DETSIM_SEED. The failure report:\n");
            println!("{failure}");
            println!(
                "Both tasks checked the balance before either debit landed. A fix: re-check \
                 the balance after the await, or hold a lock across it."
            );
        }
    }
}

/// No seed given: sweep seeds until one breaks, then replay it.
fn sweep_then_replay() {
    const SEEDS: u64 = 200;
    println!(
        "detsim quickstart: alice withdraws 70 and bob 50 from an account of {OPENING_BALANCE}."
    );
    println!("Each checks the balance, awaits a 400 µs database write, then subtracts.");
    println!("Sweeping {SEEDS} seeds; each seed is one timing of the two requests...\n");

    let failure = match Sim::new().seeds(SEEDS).try_run(two_withdrawals) {
        Ok(report) => {
            println!(
                "All {} seeds passed in {:?}: the race never struck. Try more seeds with \
                 DETSIM_SEEDS=2000.",
                report.runs.len(),
                report.host_time
            );
            return;
        }
        Err(failure) => failure,
    };
    let seed = failure.failure.seed;
    println!(
        "Found it after running {} seeds: seed {seed:#x}: {} (at virtual t={})",
        failure.seeds_run, failure.failure.kind, failure.failure.at
    );
    println!("replay with {}\n", failure.replay);

    // Replay: a fresh runtime with exactly that seed makes every decision
    // (scheduling, timers, random numbers) the same way again.
    let rt = Runtime::sim(seed);
    let outcome = rt.block_on(two_withdrawals());
    // A body's `Err(e)` is reported as `FailureKind::Error(format!("{e:?}"))`.
    let same_error = outcome
        .as_ref()
        .is_err_and(|e| failure.failure.kind == FailureKind::Error(format!("{e:?}")));
    let same_trace = rt.digest() == failure.failure.digest;
    println!("Replayed seed {seed:#x} on a fresh runtime:");
    println!("    outcome: {outcome:?}");
    println!(
        "    trace digest {:#018x} over {} events, sweep's digest {:#018x}",
        rt.digest(),
        rt.trace_len(),
        failure.failure.digest
    );
    if same_error && same_trace {
        println!("Reproduced identically: same failure, same trace, event for event.");
    } else {
        println!("NOT reproduced identically: this is a detsim bug, please report it.");
        std::process::exit(1);
    }
}
