//! The harness: what a workload is, the runtimes every workload builds,
//! the interleaved timing of both sides, and the table, absolute targets,
//! JSON and profiling output built from the measurements.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

/// One benchmark: the same work on both runtimes.
pub(crate) struct Workload {
    /// Table row and JSON key.
    pub(crate) name: &'static str,
    /// The ratio (detsim / tokio) to stay at or under.
    pub(crate) target: f64,
    /// Operations per repetition in the full run; `ns/op` divides by this.
    pub(crate) ops: usize,
    /// Operations per repetition under `DETSIM_BENCH_QUICK=1`.
    pub(crate) quick_ops: usize,
    /// Runs `ops` operations on a fresh detsim runtime; returns the host
    /// time the operations took.
    pub(crate) detsim: fn(usize) -> Duration,
    /// The same on a fresh tokio `current_thread` runtime.
    pub(crate) tokio: fn(usize) -> Duration,
}

/// The seed of every detsim runtime here: one fixed schedule, so repeated
/// runs measure the same interleaving.
pub(crate) const SEED: u64 = 0x2a;

/// A simulated runtime without legal behaviour: tokio on loopback rarely
/// reads short or wakes spuriously, so the two do the same work (and the
/// figures stay comparable with those measured before legal behaviour was
/// on by default).
pub(crate) fn detsim_rt() -> detsim::Runtime {
    let mut config = detsim::Config::default();
    config.long_poll_budget = Duration::ZERO;
    config.faults = detsim::Faults::none();
    detsim::Runtime::with_config(SEED, config)
}

pub(crate) fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("build tokio runtime")
}

/// A tokio runtime whose clock only moves when every task waits on a timer,
/// like detsim's virtual clock.
pub(crate) fn tokio_rt_paused() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("build paused tokio runtime")
}

/// Resident memory from /proc (Linux); 0 elsewhere.
pub(crate) fn vm_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

