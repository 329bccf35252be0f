//! Scaling rows for timers and hosts (issue 14): the cost per unit at
//! 1k / 10k / 100k / 1M timers and at 1 / 64 / 512 hosts, and how much it
//! grows from the smallest size to the largest (target: at most 1.3×).
//!
//! - `timers_<n>`: one task creates `n` sleeps due 1, 2, ..., `n`
//!   milliseconds ahead (tokio's timer resolution; one timer per instant,
//!   so every size does the same work per timer), in a scrambled order,
//!   polls each once so all `n` are registered, then awaits them in
//!   deadline order. The unit is one timer: registered, fired,
//!   completed and dropped. One task, so the figure is the timer queue's,
//!   not the executor's. tokio's twin runs the same code on a paused clock
//!   (its sleeps are `!Unpin`, so each is boxed; detsim's are not).
//!   Both sides run one untimed round first on the same runtime, and keep
//!   the vector of sleeps across rounds: a timed round measures the
//!   timers on warm storage, not the first growth of the runtime's timer
//!   queue, nor the bench's own vector (tens of MiB at 1M: glibc maps a
//!   block that large afresh at each allocation and unmaps it when freed,
//!   so each round would fault its pages in again).
//! - `floor_<n>`: the timer rows' own work without any timer, a control:
//!   the same plan and a vector of plain slots the size of a detsim
//!   `Sleep`, each touched once in creation order and then read in
//!   deadline order. At 1M that vector is far larger than the caches and
//!   the deadline-order reads land at random, so its growth is the part
//!   of both sides' timer growth that no timer queue can remove.
//! - `hosts_<h>`: `h` client hosts, each with one simulated TCP connection
//!   to one echo host, send 1-byte requests at once (51,200 round trips
//!   in all, 12,800 under `DETSIM_BENCH_QUICK=1`). The unit is one round
//!   trip; connection set-up is not timed. No tokio twin: it is the
//!   simulation's event queue that is measured.
//!
//! Each repetition reads the process's CPU time (`CLOCK_PROCESS_CPUTIME_ID`)
//! around the work, inside `block_on`, so building and dropping a runtime
//! is left out; the table shows medians of interleaved repetitions.
//! Instruction counts: run one row under callgrind with
//! `DETSIM_BENCH_PROFILE=detsim` and two values of
//! `DETSIM_BENCH_PROFILE_REPS` (rounds of the row's units on one runtime),
//! and divide the difference by the difference in units: building the
//! runtime, the plan and the connections cancel out.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;
use std::time::Duration;

use crate::harness::{detsim_rt, median, tokio_rt_paused};

/// One scaling row.
struct ScaleRow {
    name: &'static str,
    /// Units (timers, round trips) per repetition.
    units: usize,
    /// Runs `rounds` rounds of `units` on one fresh runtime (timer rows:
    /// after one untimed round); returns the CPU time of the rounds.
    detsim: fn(usize, usize) -> Duration,
    tokio: Option<fn(usize, usize) -> Duration>,
    /// A control row (`floor_<n>`): printed with its growth, not judged.
    control: bool,
}

fn timer_rows() -> Vec<ScaleRow> {
    [
        ("timers_1k", 1_000),
        ("timers_10k", 10_000),
        ("timers_100k", 100_000),
        ("timers_1m", 1_000_000),
    ]
    .into_iter()
    .map(|(name, units)| ScaleRow {
        name,
        units,
        detsim: detsim_timers,
        tokio: Some(tokio_timers),
        control: false,
    })
    .collect()
}

fn floor_rows() -> Vec<ScaleRow> {
    [
        ("floor_1k", 1_000),
        ("floor_10k", 10_000),
        ("floor_100k", 100_000),
        ("floor_1m", 1_000_000),
    ]
    .into_iter()
    .map(|(name, units)| ScaleRow {
        name,
        units,
        detsim: floor_timers,
        tokio: None,
        control: true,
    })
    .collect()
}

fn host_rows(quick: bool) -> Vec<ScaleRow> {
    let round_trips = if quick { 12_800 } else { 51_200 };
    let row = |name, run: fn(usize, usize) -> Duration| ScaleRow {
        name,
        units: round_trips,
        detsim: run,
        tokio: None,
        control: false,
    };
    vec![
        row("hosts_1", |n, rounds| detsim_hosts_echo(1, n, rounds)),
        row("hosts_64", |n, rounds| detsim_hosts_echo(64, n, rounds)),
        row("hosts_512", |n, rounds| detsim_hosts_echo(512, n, rounds)),
    ]
}

