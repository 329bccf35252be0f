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
//! after every event, then passes the same sweep.
//!
//! ```text
//! cargo run --example edge_triggered_bug                    # sweep, report, fix
//! DETSIM_SEED=0x.. cargo run --example edge_triggered_bug   # replay one seed
//! DETSIM_REPLAY=0x..:.. cargo run --example edge_triggered_bug  # replay the shrunk schedule
//! ```

use std::io::ErrorKind;
use std::process::ExitCode;

use detsim::io::{DuplexStream, duplex};
use detsim::kernel::{Interest, Trigger};
use detsim::{FailureKind, Faults, Sim, SweepFailure, task};

/// The writer sends this many messages...
const MESSAGES: usize = 10;
/// ...of this many bytes each, yielding between them.
const MESSAGE_BYTES: usize = 10;
/// What the reader asks for per `try_read`: more than one message, so a
/// reader that keeps up never leaves bytes behind, and one that falls
/// behind (two messages arrived before it ran) does.
const CHUNK_BYTES: usize = 16;
const TOTAL_BYTES: usize = MESSAGES * MESSAGE_BYTES;

/// The bug: one `try_read` per readiness event.
async fn read_one_chunk_per_event(stream: &DuplexStream) -> Vec<u8> {
    let reg = stream.source().register(Interest::READABLE, Trigger::Edge);
    let mut got = Vec::new();
    while got.len() < TOTAL_BYTES {
        reg.ready().await;
        let mut chunk = [0u8; CHUNK_BYTES];
        match stream.try_read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
            Err(e) => panic!("read failed: {e}"),
        }
        // BUG: back to waiting for an edge, though bytes may be left.
    }
    got
}

/// The fix: after every event, read until `WouldBlock` (or EOF); only then
/// is the next edge guaranteed to come with the next data.
async fn read_until_would_block(stream: &DuplexStream) -> Vec<u8> {
    let reg = stream.source().register(Interest::READABLE, Trigger::Edge);
    let mut got = Vec::new();
    while got.len() < TOTAL_BYTES {
        reg.ready().await;
        loop {
            let mut chunk = [0u8; CHUNK_BYTES];
            match stream.try_read(&mut chunk) {
                Ok(0) => return got,
                Ok(n) => got.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => panic!("read failed: {e}"),
            }
        }
    }
    got
}

/// Writes all of `data`, retrying partial writes and `Interrupted`.
async fn write_all(stream: &DuplexStream, mut data: &[u8]) {
    while !data.is_empty() {
        match stream.try_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
                task::yield_now().await;
            }
            Err(e) => panic!("write failed: {e}"),
        }
    }
}

/// One seed: a writer sends [`MESSAGES`] messages, yielding between them,
/// while a task named `reader` collects them with `fixed`'s reader; then
/// the writer waits for the reader's answer.
async fn scenario(fixed: bool) {
    let (client, server) = duplex(1024);
    let reader = task::Builder::new().name("reader").spawn(async move {
        if fixed {
            read_until_would_block(&server).await
        } else {
            read_one_chunk_per_event(&server).await
        }
    });
    for i in 0..MESSAGES {
        write_all(&client, &[i as u8; MESSAGE_BYTES]).await;
        task::yield_now().await;
    }
    let got = reader.await.expect("reader task");
    let sent: Vec<u8> = (0..MESSAGES)
        .flat_map(|i| [i as u8; MESSAGE_BYTES])
        .collect();
    assert_eq!(got, sent);
}

fn sweep(fixed: bool) -> Result<u64, Box<SweepFailure>> {
    Sim::new()
        .faults(Faults::default())
        .seeds(SEEDS)
        .try_run(move || scenario(fixed))
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