pub(crate) struct Row {
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

pub(crate) fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

pub(crate) fn ns_per_op(d: Duration, ops: usize) -> f64 {
    d.as_nanos() as f64 / ops as f64
}

/// Warms both sides up once, then runs `reps` interleaved repetitions.
pub(crate) fn measure(w: &Workload, ops: usize, reps: usize) -> Row {
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

pub(crate) fn print_table(rows: &[Row], reps: usize) {
    if rows.is_empty() {
        return;
    }
    println!();
    println!(
        "{:<30} | {:>12} | {:>11} | {:>6} | {:<11} | per-rep ratio min..max",
        "workload", "detsim ns/op", "tokio ns/op", "ratio", "target"
    );
    println!("{}", "-".repeat(104));
    for r in rows {
        let verdict = if r.passes() { "pass" } else { "MISS" };
        println!(
            "{:<30} | {:>12.1} | {:>11.1} | {:>6.3} | <={:<4.2} {:<4} | {:.3}..{:.3}",
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

/// Targets in absolute terms: µs per round trip (issue 3's 0.3 µs for
/// the duplex pipe, issue 14's 0.25 µs for simulated TCP), and the
/// 64-host echo against the one-connection echo.
pub(crate) fn print_absolute_targets(rows: &[Row]) {
    let ns = |name: &str| rows.iter().find(|r| r.name == name).map(|r| r.detsim_ns);
    let verdict = |ok: bool| if ok { "pass" } else { "MISS" };
    for (name, target_ns) in [
        ("duplex_ping_pong_1byte", 300.0),
        ("tcp_echo_1byte_1_conn", 250.0),
    ] {
        if let Some(ns) = ns(name) {
            println!(
                "{name}: {:.3} µs per round trip (target <= {:.2}) {}",
                ns / 1000.0,
                target_ns / 1000.0,
                verdict(ns <= target_ns)
            );
        }
    }
    if let (Some(one), Some(many)) = (ns("tcp_echo_1byte_1_conn"), ns("tcp_echo_1byte_64_hosts")) {
        println!(
            "tcp_echo_1byte_64_hosts: {:.2}x the one-connection cost per round trip \
             (target <= 2) {}",
            many / one,
            verdict(many / one <= 2.0)
        );
    }
    if let Some(ns) = ns("block_dev_submit_complete") {
        println!(
            "block_dev_submit_complete: {ns:.0} ns per submit->complete (tokio column: a spawn_blocking round trip)"
        );
    }
    if let Some(r) = rows
        .iter()
        .find(|r| r.name == "fs_write_4k_sim_vs_real_disk")
    {
        println!(
            "fs_write_4k_sim_vs_real_disk: {:.0} ns per simulated 4 KiB write+complete \
             (tokio column: a real 4 KiB tokio::fs write to the host page cache, {:.0} ns: \
             disk vs simulation, not the same work)",
            r.detsim_ns, r.tokio_ns
        );
    }
    for name in ["os_tcp_echo_1byte_1_conn", "os_tcp_echo_1byte_64_conns"] {
        if let Some(r) = rows.iter().find(|r| r.name == name) {
            println!(
                "{name}: {:.2} µs per round trip on detsim's OS backend, {:.2} µs on tokio",
                r.detsim_ns / 1000.0,
                r.tokio_ns / 1000.0
            );
        }
    }
}

/// `{"workload": {"detsim_ns": .., "tokio_ns": .., "ratio": ..}, ...}`;
/// `extras` (detsim-only measurements, ns per operation) get `null` for
/// `tokio_ns` and `ratio`.
pub(crate) fn to_json(rows: &[Row], extras: &[(&str, f64)]) -> String {
    let mut entries: Vec<String> = rows
        .iter()
        .map(|r| {
            // Names are plain identifiers: nothing to escape.
            format!(
                "  \"{}\": {{\"detsim_ns\": {:.3}, \"tokio_ns\": {:.3}, \"ratio\": {:.5}}}",
                r.name,
                r.detsim_ns,
                r.tokio_ns,
                r.ratio()
            )
        })
        .collect();
    entries.extend(extras.iter().map(|(name, ns)| {
        format!("  \"{name}\": {{\"detsim_ns\": {ns:.3}, \"tokio_ns\": null, \"ratio\": null}}")
    }));
    let mut out = String::from("{\n");
    for (i, e) in entries.iter().enumerate() {
        let sep = if i + 1 == entries.len() { "" } else { "," };
        writeln!(out, "{e}{sep}").expect("write to String");
    }
    out.push_str("}\n");
    out
}

/// Runs one side only, long enough for a sampling profiler to see it; no
/// table. `side` is `detsim` or `tokio`; `DETSIM_BENCH_PROFILE_REPS`
/// overrides the repetition count (a few are enough under strace).
///
/// The seed-rate workloads run on the detsim side only: `reps` sweeps of
/// [`seeds_per_rep`](crate::seeds::seeds_per_rep) seeds, timed by the wall
/// clock (the CPU clock is not read, so this also runs under valgrind).
pub(crate) fn profile(
    selected: &[Workload],
    seeds: &[crate::seeds::SeedWorkload],
    side: &str,
    quick: bool,
) {
    let reps = std::env::var("DETSIM_BENCH_PROFILE_REPS")
        .ok()
        .map(|v| {
            v.parse::<usize>()
                .unwrap_or_else(|_| panic!("DETSIM_BENCH_PROFILE_REPS={v}: expected a count"))
        })
        .unwrap_or(if quick { 200 } else { 1_000 });
    for w in selected {
        let run = match side {
            "detsim" => w.detsim,
            "tokio" => w.tokio,
            other => panic!("DETSIM_BENCH_PROFILE={other}: expected `detsim` or `tokio`"),
        };
        let ops = if quick { w.quick_ops } else { w.ops };
        let total: Duration = (0..reps).map(|_| run(ops)).sum();
        println!(
            "{side} {:<30} {:>8.1} ns/op over {reps} repetitions",
            w.name,
            ns_per_op(total, ops * reps)
        );
    }
    if side != "detsim" {
        return;
    }
    let per_rep = crate::seeds::seeds_per_rep(quick);
    for w in seeds {
        let start = std::time::Instant::now();
        for rep in 0..reps as u64 {
            crate::seeds::sweep((w.faults)(), rep * per_rep, per_rep);
        }
        let seeds = per_rep * reps as u64;
        println!(
            "{side} {:<30} {:>8.1} µs/seed over {seeds} seeds (wall time)",
            w.name,
            start.elapsed().as_secs_f64() * 1e6 / seeds as f64
        );
    }
}

pub(crate) fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Whether a detsim-only measurement printed after the table runs: no
/// filter, or a filter that is part of its name.
pub(crate) fn extra_selected(filters: &[String], name: &str) -> bool {
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}
