//! A classic network bug, found and replayed: a length-prefixed protocol
//! whose reader assumes one `read` returns one whole frame. On loopback it
//! nearly always does; on a real network, and under detsim's short reads
//! and partial writes, a frame arrives in pieces and the reader breaks.
//!
//! ```text
//! cargo run --example framing_bug                      # sweep, find, replay
//! DETSIM_SEED=0x.. cargo run --example framing_bug     # run one seed, full report
//! ```

use std::process::ExitCode;

use detsim::net::{self, TcpListener, TcpStream};
use detsim::{Faults, Sim, SweepFailure, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

const FRAMES: u8 = 10;

/// A frame: a 2-byte big-endian length, then the payload.
fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = (payload.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(payload);
    out
}

/// The bug: one `read` is taken to be one whole frame. (The fix: read the
/// 2-byte header with `read_exact`, then `read_exact` the payload.)
async fn read_frame(conn: &mut TcpStream) -> Vec<u8> {
    let mut buf = [0; 1024];
    let n = conn.read(&mut buf).await.expect("read");
    assert!(
        n >= 2,
        "frame header cut short: the read returned {n} byte(s)"
    );
    let len = u16::from_be_bytes([buf[0], buf[1]]) as usize;
    assert_eq!(
        n - 2,
        len,
        "frame torn: the header says {len} bytes, the read returned {}",
        n - 2
    );
    buf[2..n].to_vec()
}

/// A server answering each frame with its payload reversed; a client
/// sending frames and checking the answers.
async fn reverse_service() {
    net::host("server", || async {
        let listener = TcpListener::bind("0.0.0.0:9").await?;
        loop {
            let (mut conn, _) = listener.accept().await?;
            spawn(async move {
                for _ in 0..FRAMES {
                    let mut payload = read_frame(&mut conn).await;
                    payload.reverse();
                    conn.write_all(&frame(&payload)).await.expect("write");
                }
            });
        }
        #[allow(unreachable_code)]
        std::io::Result::Ok(())
    });
    let mut conn = TcpStream::connect("server:9").await.expect("connect");
    for i in 0..FRAMES {
        let payload: Vec<u8> = (0..200).map(|j| i.wrapping_add(j)).collect();
        conn.write_all(&frame(&payload)).await.expect("write");
        let mut answer = read_frame(&mut conn).await;
        answer.reverse();
        assert_eq!(answer, payload);
    }
}

fn first_line(failure: &SweepFailure) -> String {
    failure
        .failure
        .kind
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

fn main() -> ExitCode {
    if std::env::var_os("DETSIM_SEED").is_some() {
        // Sim reads DETSIM_SEED and runs exactly that seed.
        return match Sim::new()
            .faults(Faults::default())
            .try_run(reverse_service)
        {
            Ok(report) => {
                println!("seed {:#x} passed on this seed.", report.runs[0].seed);
                ExitCode::SUCCESS
            }
            Err(failure) => {
                println!("Replaying the seed from DETSIM_SEED. The failure report:\n{failure}");
                ExitCode::SUCCESS
            }
        };
    }

    println!("Perfect network first (Faults::none), 100 seeds:");
    match Sim::new()
        .faults(Faults::none())
        .seeds(100)
        .try_run(reverse_service)
    {
        Ok(report) => println!(
            "    all {} seeds pass: one read, one frame.\n",
            report.runs.len()
        ),
        Err(failure) => println!("    already fails: {}\n", first_line(&failure)),
    }

    println!("Default faults (short reads, partial writes...), up to 500 seeds:");
    let failure = match Sim::new()
        .faults(Faults::default())
        .seeds(500)
        .try_run(reverse_service)
    {
        Ok(report) => {
            println!("    all {} seeds passed: the bug hid.", report.runs.len());
            return ExitCode::FAILURE;
        }
        Err(failure) => failure,
    };
    let seed = failure.failure.seed;
    println!(
        "seed {seed:#x}: {} ; replay with {}",
        first_line(&failure),
        failure.replay
    );
    println!(
        "    found after {} seed(s); {} fault(s) injected on that seed, the last ones:",
        failure.seeds_run,
        failure.failure.faults.len()
    );
    for f in failure.failure.faults.iter().rev().take(3).rev() {
        println!("        {f}");
    }

    // Replay: the same seed, alone, makes every decision the same way again.
    let again = Sim::new()
        .faults(Faults::default())
        .seed_range(seed..seed + 1)
        .try_run(reverse_service)
        .err();
    println!("\nReplayed seed {seed:#x}:");
    match again {
        // The kinds differ only in where each sweep was started from.
        Some(again)
            if first_line(&again).split_once(" panicked").map(|p| p.1)
                == first_line(&failure).split_once(" panicked").map(|p| p.1)
                && again.failure.digest == failure.failure.digest =>
        {
            println!("    {}", first_line(&again));
            println!(
                "    same failure, same trace digest {:#018x}, at the same virtual time t={}: \
                 reproduced.",
                again.failure.digest, again.failure.at
            );
            ExitCode::SUCCESS
        }
        other => {
            println!("    NOT reproduced ({other:?}): this is a detsim bug, please report it.");
            ExitCode::FAILURE
        }
    }
}