/// The rows whose name contains one of `filters` (all without filters).
fn selected(filters: &[String], quick: bool) -> Vec<Vec<ScaleRow>> {
    let keep =
        |r: &ScaleRow| filters.is_empty() || filters.iter().any(|f| r.name.contains(f.as_str()));
    [timer_rows(), floor_rows(), host_rows(quick)]
        .into_iter()
        .map(|group| group.into_iter().filter(keep).collect::<Vec<_>>())
        .filter(|group| !group.is_empty())
        .collect()
}

/// Repetitions for a row: about the same work per row, at least 3.
fn reps_for(units: usize, quick: bool) -> usize {
    let budget = if quick { 1_000_000 } else { 4_000_000 };
    (budget / units).clamp(3, if quick { 11 } else { 31 }) | 1
}

/// Measures and prints the scaling table for the selected rows.
pub(crate) fn run(filters: &[String], quick: bool) {
    let groups = selected(filters, quick);
    if groups.is_empty() {
        return;
    }
    println!();
    println!(
        "{:<12} | {:>10} | {:>14} | {:>13} | {:>8} | growth vs smallest (target <= 1.3)",
        "scaling", "units/rep", "detsim ns/unit", "tokio ns/unit", "reps"
    );
    println!("{}", "-".repeat(100));
    for group in groups {
        let mut first: Option<(f64, Option<f64>)> = None;
        for row in group {
            let reps = reps_for(row.units, quick);
            let (detsim, tokio) = measure(&row, reps);
            let (d0, t0) = *first.get_or_insert((detsim, tokio));
            let growth = detsim / d0;
            let tokio_text = tokio.map_or_else(|| "-".to_string(), |t| format!("{t:.1}"));
            let tokio_growth = match (tokio, t0) {
                (Some(t), Some(t0)) => format!(" (tokio {:.2}x)", t / t0),
                _ => String::new(),
            };
            println!(
                "{:<12} | {:>10} | {:>14.1} | {:>13} | {:>8} | {:.2}x {}{}",
                row.name,
                row.units,
                detsim,
                tokio_text,
                reps,
                growth,
                match (row.control, growth <= 1.3) {
                    (true, _) => "(control: the bench's own reads, no timers)",
                    (false, true) => "pass",
                    (false, false) => "MISS",
                },
                tokio_growth,
            );
        }
    }
}

/// Median CPU ns per unit of each side, repetitions interleaved.
fn measure(row: &ScaleRow, reps: usize) -> (f64, Option<f64>) {
    let per_unit = |d: Duration| d.as_nanos() as f64 / row.units as f64;
    let mut detsim = Vec::with_capacity(reps);
    let mut tokio = Vec::with_capacity(reps);
    for rep in 0..reps {
        let detsim_first = rep % 2 == 0;
        if detsim_first {
            detsim.push(per_unit((row.detsim)(row.units, 1)));
        }
        if let Some(t) = row.tokio {
            tokio.push(per_unit(t(row.units, 1)));
        }
        if !detsim_first {
            detsim.push(per_unit((row.detsim)(row.units, 1)));
        }
    }
    let tokio = (!tokio.is_empty()).then(|| median(&mut tokio));
    (median(&mut detsim), tokio)
}

/// Set while profiling: the CPU clock is not read (rustix reads it
/// through the vDSO, which valgrind does not support).
static PROFILING: AtomicBool = AtomicBool::new(false);

