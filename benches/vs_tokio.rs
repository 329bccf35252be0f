//! detsim's simulated executor against tokio's `current_thread` runtime.
//!
//! Each workload runs the same async code on both runtimes in this process,
//! interleaved (detsim, tokio, tokio, detsim, ...: the order flips every
//! repetition so neither side always runs on a warm or a cold cache), and
//! the table shows the median of the repetitions:
//!
//! ```text
//! cargo bench --bench vs_tokio                     # full run
//! DETSIM_BENCH_QUICK=1 cargo bench --bench vs_tokio  # under a minute
//! DETSIM_BENCH_JSON=out.json cargo bench --bench vs_tokio
//! cargo bench --bench vs_tokio -- sleep            # only workloads whose name contains "sleep"
//! DETSIM_BENCH_PROFILE=detsim cargo bench --bench vs_tokio -- ping  # one side only, for perf
//! ```
//!
//! `ratio` is detsim time / tokio time; each workload has a target ratio
//! (issue 2) and the table marks it pass or miss.
//!
//! Only the workload itself is timed, from inside the `block_on` future:
//! building and dropping a runtime is left out on both sides. detsim runs
//! with its default (seeded random) scheduling and the long-poll watchdog
//! off, as a test sweep that disables it would. tokio's timer workloads use
//! a paused clock, so both sides jump virtual time instead of sleeping.
//!
//! To add a workload: write a detsim and a tokio function with the same
//! body (`fn(ops) -> Duration`, timing only the work) and append a
//! [`Workload`] to [`workloads`].

use std::fmt::Write as _;
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant as HostInstant};

use futures::task::AtomicWaker;

/// One benchmark: the same work on both runtimes.
struct Workload {
    /// Table row and JSON key.
    name: &'static str,
    /// The ratio (detsim / tokio) to stay at or under.
    target: f64,
    /// Operations per repetition in the full run; `ns/op` divides by this.
    ops: usize,
    /// Operations per repetition under `DETSIM_BENCH_QUICK=1`.
    quick_ops: usize,
    /// Runs `ops` operations on a fresh detsim runtime; returns the host
    /// time the operations took.
    detsim: fn(usize) -> Duration,
    /// The same on a fresh tokio `current_thread` runtime.
    tokio: fn(usize) -> Duration,
}

fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "spawn_join_batch_10k",
            target: 0.5,
            ops: 10_000,
            quick_ops: 10_000,
            detsim: detsim_spawn_join_batch,
            tokio: tokio_spawn_join_batch,
        },
        Workload {
            name: "spawn_await_one_at_a_time",
            target: 0.3,
            ops: 10_000,
            quick_ops: 10_000,
            detsim: detsim_spawn_await_serial,
            tokio: tokio_spawn_await_serial,
        },
        Workload {
            name: "yield_now_100_tasks",
            target: 1.0,
            ops: 100 * 500,
            quick_ops: 100 * 100,
            detsim: detsim_yield_many,
            tokio: tokio_yield_many,
        },
        Workload {
            name: "ping_pong_wake",
            target: 0.5,
            ops: 100_000,
            quick_ops: 20_000,
            detsim: detsim_ping_pong,
            tokio: tokio_ping_pong,
        },
        Workload {
            name: "sleep_chain_10k",
            target: 0.15,
            ops: 10_000,
            quick_ops: 10_000,
            detsim: detsim_sleep_chain,
            tokio: tokio_sleep_chain,
        },
        Workload {
            name: "random_sleepers_1k",
            target: 0.6,
            ops: SLEEPERS * 10,
            quick_ops: SLEEPERS * 2,
            detsim: detsim_random_sleepers,
            tokio: tokio_random_sleepers,
        },
    ]
}

/// The seed of every detsim runtime here: one fixed schedule, so repeated
/// runs measure the same interleaving.
const SEED: u64 = 0x2a;

fn detsim_rt() -> detsim::Runtime {
    let mut config = detsim::Config::default();
    config.long_poll_budget = Duration::ZERO;
    detsim::Runtime::with_config(SEED, config)
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("build tokio runtime")
}

