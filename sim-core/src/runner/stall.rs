//! The stall monitor: a task that blocks its thread forever gets a report
//! instead of hanging the test silently.
//!
//! A task that never returns from a poll (`futures::executor::block_on`
//! inside a task, a blocking read, an endless loop) leaves nothing on its
//! thread able to report it. So each thread that runs seeds publishes its
//! progress in a [`Heartbeat`] (relaxed stores before every poll; see
//! `runtime/heartbeat.rs`), and one monitor thread per process, started by
//! the first sweep, looks at every heartbeat ten times a second. When a
//! run's poll count has not moved for the stall limit (`Config::stall_limit`,
//! default 60 s, `DETSIM_STALL_LIMIT` overrides, 0 turns it off), it
//! prints the task in that poll, its spawn site, the seed and the replay
//! line, and ends the process with exit code 101: a test harness cannot
//! stop a thread that never yields, and hanging helps nobody.
//!
//! The monitor reads host time, but only to decide whether a thread is
//! stuck, never anything a run does. Each look adds at most two ticks to a
//! thread's stuck time, so a process stopped as a whole (a debugger's
//! breakpoint, SIGSTOP) is not mistaken for a blocked task; a long
//! debugging session may still want `DETSIM_STALL_LIMIT=0`. One thread per process (not per
//! sweep): a test suite runs thousands of sweeps, and an idle monitor costs
//! nothing but ten wake-ups a second.

use std::cell::Cell;
use std::io::Write as _;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use crate::runner::replay_line::Origin;
use crate::runtime::{Beat, Heartbeat};

/// How often the monitor looks.
const TICK: Duration = Duration::from_millis(100);

/// The variable that overrides [`Config::stall_limit`](crate::Config).
const LIMIT_VAR: &str = "DETSIM_STALL_LIMIT";

/// Exit code of a process ended by the monitor (libtest's for a failure).
const EXIT_CODE: i32 = 101;

/// One sweep's stall settings: the limit, and where a replay line starts.
#[derive(Debug)]
pub(crate) struct Watch {
    limit: Duration,
    origin: Origin,
}

impl Watch {
    /// The sweep's watch: `limit` unless `DETSIM_STALL_LIMIT` says other.
    ///
    /// # Panics
    ///
    /// If `DETSIM_STALL_LIMIT` is not a number of seconds.
    pub(crate) fn new(origin: &Origin, limit: Duration) -> Arc<Watch> {
        Arc::new(Watch {
            limit: limit_from_env().unwrap_or(limit),
            origin: origin.clone(),
        })
    }

    /// Runs on this thread from now on are watched with this limit and
    /// reported with this origin's replay line.
    pub(crate) fn enter(self: &Arc<Self>) {
        let me = Arc::as_ptr(self) as usize;
        SLOT.with(|slot| {
            if slot.entered.get() != me {
                slot.entered.set(me);
                *lock(&slot.shared.watch) = Some(Arc::clone(self));
            }
        });
        ENTERED.set(true);
    }
}

/// The replay line of `seed` in the sweep this thread runs, if it runs
/// one; for the allocator's failure line (`crate::alloc`), so it never
/// panics, and never initialises this thread's slot (which allocates and
/// may start the monitor) when no sweep did.
pub(crate) fn replay_line(seed: u64) -> Option<String> {
    if !ENTERED.try_with(Cell::get).unwrap_or(false) {
        return None;
    }
    SLOT.try_with(|slot| {
        lock(&slot.shared.watch)
            .as_ref()
            .map(|w| w.origin.replay(seed))
    })
    .ok()
    .flatten()
}

/// This thread's heartbeat, for its runs to publish to.
pub(crate) fn heartbeat() -> Arc<Heartbeat> {
    SLOT.with(|slot| Arc::clone(&slot.shared.heartbeat))
}

/// What the monitor shares with one thread.
#[derive(Default)]
struct Shared {
    heartbeat: Arc<Heartbeat>,
    watch: Mutex<Option<Arc<Watch>>>,
}

/// A thread's registration; the monitor forgets it when the thread ends.
struct Slot {
    shared: Arc<Shared>,
    /// Address of the `Watch` last entered, to skip the lock per seed.
    entered: Cell<usize>,
}

thread_local! {
    /// Whether this thread entered a sweep's watch (and so `SLOT` exists).
    static ENTERED: Cell<bool> = const { Cell::new(false) };
    static SLOT: Slot = {
        let shared = Arc::new(Shared::default());
        let registry = registry();
        lock(registry).push(Arc::downgrade(&shared));
        Slot {
            shared,
            entered: Cell::new(0),
        }
    };
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Every thread's shared slot; the first call starts the monitor.
fn registry() -> &'static Mutex<Vec<Weak<Shared>>> {
    static REGISTRY: OnceLock<Mutex<Vec<Weak<Shared>>>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let started = std::thread::Builder::new()
            .name("detsim-stall-monitor".into())
            .spawn(monitor);
        if let Err(e) = started {
            let _ = writeln!(
                std::io::stderr(),
                "detsim: warning: could not start the stall monitor thread ({e}); a task \
                 that blocks its thread forever will hang the test"
            );
        }
        Mutex::new(Vec::new())
    })
}

