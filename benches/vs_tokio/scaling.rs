//! Task scaling (issue 14): the cost per task of spawning `n` tasks that
//! are all runnable at once and joining them, at 1k, 10k, 100k and 1M
//! tasks, on detsim's default seeded scheduling, on its FIFO scheduling
//! and on tokio.
//!
//! What grows with `n` is what the scheduler's pick touches: a uniform
//! pick over every runnable task visits task memory in random order, which
//! stops fitting in the caches long before 1M tasks. The rows are printed
//! after the table, with the cost per task at each size against the
//! smallest (target: at most 1.3x at 1M).
//!
//! Each size runs `reps` interleaved repetitions of the three sides (the
//! order rotates every repetition) and reports the median, timed by the
//! process's CPU time from inside the `block_on` future, so building and
//! dropping a runtime is left out and a shared machine adds no time.

use std::hint::black_box;
use std::time::Duration;

use crate::harness::{SEED, median, tokio_rt};

/// The sizes of the table.
pub(crate) const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 1_000_000];

/// One size's medians, in nanoseconds of CPU time per task.
pub(crate) struct ScalingRow {
    pub(crate) tasks: usize,
    pub(crate) random_ns: f64,
    pub(crate) fifo_ns: f64,
    pub(crate) tokio_ns: f64,
}

/// The process's CPU time so far.
fn cpu_now() -> Duration {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Spawns `n` tasks (all runnable before any runs), then joins them in
/// spawn order; the CPU time that took.
async fn detsim_spawn_join(n: usize) -> Duration {
    let start = cpu_now();
    let handles: Vec<_> = (0..n).map(|i| detsim::spawn(async move { i })).collect();
    let mut sum = 0;
    for h in handles {
        sum += h.await.unwrap();
    }
    black_box(sum);
    cpu_now().saturating_sub(start)
}

fn detsim_side(n: usize, scheduling: detsim::Scheduling) -> Duration {
    let mut config = detsim::Config::default();
    config.long_poll_budget = Duration::ZERO;
    config.faults = detsim::Faults::none();
    config.scheduling = scheduling;
    detsim::Runtime::with_config(SEED, config).block_on(detsim_spawn_join(n))
}

fn tokio_side(n: usize) -> Duration {
    tokio_rt().block_on(async move {
        let start = cpu_now();
        let handles: Vec<_> = (0..n).map(|i| tokio::spawn(async move { i })).collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        black_box(sum);
        cpu_now().saturating_sub(start)
    })
}

/// Repetitions at size `n`: about `budget` tasks in all, at least 3.
fn reps_for(n: usize, budget: usize) -> usize {
    (budget / n).clamp(3, 201) | 1
}

/// Measures every size; `quick` takes fewer tasks per size.
pub(crate) fn measure_scaling(quick: bool) -> Vec<ScalingRow> {
    let budget = if quick { 1_000_000 } else { 4_000_000 };
    SIZES
        .iter()
        .map(|&n| {
            let reps = reps_for(n, budget);
            let sides: [&dyn Fn() -> Duration; 3] = [
                &|| detsim_side(n, detsim::Scheduling::Random),
                &|| detsim_side(n, detsim::Scheduling::Fifo),
                &|| tokio_side(n),
            ];
            // A warm-up of each side, untimed.
            for side in &sides {
                black_box(side());
            }
            let mut per_side: [Vec<f64>; 3] = Default::default();
            for rep in 0..reps {
                for k in 0..3 {
                    let i = (rep + k) % 3;
                    per_side[i].push(sides[i]().as_nanos() as f64 / n as f64);
                }
            }
            let [random, fifo, tokio] = &mut per_side;
            ScalingRow {
                tasks: n,
                random_ns: median(random),
                fifo_ns: median(fifo),
                tokio_ns: median(tokio),
            }
        })
        .collect()
}

/// Prints the scaling table after the main one.
pub(crate) fn print_scaling(rows: &[ScalingRow]) {
    let Some(first) = rows.first() else {
        return;
    };
    println!();
    println!(
        "{:<16} | {:>14} | {:>12} | {:>12} | {:>9} | vs smallest (random, fifo, tokio)",
        "tasks_scaling", "detsim random", "detsim fifo", "tokio", "ratio"
    );
    println!("{}", "-".repeat(110));
    for r in rows {
        println!(
            "{:<16} | {:>11.1} ns | {:>9.1} ns | {:>9.1} ns | {:>9.3} | {:.2}x, {:.2}x, {:.2}x",
            format!("tasks_{}", label(r.tasks)),
            r.random_ns,
            r.fifo_ns,
            r.tokio_ns,
            r.random_ns / r.tokio_ns,
            r.random_ns / first.random_ns,
            r.fifo_ns / first.fifo_ns,
            r.tokio_ns / first.tokio_ns,
        );
    }
    if let Some(last) = rows.last() {
        let growth = last.random_ns / first.random_ns;
        println!(
            "tasks_scaling: cost per task at {} is {growth:.2}x the cost at {} (target <= 1.3) {} \
             (spawn all, then join in order; CPU time per task, median of interleaved \
             repetitions; ratio = detsim random / tokio)",
            label(last.tasks),
            label(first.tasks),
            if growth <= 1.3 { "pass" } else { "MISS" }
        );
    }
}

fn label(n: usize) -> String {
    match n {
        n if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n >= 1_000 && n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// The rows as JSON extras: detsim's ns per task at each size.
pub(crate) fn scaling_extras(rows: &[ScalingRow]) -> Vec<(String, f64)> {
    rows.iter()
        .flat_map(|r| {
            [
                (
                    format!("tasks_scaling_{}_random", label(r.tasks)),
                    r.random_ns,
                ),
                (format!("tasks_scaling_{}_fifo", label(r.tasks)), r.fifo_ns),
            ]
        })
        .collect()
}