/// A tokio runtime whose clock only moves when every task waits on a timer,
/// like detsim's virtual clock.
fn tokio_rt_paused() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("build paused tokio runtime")
}

// --- spawn 10k tasks, then join them all -----------------------------------

fn detsim_spawn_join_batch(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        let handles: Vec<_> = (0..n).map(|i| detsim::spawn(async move { i })).collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

fn tokio_spawn_join_batch(n: usize) -> Duration {
    tokio_rt().block_on(async move {
        let start = HostInstant::now();
        let handles: Vec<_> = (0..n).map(|i| tokio::spawn(async move { i })).collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

// --- spawn one task and await it, n times -----------------------------------

fn detsim_spawn_await_serial(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        let mut sum = 0;
        for i in 0..n {
            sum += detsim::spawn(async move { i }).await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

fn tokio_spawn_await_serial(n: usize) -> Duration {
    tokio_rt().block_on(async move {
        let start = HostInstant::now();
        let mut sum = 0;
        for i in 0..n {
            sum += tokio::spawn(async move { i }).await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

// --- 100 tasks yielding; n is the total number of yields --------------------

const YIELDERS: usize = 100;

fn detsim_yield_many(n: usize) -> Duration {
    let per_task = n / YIELDERS;
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        let handles: Vec<_> = (0..YIELDERS)
            .map(|_| {
                detsim::spawn(async move {
                    for _ in 0..per_task {
                        detsim::task::yield_now().await;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        start.elapsed()
    })
}

fn tokio_yield_many(n: usize) -> Duration {
    let per_task = n / YIELDERS;
    tokio_rt().block_on(async move {
        let start = HostInstant::now();
        let handles: Vec<_> = (0..YIELDERS)
            .map(|_| {
                tokio::spawn(async move {
                    for _ in 0..per_task {
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        start.elapsed()
    })
}

// --- two tasks handing a token back and forth; n is the number of hand-offs --
//
// The mechanism is runtime-free (an atomic counter and one `AtomicWaker` per
// player), so both sides run identical futures and only the executors' wake
// and poll paths differ. It is `Send`, so tokio uses plain `tokio::spawn`
// rather than paying for a `LocalSet`.

struct Court {
    /// How many hits so far; player `hits % 2` is to play.
    hits: AtomicUsize,
    wakers: [AtomicWaker; 2],
}

impl Court {
    fn new() -> Arc<Court> {
        Arc::new(Court {
            hits: AtomicUsize::new(0),
            wakers: [AtomicWaker::new(), AtomicWaker::new()],
        })
    }
}

/// Resolves when the court has seen exactly `hit` hits: `me`'s turn.
struct MyTurn<'a> {
    court: &'a Court,
    me: usize,
    hit: usize,
}

impl Future for MyTurn<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.court.hits.load(Ordering::Acquire) == self.hit {
            return Poll::Ready(());
        }
        self.court.wakers[self.me].register(cx.waker());
        // Checked again after registering: a hit in between would otherwise
        // be a lost wakeup.
        if self.court.hits.load(Ordering::Acquire) == self.hit {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

/// Player `me` makes every hit `h < n` with `h % 2 == me`.
async fn player(court: Arc<Court>, me: usize, n: usize) {
    for hit in (me..n).step_by(2) {
        MyTurn {
            court: &court,
            me,
            hit,
        }
        .await;
        court.hits.store(hit + 1, Ordering::Release);
        court.wakers[1 - me].wake();
    }
}

fn detsim_ping_pong(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let court = Court::new();
        let start = HostInstant::now();
        let a = detsim::spawn(player(court.clone(), 0, n));
        let b = detsim::spawn(player(court.clone(), 1, n));
        a.await.unwrap();
        b.await.unwrap();
        assert_eq!(court.hits.load(Ordering::Relaxed), n);
        start.elapsed()
    })
}

fn tokio_ping_pong(n: usize) -> Duration {
    tokio_rt().block_on(async move {
        let court = Court::new();
        let start = HostInstant::now();
        let a = tokio::spawn(player(court.clone(), 0, n));
        let b = tokio::spawn(player(court.clone(), 1, n));
        a.await.unwrap();
        b.await.unwrap();
        assert_eq!(court.hits.load(Ordering::Relaxed), n);
        start.elapsed()
    })
}

// --- one task sleeping 1 ms, n times in a row -------------------------------

const CHAIN_STEP: Duration = Duration::from_millis(1);

fn detsim_sleep_chain(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        for _ in 0..n {
            detsim::time::sleep(CHAIN_STEP).await;
        }
        start.elapsed()
    })
}

fn tokio_sleep_chain(n: usize) -> Duration {
    tokio_rt_paused().block_on(async move {
        let start = HostInstant::now();
        for _ in 0..n {
            tokio::time::sleep(CHAIN_STEP).await;
        }
        start.elapsed()
    })
}

// --- 1,000 tasks sleeping until random deadlines ----------------------------
//
// n is the total number of sleepers: n / SLEEPERS rounds of SLEEPERS tasks,
// one round after another on the same runtime. Deadlines are whole
// milliseconds (tokio's timer resolution) from a fixed-seed generator, the
// same list on both sides.

const SLEEPERS: usize = 1_000;
const SLEEP_MAX_MS: u64 = 10_000;

/// splitmix64: deterministic, and independent of both runtimes' RNGs.
fn deadlines_ms() -> Vec<u64> {
    let mut state: u64 = 0x5eed_0fde_751a;
    (0..SLEEPERS)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            1 + z % SLEEP_MAX_MS
        })
        .collect()
}

fn detsim_random_sleepers(n: usize) -> Duration {
    let deadlines = deadlines_ms();
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        for _ in 0..n / SLEEPERS {
            let base = detsim::time::Instant::now();
            let handles: Vec<_> = deadlines
                .iter()
                .map(|&ms| {
                    let at = base + Duration::from_millis(ms);
                    detsim::spawn(detsim::time::sleep_until(at))
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        }
        start.elapsed()
    })
}

fn tokio_random_sleepers(n: usize) -> Duration {
    let deadlines = deadlines_ms();
    tokio_rt_paused().block_on(async move {
        let start = HostInstant::now();
        for _ in 0..n / SLEEPERS {
            let base = tokio::time::Instant::now();
            let handles: Vec<_> = deadlines
                .iter()
                .map(|&ms| {
                    let at = base + Duration::from_millis(ms);
                    tokio::spawn(tokio::time::sleep_until(at))
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        }
        start.elapsed()
    })
}

// --- the harness --------------------------------------------------------------

struct Row {
    name: &'static str,
    target: f64,
    detsim_ns: f64,
    tokio_ns: f64,
    /// (min, max) of the per-repetition detsim/tokio ratios: the noise.
    ratio_spread: (f64, f64),
}

impl Row {
    fn ratio(&self) -> f64 {
        self.detsim_ns / self.tokio_ns
    }

    fn passes(&self) -> bool {
        self.ratio() <= self.target
    }
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

fn ns_per_op(d: Duration, ops: usize) -> f64 {
    d.as_nanos() as f64 / ops as f64
}

/// Warms both sides up once, then runs `reps` interleaved repetitions.
fn measure(w: &Workload, ops: usize, reps: usize) -> Row {
    black_box((w.detsim)(ops));
    black_box((w.tokio)(ops));
    let mut detsim = Vec::with_capacity(reps);
    let mut tokio = Vec::with_capacity(reps);
    for rep in 0..reps {
        if rep % 2 == 0 {
            detsim.push(ns_per_op((w.detsim)(ops), ops));
            tokio.push(ns_per_op((w.tokio)(ops), ops));
        } else {
            tokio.push(ns_per_op((w.tokio)(ops), ops));
            detsim.push(ns_per_op((w.detsim)(ops), ops));
        }
    }
    let ratios: Vec<f64> = detsim.iter().zip(&tokio).map(|(d, t)| d / t).collect();
    let spread = ratios
        .iter()
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), &r| {
            (lo.min(r), hi.max(r))
        });
    Row {
        name: w.name,
        target: w.target,
        detsim_ns: median(&mut detsim),
        tokio_ns: median(&mut tokio),
        ratio_spread: spread,
    }
}

fn print_table(rows: &[Row], reps: usize) {
    println!();
    println!(
        "{:<26} | {:>12} | {:>11} | {:>6} | {:<11} | per-rep ratio min..max",
        "workload", "detsim ns/op", "tokio ns/op", "ratio", "target"
    );
    println!("{}", "-".repeat(100));
    for r in rows {
        let verdict = if r.passes() { "pass" } else { "MISS" };
        println!(
            "{:<26} | {:>12.1} | {:>11.1} | {:>6.3} | <={:<4.2} {:<4} | {:.3}..{:.3}",
            r.name,
            r.detsim_ns,
            r.tokio_ns,
            r.ratio(),
            r.target,
            verdict,
            r.ratio_spread.0,
            r.ratio_spread.1,
        );
    }
    let passed = rows.iter().filter(|r| r.passes()).count();
    println!(
        "\n{passed}/{} targets met (median of {reps} interleaved repetitions; ratio = detsim / tokio)",
        rows.len()
    );
}

/// `{"workload": {"detsim_ns": .., "tokio_ns": .., "ratio": ..}, ...}`.
fn to_json(rows: &[Row]) -> String {
    let mut out = String::from("{\n");
    for (i, r) in rows.iter().enumerate() {
        let sep = if i + 1 == rows.len() { "" } else { "," };
        // Names are plain identifiers: nothing to escape.
        writeln!(
            out,
            "  \"{}\": {{\"detsim_ns\": {:.3}, \"tokio_ns\": {:.3}, \"ratio\": {:.5}}}{sep}",
            r.name,
            r.detsim_ns,
            r.tokio_ns,
            r.ratio()
        )
        .expect("write to String");
    }
    out.push_str("}\n");
    out
}

/// Runs one side only, long enough for a sampling profiler to see it; no
/// table. `side` is `detsim` or `tokio`.
fn profile(selected: &[Workload], side: &str, quick: bool) {
    let reps = if quick { 200 } else { 1_000 };
    for w in selected {
        let run = match side {
            "detsim" => w.detsim,
            "tokio" => w.tokio,
            other => panic!("DETSIM_BENCH_PROFILE={other}: expected `detsim` or `tokio`"),
        };
        let ops = if quick { w.quick_ops } else { w.ops };
        let total: Duration = (0..reps).map(|_| run(ops)).sum();
        println!(
            "{side} {:<26} {:>8.1} ns/op over {reps} repetitions",
            w.name,
            ns_per_op(total, ops * reps)
        );
    }
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

fn main() {
    let quick = env_flag("DETSIM_BENCH_QUICK");
    let reps = if quick { 21 } else { 101 };
    // `cargo bench` passes `--bench`; any other argument filters by name.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let selected: Vec<Workload> = workloads()
        .into_iter()
        .filter(|w| filters.is_empty() || filters.iter().any(|f| w.name.contains(f.as_str())))
        .collect();
    println!(
        "detsim vs tokio current_thread: {} workloads, {reps} repetitions{}",
        selected.len(),
        if quick { " (quick)" } else { "" }
    );
    let started = HostInstant::now();
    if let Ok(side) = std::env::var("DETSIM_BENCH_PROFILE") {
        profile(&selected, &side, quick);
        return;
    }
    let rows: Vec<Row> = selected
        .iter()
        .map(|w| {
            let ops = if quick { w.quick_ops } else { w.ops };
            let row = measure(w, ops, reps);
            eprintln!(
                "  {:<26} done ({ops} ops/rep, {:.1?} elapsed)",
                w.name,
                started.elapsed()
            );
            row
        })
        .collect();
    print_table(&rows, reps);
    if let Some(path) = std::env::var_os("DETSIM_BENCH_JSON") {
        std::fs::write(&path, to_json(&rows))
            .unwrap_or_else(|e| panic!("DETSIM_BENCH_JSON={}: {e}", path.to_string_lossy()));
        println!("wrote {}", path.to_string_lossy());
    }
}