/// `DETSIM_BENCH_PROFILE`: runs the selected rows on one side only,
/// `DETSIM_BENCH_PROFILE_REPS` rounds each (default 1) on one runtime, for
/// callgrind or perf; no timing.
pub(crate) fn profile(filters: &[String], side: &str, quick: bool) {
    PROFILING.store(true, Ordering::Relaxed);
    let reps = std::env::var("DETSIM_BENCH_PROFILE_REPS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(1);
    for row in selected(filters, quick).into_iter().flatten() {
        let run = match side {
            "tokio" => match row.tokio {
                Some(t) => t,
                None => continue,
            },
            _ => row.detsim,
        };
        run(row.units, reps);
        println!("{side} {:<30} {reps} rounds on one runtime", row.name);
    }
}

/// The process's CPU time so far.
fn cpu_time() -> Duration {
    if PROFILING.load(Ordering::Relaxed) {
        return Duration::ZERO;
    }
    crate::seeds::process_cpu_time()
}

// --- n timers in one task -----------------------------------------------------

/// Deadlines `1..=n` milliseconds ahead, in a scrambled order
/// (rank `i * A mod n` for sleep `i`, `A` coprime with `n`), and the
/// sleeps in deadline order: no sort, so building the plan costs the same
/// per timer at every size.
fn timer_plan(n: usize) -> (Vec<u64>, Vec<u32>) {
    const A: u64 = 0x9e37_79b1; // odd and not a multiple of 5
    let n64 = n as u64;
    let mut deadlines = vec![0; n];
    let mut order = vec![0; n];
    for i in 0..n64 {
        let rank = i * A % n64;
        deadlines[i as usize] = 1 + rank;
        order[rank as usize] = i as u32;
    }
    (deadlines, order)
}

fn detsim_timers(n: usize, rounds: usize) -> Duration {
    let (deadlines, order) = timer_plan(n);
    detsim_rt().block_on(async move {
        let mut sleeps: Vec<detsim::time::Sleep> = Vec::with_capacity(n);
        let mut start = cpu_time();
        // Round 0 warms the storage up, untimed.
        for round in 0..=rounds {
            if round == 1 {
                start = cpu_time();
            }
            let base = detsim::time::Instant::now();
            sleeps.extend(
                deadlines
                    .iter()
                    .map(|&ms| detsim::time::sleep_until(base + Duration::from_millis(ms))),
            );
            poll_fn(|cx| {
                for s in &mut sleeps {
                    assert!(Pin::new(s).poll(cx).is_pending());
                }
                Poll::Ready(())
            })
            .await;
            for &i in &order {
                (&mut sleeps[i as usize]).await;
            }
            sleeps.clear();
        }
        cpu_time().saturating_sub(start)
    })
}

fn tokio_timers(n: usize, rounds: usize) -> Duration {
    let (deadlines, order) = timer_plan(n);
    tokio_rt_paused().block_on(async move {
        let mut sleeps: Vec<Pin<Box<tokio::time::Sleep>>> = Vec::with_capacity(n);
        let mut start = cpu_time();
        // Round 0 warms the storage up, untimed.
        for round in 0..=rounds {
            if round == 1 {
                start = cpu_time();
            }
            let base = tokio::time::Instant::now();
            sleeps.extend(
                deadlines.iter().map(|&ms| {
                    Box::pin(tokio::time::sleep_until(base + Duration::from_millis(ms)))
                }),
            );
            poll_fn(|cx| {
                for s in &mut sleeps {
                    assert!(s.as_mut().poll(cx).is_pending());
                }
                Poll::Ready(())
            })
            .await;
            for &i in &order {
                sleeps[i as usize].as_mut().await;
            }
            sleeps.clear();
        }
        cpu_time().saturating_sub(start)
    })
}

/// A slot of the control rows: as large as a detsim `Sleep`, so the
/// vector spans as many cache lines as the timer rows' vector does.
#[derive(Clone, Copy)]
struct FloorSlot {
    deadline_ms: u64,
    done: bool,
    _rest: [u8; size_of::<detsim::time::Sleep>() - 16],
}

/// The timer rows' work minus the timers: build the vector from the plan,
/// touch every slot in creation order (where the timer rows poll each
/// sleep once), then read them in deadline order (where they await each).
fn floor_timers(n: usize, rounds: usize) -> Duration {
    let (deadlines, order) = timer_plan(n);
    let mut slots: Vec<FloorSlot> = Vec::with_capacity(n);
    let mut start = cpu_time();
    // Round 0 warms the storage up, untimed, as in the timer rows.
    for round in 0..=rounds {
        if round == 1 {
            start = cpu_time();
        }
        slots.extend(deadlines.iter().map(|&deadline_ms| FloorSlot {
            deadline_ms,
            done: false,
            _rest: [0; size_of::<detsim::time::Sleep>() - 16],
        }));
        for slot in &mut slots {
            std::hint::black_box(slot);
        }
        let mut sum = 0;
        for &i in &order {
            let slot = &mut slots[i as usize];
            slot.done = true;
            sum += slot.deadline_ms;
        }
        std::hint::black_box(sum);
        slots.clear();
    }
    cpu_time().saturating_sub(start)
}

// --- 1-byte echo from h hosts at once ------------------------------------------

/// `round_trips` per round in all, spread evenly over `hosts` client
/// hosts, which run their rounds' round trips back to back.
fn detsim_hosts_echo(hosts: usize, round_trips: usize, rounds: usize) -> Duration {
    crate::net::detsim_echo_from_hosts(hosts, round_trips / hosts * rounds, cpu_time)
}
