//! Seeds per CPU-second (issue 14): what a user buys from a simulator.
//!
//! The scenario: one server host and one client, 100 request/response
//! round trips of 64 bytes over simulated TCP, a fresh simulation per
//! seed, one thread. It runs as a user's sweep does, through
//! `Sim::try_run` with `jobs(1)`: the runner's per-seed work (building and
//! dropping the runtime, the long-poll watchdog at its default budget, the
//! stall monitor's heartbeat) is part of what is measured. Two plans:
//! `Faults::default()` (legal behaviour plus the environment's faults at
//! their default rates) and `Faults::none()`.
//!
//! A repetition sweeps a batch of seeds (each repetition its own seeds, so
//! the figure is over many schedules) and reads the process's CPU time
//! (`CLOCK_PROCESS_CPUTIME_ID`) around it: on a shared machine a thread
//! waiting for a core adds wall time but no CPU time. The two plans'
//! repetitions are interleaved (default, none, none, default, ...) and the
//! table shows the medians. There is no tokio twin: tokio cannot run a
//! seed.
//!
//! Instruction counts, which do not move with the machine's load: run one
//! side under callgrind with `DETSIM_BENCH_PROFILE=detsim` and two
//! repetition counts, and divide the difference by the difference in
//! seeds (the runtime's set-up cancels out):
//!
//! ```text
//! DETSIM_BENCH_QUICK=1 DETSIM_BENCH_PROFILE=detsim DETSIM_BENCH_PROFILE_REPS=1 \
//!     valgrind --tool=callgrind target/release/deps/vs_tokio-<hash> --bench seeds_per_sec_echo_none
//! ```

use std::io;
use std::time::Duration;

use detsim::net::{self, TcpListener, TcpStream};
use detsim::{Faults, Sim};
use futures::{AsyncReadExt, AsyncWriteExt};

/// Round trips per seed.
const ROUND_TRIPS: usize = 100;
/// Bytes per request and per response.
const MESSAGE_BYTES: usize = 64;

/// One seed-rate workload: a name and the fault plan its sweep runs.
pub(crate) struct SeedWorkload {
    /// Table row and JSON key.
    pub(crate) name: &'static str,
    /// The sweep's fault plan.
    pub(crate) faults: fn() -> Faults,
}

/// The seed-rate workloads, in table order.
pub(crate) fn seed_workloads() -> Vec<SeedWorkload> {
    vec![
        SeedWorkload {
            name: "seeds_per_sec_echo_default",
            faults: Faults::default,
        },
        SeedWorkload {
            name: "seeds_per_sec_echo_none",
            faults: Faults::none,
        },
    ]
}

/// Seeds per repetition.
pub(crate) fn seeds_per_rep(quick: bool) -> u64 {
    if quick { 200 } else { 500 }
}

/// One seed: the client sends 100 requests of 64 bytes and reads each
/// 64-byte response before sending the next; the server echoes them.
async fn echo_seed() -> io::Result<()> {
    net::host("server", || async {
        let listener = TcpListener::bind("0.0.0.0:7").await?;
        let (mut conn, _) = listener.accept().await?;
        let mut request = [0u8; MESSAGE_BYTES];
        for _ in 0..ROUND_TRIPS {
            conn.read_exact(&mut request).await?;
            conn.write_all(&request).await?;
        }
        io::Result::Ok(())
    });
    let client = net::client("client", async {
        let mut conn = TcpStream::connect("server:7").await?;
        let mut request = [0u8; MESSAGE_BYTES];
        let mut response = [0u8; MESSAGE_BYTES];
        for i in 0..ROUND_TRIPS {
            request.fill(i as u8);
            conn.write_all(&request).await?;
            conn.read_exact(&mut response).await?;
            assert_eq!(response, request, "round trip {i}");
        }
        io::Result::Ok(())
    });
    client.await.expect("the client task")
}

/// Sweeps `seeds` seeds from `first` under `faults` on this thread.
///
/// # Panics
///
/// If a seed fails: the scenario is correct under every plan here.
pub(crate) fn sweep(faults: Faults, first: u64, seeds: u64) {
    let report = Sim::new()
        .faults(faults)
        .seed_range(first..first + seeds)
        .jobs(1)
        .try_run(echo_seed)
        .unwrap_or_else(|f| panic!("seeds_per_sec: a seed failed:\n{f}"));
    assert_eq!(report.runs.len() as u64, seeds);
}

/// The process's CPU time so far (every thread: the stall monitor's
/// too).
pub(crate) fn process_cpu_time() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// What [`measure_seeds`] measured for one workload.
pub(crate) struct SeedRow {
    pub(crate) name: &'static str,
    /// Median seeds per CPU-second over the repetitions.
    pub(crate) seeds_per_cpu_sec: f64,
    /// (min, max) over the repetitions: the noise.
    pub(crate) spread: (f64, f64),
}

/// Runs `reps` interleaved repetitions of every workload in `selected`,
/// `seeds` seeds each (after one warm-up repetition each), and returns
/// the medians.
pub(crate) fn measure_seeds(selected: &[SeedWorkload], seeds: u64, reps: usize) -> Vec<SeedRow> {
    let mut next_seed = 0u64;
    let mut rep = |w: &SeedWorkload| -> f64 {
        let start = process_cpu_time();
        sweep((w.faults)(), next_seed, seeds);
        let took = process_cpu_time().saturating_sub(start);
        next_seed += seeds;
        seeds as f64 / took.as_secs_f64()
    };
    for w in selected {
        rep(w);
    }
    let mut rates: Vec<Vec<f64>> = selected.iter().map(|_| Vec::with_capacity(reps)).collect();
    for r in 0..reps {
        // Flip the order every repetition, as the detsim/tokio table does.
        let order: Vec<usize> = if r % 2 == 0 {
            (0..selected.len()).collect()
        } else {
            (0..selected.len()).rev().collect()
        };
        for i in order {
            rates[i].push(rep(&selected[i]));
        }
    }
    selected
        .iter()
        .zip(rates)
        .map(|(w, mut xs)| {
            let spread = xs.iter().fold((f64::INFINITY, 0.0_f64), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
            SeedRow {
                name: w.name,
                seeds_per_cpu_sec: crate::harness::median(&mut xs),
                spread,
            }
        })
        .collect()
}

/// The rows as a table, after the detsim/tokio one.
pub(crate) fn print_seed_rows(rows: &[SeedRow], seeds: u64, reps: usize) {
    if rows.is_empty() {
        return;
    }
    println!();
    println!(
        "{:<30} | {:>16} | {:>9} | per-rep min..max",
        "workload", "seeds/CPU-second", "µs/seed"
    );
    println!("{}", "-".repeat(84));
    for r in rows {
        println!(
            "{:<30} | {:>16.0} | {:>9.1} | {:.0}..{:.0}",
            r.name,
            r.seeds_per_cpu_sec,
            1e6 / r.seeds_per_cpu_sec,
            r.spread.0,
            r.spread.1
        );
    }
    println!(
        "(1 server, 1 client, {ROUND_TRIPS} x {MESSAGE_BYTES}-byte round trips over simulated TCP \
         per seed; a one-thread Sim sweep of {seeds} seeds per repetition, median of {reps} \
         interleaved repetitions, process CPU time)"
    );
}
