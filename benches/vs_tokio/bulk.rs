//! Bulk transfer over simulated TCP (issue 14): 100 MiB one way, written
//! in 64 KiB `write_all`s and read with a 64 KiB buffer, under
//! `Faults::default()` and under `Faults::none()`. A partial write or a
//! short read must cost a round of segments, not every later write: the
//! figure to watch is the default plan's CPU time against the fault-free
//! one (target: within 3×). Also printed: the reads the server made and
//! the trace events per seed, which do not move with the machine's load.
//! Printed after the table; no tokio twin.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use detsim::net::{self, TcpListener, TcpStream};
use detsim::{Faults, Sim};
use futures::{AsyncReadExt, AsyncWriteExt};

use crate::seeds::process_cpu_time;

/// Bytes per `write_all` and per read buffer.
const CHUNK: usize = 64 * 1024;

/// A fault plan's name in the output, and the plan.
type Plan = (&'static str, fn() -> Faults);

/// One plan's bulk transfer: median CPU time of its seeds, reads and
/// trace events per seed.
pub(crate) struct BulkRow {
    pub(crate) plan: &'static str,
    pub(crate) cpu: Duration,
    pub(crate) reads: u64,
    pub(crate) events: u64,
}

/// Sends `bytes` from a client to a server in one seed; the server
/// counts its reads into `reads`.
async fn transfer(bytes: usize, reads: Arc<AtomicU64>) -> io::Result<()> {
    net::host("server", move || {
        let reads = reads.clone();
        async move {
            let listener = TcpListener::bind("0.0.0.0:7").await?;
            let (mut conn, _) = listener.accept().await?;
            let mut buf = vec![0u8; CHUNK];
            let mut got = 0;
            while got < bytes {
                let n = conn.read(&mut buf).await?;
                assert!(n > 0, "EOF after {got} of {bytes} bytes");
                got += n;
                reads.fetch_add(1, Ordering::Relaxed);
            }
            io::Result::Ok(())
        }
    });
    let client = net::client("client", async move {
        let mut conn = TcpStream::connect("server:7").await?;
        let chunk = vec![0x5a; CHUNK];
        for _ in 0..bytes / CHUNK {
            conn.write_all(&chunk).await?;
        }
        // Outlive the server's last read, so nothing is reset.
        detsim::time::sleep(Duration::from_secs(10)).await;
        io::Result::Ok(())
    });
    client.await.expect("the client task")
}

/// Runs the transfer of `mib` MiB on `seeds` seeds under each plan,
/// interleaved.
pub(crate) fn bulk(mib: usize, seeds: u64) -> Vec<BulkRow> {
    let plans: [Plan; 2] = [
        ("Faults::default()", Faults::default),
        ("Faults::none()", Faults::none),
    ];
    let mut cpu: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    let mut reads = [0u64; 2];
    let mut events = [0u64; 2];
    for seed in 0..seeds {
        for (i, (_, plan)) in plans.iter().enumerate() {
            let count = Arc::new(AtomicU64::new(0));
            let start = process_cpu_time();
            let report = Sim::new()
                .faults(plan())
                .seed(seed)
                .jobs(1)
                .try_run({
                    let count = count.clone();
                    move || transfer(mib << 20, count.clone())
                })
                .unwrap_or_else(|f| panic!("bulk: seed {seed} failed:\n{f}"));
            cpu[i].push(process_cpu_time().saturating_sub(start));
            reads[i] += count.load(Ordering::Relaxed);
            events[i] += report.runs[0].events;
        }
    }
    plans
        .iter()
        .enumerate()
        .map(|(i, (plan, _))| {
            cpu[i].sort();
            BulkRow {
                plan,
                cpu: cpu[i][cpu[i].len() / 2],
                reads: reads[i] / seeds,
                events: events[i] / seeds,
            }
        })
        .collect()
}

/// The rows, after the table.
pub(crate) fn print_bulk(rows: &[BulkRow], mib: usize, seeds: u64) {
    for r in rows {
        println!(
            "bulk_{mib}mib ({}): {:.3} s CPU (median of {seeds} seeds), {} reads ({:.0} bytes each), \
             {} trace events",
            r.plan,
            r.cpu.as_secs_f64(),
            r.reads,
            (mib << 20) as f64 / r.reads as f64,
            r.events
        );
    }
    if let [default, none] = rows {
        let ratio = default.cpu.as_secs_f64() / none.cpu.as_secs_f64();
        println!(
            "bulk_{mib}mib: default faults cost {ratio:.2}× no faults (target <= 3) {}",
            if ratio <= 3.0 { "pass" } else { "MISS" }
        );
    }
}
