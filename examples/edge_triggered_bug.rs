//! The classic EPOLLET bug, found and explained: a reader registered
//! edge-triggered that takes one chunk per readiness event and goes back
//! to waiting before a read has said `WouldBlock`.
//!
//! Edge-triggered readiness is reported when the resource becomes readable,
//! not while it stays readable. A reader that leaves bytes behind waits for
//! an edge that only new data would bring; when the writer has sent
//! everything and waits for the answer, nobody moves. Whether bytes are
//! left behind depends on how the writes and the reads interleave, and on
//! short reads: on loopback it may pass for months.
//!
//! The sweep runs many seeds (schedules and faults), finds a seed where
//! the reader hangs, and prints detsim's deadlock report, which says why
//! ("edge-triggered, last read did not reach WouldBlock"), and the line
//! that replays the seed. The fixed reader, which reads until `WouldBlock`
//! after every event, then passes the same sweep. The reader and the
//! writer are the bug catalogue's (`catalogue/classes/edge.rs`).
//!
//! ```text
//! cargo run --example edge_triggered_bug                    # sweep, report, fix
//! DETSIM_SEED=0x.. cargo run --example edge_triggered_bug   # replay one seed
//! DETSIM_REPLAY=0x..:.. cargo run --example edge_triggered_bug  # replay the shrunk schedule
//! ```

#[path = "catalogue/classes/edge.rs"]
mod edge;

use std::process::ExitCode;

use detsim::{FailureKind, Faults, Sim, SweepFailure};
use edge::{CHUNK_BYTES, MESSAGE_BYTES, MESSAGES, edge_triggered_not_drained};

fn sweep(fixed: bool) -> Result<u64, Box<SweepFailure>> {
    Sim::new()
        .faults(Faults::default())
        .seeds(SEEDS)
        .try_run(move || edge_triggered_not_drained(fixed))
        .map(|report| report.runs.len() as u64)
}

const SEEDS: u64 = 500;

/// What the deadlock report says about the `reader` task.
fn reader_wait(failure: &SweepFailure) -> Option<&str> {
    let FailureKind::Deadlock { stuck } = &failure.failure.kind else {
        return None;
    };
    stuck
        .iter()
        .find(|s| s.task.name.as_deref() == Some("reader"))
        .map(|s| s.waits_on.as_str())
}

fn main() -> ExitCode {
    if std::env::var_os("DETSIM_SEED").is_some() || std::env::var_os("DETSIM_REPLAY").is_some() {
        // Sim runs exactly the seed (or shrunk schedule) named there.
        return match sweep(false) {
            Ok(_) => {
                println!("The buggy reader passed on this seed.");
                ExitCode::SUCCESS
            }
            Err(failure) => {
                println!("Replaying the seed from DETSIM_SEED. The failure report:\n{failure}");
                ExitCode::SUCCESS
            }
        };
    }

    println!(
        "A writer sends {MESSAGES} messages of {MESSAGE_BYTES} bytes; a reader registered \
         edge-triggered\ntakes one {CHUNK_BYTES}-byte try_read per readiness event, never \
         reading on to WouldBlock.\nIt works whenever it keeps up with the writer, and hangs \
         when it falls behind.\n"
    );
    println!("Buggy reader, Faults::default(), up to {SEEDS} seeds:");
    let failure = match sweep(false) {
        Ok(seeds) => {
            println!("    all {seeds} seeds passed: the bug hid.");
            return ExitCode::FAILURE;
        }
        Err(failure) => failure,
    };
    println!(
        "    seed {:#x} hangs, found after {} seed(s). The report:\n",
        failure.failure.seed, failure.seeds_run
    );
    println!("{failure}");
    match reader_wait(&failure) {
        Some(wait) if wait.contains("edge-triggered, last read did not reach WouldBlock") => {
            println!("\nWhy, in one line: task `reader` waits on {wait}");
        }
        other => {
            println!(
                "\nUNEXPECTED: the report does not explain the edge-triggered hang: {other:?}"
            );
            return ExitCode::FAILURE;
        }
    }
    println!("Replay it: {}", failure.replay);

    println!("\nFixed reader (reads until WouldBlock after every event), the same {SEEDS} seeds:");
    match sweep(true) {
        Ok(seeds) => {
            println!("    all {seeds} seeds passed.");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            println!("    FAILED:\n{failure}");
            ExitCode::FAILURE
        }
    }
}