/// `DETSIM_STALL_LIMIT`, if set.
fn limit_from_env() -> Option<Duration> {
    let value = std::env::var(LIMIT_VAR).ok()?;
    match parse_limit(&value) {
        Some(limit) => Some(limit),
        None => panic!(
            "detsim: {LIMIT_VAR}={value:?}: expected a number of seconds, such as 60 or 0.5 \
             (0 turns the stall monitor off)"
        ),
    }
}

fn parse_limit(value: &str) -> Option<Duration> {
    let secs: f64 = value.trim().parse().ok()?;
    Duration::try_from_secs_f64(secs).ok()
}

/// A thread as the monitor last saw it.
struct Seen {
    shared: Weak<Shared>,
    beats: u64,
    /// How long its count has stood still, as the monitor counts it.
    stuck: Duration,
}

fn monitor() {
    let mut seen: Vec<Seen> = Vec::new();
    let mut last = Instant::now();
    loop {
        std::thread::sleep(TICK);
        // One look counts for at most two ticks: when the whole process
        // was stopped (a debugger's breakpoint, SIGSTOP, a suspended
        // laptop) the host clock jumps, but no task was blocking.
        let now = Instant::now();
        let waited = now.duration_since(last).min(2 * TICK);
        last = now;
        let threads: Vec<Arc<Shared>> = {
            let mut registry = lock(registry());
            registry.retain(|w| w.strong_count() > 0);
            registry.iter().filter_map(Weak::upgrade).collect()
        };
        seen.retain(|s| s.shared.strong_count() > 0);
        for shared in threads {
            let beat = shared.heartbeat.read();
            let i = match seen
                .iter()
                .position(|s| std::ptr::eq(s.shared.as_ptr(), Arc::as_ptr(&shared)))
            {
                Some(i) => i,
                None => {
                    seen.push(Seen {
                        shared: Arc::downgrade(&shared),
                        beats: beat.beats,
                        stuck: Duration::ZERO,
                    });
                    continue;
                }
            };
            let s = &mut seen[i];
            if s.beats != beat.beats || !beat.running {
                s.beats = beat.beats;
                s.stuck = Duration::ZERO;
                continue;
            }
            s.stuck += waited;
            let watch = lock(&shared.watch).clone();
            let limit = match &watch {
                Some(w) => w.limit,
                None => default_limit(),
            };
            if !limit.is_zero() && s.stuck >= limit {
                report(&beat, watch.as_deref(), limit, s.stuck);
                std::process::exit(EXIT_CODE);
            }
        }
    }
}

/// The limit of a thread that entered no sweep's watch.
fn default_limit() -> Duration {
    parse_limit(&std::env::var(LIMIT_VAR).unwrap_or_default()).unwrap_or(Duration::from_secs(60))
}

/// The report, straight to the process's stderr (past any test harness's
/// capture: the process is about to end).
fn report(beat: &Beat, watch: Option<&Watch>, limit: Duration, stuck: Duration) {
    let task = match (beat.task.as_u64(), beat.spawned_at) {
        (0, _) => "the test body (task#0 `main`)".to_string(),
        (_, Some(at)) => format!("{} (spawned at {at})", beat.task),
        (_, None) => beat.task.to_string(),
    };
    let replay = watch.map_or_else(
        || format!("DETSIM_SEED={:#x}", beat.seed),
        |w| w.origin.replay(beat.seed),
    );
    let _ = writeln!(
        std::io::stderr(),
        "detsim: stalled: {task} has not returned from poll #{poll} of seed {seed:#x} for \
         {stuck:.1?} of host time (stall limit {limit:?}; {LIMIT_VAR} sets it). The task \
         blocks its thread (a blocking call, futures::executor::block_on, or an endless loop \
         inside a task), so the run can never go on; ending the process with exit code \
         {EXIT_CODE}.\nreplay: {replay}",
        poll = beat.poll,
        seed = beat.seed,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stall_limit_is_a_number_of_seconds() {
        assert_eq!(parse_limit("60"), Some(Duration::from_secs(60)));
        assert_eq!(parse_limit(" 0.5 "), Some(Duration::from_millis(500)));
        assert_eq!(parse_limit("0"), Some(Duration::ZERO));
        assert_eq!(parse_limit("-1"), None);
        assert_eq!(parse_limit("1m"), None);
        assert_eq!(parse_limit("inf"), None);
    }
}
