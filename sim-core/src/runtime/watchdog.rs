//! The long-poll watchdog: the one place a run reads host time.
//!
//! A poll that computes or blocks for long without yielding starves every
//! other task on the single thread, so the watchdog reports it. Host time
//! never feeds a simulation decision, and host *load* must never decide a
//! verdict: a correct poll preempted for 80 ms on a busy machine is not a
//! long poll. So the watchdog works in two steps.
//!
//! 1. **Detect**, on every run, cheaply: at the start of each poll it reads
//!    `CLOCK_MONOTONIC_COARSE` (a load from the vDSO page, no `rdtsc`, no
//!    syscall) and checks the time since the previous poll started; the run
//!    loop calls [`Watchdog::end_run`] after the last poll, so the body's
//!    final poll is checked too. An interval of at least the budget minus
//!    the clock's resolution makes the poll a *suspect*: its number (the
//!    run's n-th poll, deterministic), its task and the coarse duration are
//!    kept. A suspect never fails the run by itself. The interval includes
//!    detsim's own work between two polls, so it can only over-estimate: a
//!    poll truly over budget is always a suspect.
//! 2. **Confirm**, in a deterministic re-run of the seed (the runner's
//!    `confirm` module), with only the suspects' polls armed. An armed poll
//!    is measured precisely: the thread's CPU time, unless the thread
//!    switched out voluntarily during the poll (it blocked: a sleep, a
//!    blocking read, a lock), in which case its wall time. Preemption adds
//!    wall time but neither CPU time nor a voluntary switch, so it does not
//!    count; a real `std::thread::sleep` burns no CPU yet counts. An armed
//!    poll over budget fails the run right after it, so the report's events
//!    end at that poll.
//!
//! A standalone [`Runtime`](crate::Runtime) cannot re-run its future, so it
//! prints its suspects as warnings and never fails for a long poll; `Sim`
//! confirms.
//!
//! # Divergence from a real executor
//!
//! None in behaviour: the watchdog only observes. The measurement of a
//! confirmed poll still counts, as busy, a poll that both blocked briefly
//! and was then preempted for long (rare: a blocking call inside a task is
//! already a bug the watchdog exists to find).

use std::cell::{Cell, RefCell};
use std::time::Duration;

use crate::task::TaskId;

/// How a runtime watches its polls.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum LongPollWatch {
    /// A standalone runtime: suspects are printed as warnings at the end
    /// of the run; a long poll never fails it.
    #[default]
    Warn,
    /// A runner's run: suspects are kept for confirmation, silently.
    Collect,
    /// A confirming re-run: only these polls (run poll numbers, ascending)
    /// are measured, precisely; one over budget fails the run.
    Confirm(Vec<u64>),
}

/// A poll that may have been over budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Suspect {
    /// The run's poll number (1 is the first poll of the run).
    pub(crate) poll: u64,
    /// The task polled.
    pub(crate) task: TaskId,
    /// Host time measured for it (coarse when detected, precise when
    /// confirmed).
    pub(crate) took: Duration,
}

/// A precise measurement in progress, for one armed poll.
pub(crate) struct Probe(Usage);

/// Watches one run's polls; see the module docs.
pub(crate) struct Watchdog {
    budget: Duration,
    /// Detect mode: an interval of at least this many coarse nanoseconds
    /// makes a suspect; `u64::MAX` when detection is off.
    threshold_ns: u64,
    watch: LongPollWatch,
    /// Polls begun so far in this run.
    polls: Cell<u64>,
    /// Coarse time at which the current poll began.
    started_ns: Cell<u64>,
    /// The task of the current poll.
    task: Cell<TaskId>,
    /// Confirm mode: index of the next armed poll in the list.
    next_armed: Cell<usize>,
    /// Detected suspects (detect modes) or measured armed polls (confirm).
    found: RefCell<Vec<Suspect>>,
}

impl Watchdog {
    pub(crate) fn new(budget: Duration, watch: LongPollWatch) -> Watchdog {
        let threshold_ns = match watch {
            _ if budget.is_zero() => u64::MAX,
            LongPollWatch::Confirm(_) => u64::MAX,
            LongPollWatch::Warn | LongPollWatch::Collect => {
                let budget = u64::try_from(budget.as_nanos()).unwrap_or(u64::MAX);
                budget.saturating_sub(clock::coarse_resolution_ns()).max(1)
            }
        };
        Watchdog {
            budget,
            threshold_ns,
            watch,
            polls: Cell::new(0),
            started_ns: Cell::new(0),
            task: Cell::new(TaskId(0)),
            next_armed: Cell::new(0),
            found: RefCell::new(Vec::new()),
        }
    }

    /// Polls begun so far in this run: the number of the current poll.
    #[inline]
    pub(crate) fn polls(&self) -> u64 {
        self.polls.get()
    }

    /// Counts a poll that nothing watches (no detection, no confirmation).
    #[inline(always)]
    pub(crate) fn count_poll(&self) {
        self.polls.set(self.polls.get() + 1);
    }

    /// Whether polls are timed (detected or confirmed): otherwise
    /// [`Watchdog::count_poll`] is all a poll needs.
    pub(crate) fn times_polls(&self) -> bool {
        self.threshold_ns != u64::MAX || matches!(self.watch, LongPollWatch::Confirm(_))
    }

    /// Called just before polling `task`. Returns a probe when this poll is
    /// armed for a precise measurement. Inlined into the run loop: with
    /// detection off and nothing armed, a count and two tests.
    #[inline(always)]
    pub(crate) fn before_poll(&self, task: TaskId) -> Option<Probe> {
        let n = self.polls.get() + 1;
        self.polls.set(n);
        if self.threshold_ns != u64::MAX {
            self.detect(n, task);
            return None;
        }
        match &self.watch {
            LongPollWatch::Confirm(armed) => self.arm(armed, n),
            _ => None,
        }
    }

    /// Detect mode: poll `n` of `task` begins now; the previous one ended.
    #[inline]
    fn detect(&self, n: u64, task: TaskId) {
        let now = clock::coarse_ns();
        self.check_interval(now, n - 1);
        self.started_ns.set(now);
        self.task.set(task);
    }

    /// Confirm mode: a probe if poll `n` is the next armed one.
    #[cold]
    fn arm(&self, armed: &[u64], n: u64) -> Option<Probe> {
        if armed.get(self.next_armed.get()) != Some(&n) {
            return None;
        }
        self.next_armed.set(self.next_armed.get() + 1);
        Some(Probe(Usage::now()))
    }

    /// Called just after an armed poll of `task`: the poll's busy host
    /// time, if it was over budget.
    #[cold]
    pub(crate) fn after_armed_poll(&self, probe: Probe, task: TaskId) -> Option<Duration> {
        let took = Usage::now().busy_since(&probe.0);
        self.found.borrow_mut().push(Suspect {
            poll: self.polls.get(),
            task,
            took,
        });
        (took > self.budget).then_some(took)
    }

    /// Called after a poll that panicked: the panic fails the run, and the
    /// time its report took (a backtrace, for tokio's panics) is not the
    /// task's, so the coarse measurement starts again from now.
    pub(crate) fn excuse_panicked_poll(&self) {
        if self.threshold_ns != u64::MAX {
            self.started_ns.set(clock::coarse_ns());
        }
    }

    /// Called once the run loop has returned: checks the last poll, which
    /// no next poll's start measures.
    pub(crate) fn end_run(&self) {
        if self.threshold_ns != u64::MAX {
            self.check_interval(clock::coarse_ns(), self.polls.get());
        }
    }

    /// Poll number `ended` (0: none yet), which began at `started_ns`, is
    /// over by `now`.
    #[inline]
    fn check_interval(&self, now: u64, ended: u64) {
        let took = now.saturating_sub(self.started_ns.get());
        if took >= self.threshold_ns && ended > 0 {
            self.suspect(ended, took);
        }
    }

    #[cold]
    fn suspect(&self, poll: u64, took_ns: u64) {
        self.found.borrow_mut().push(Suspect {
            poll,
            task: self.task.get(),
            took: Duration::from_nanos(took_ns),
        });
    }

    /// The budget polls are held to.
    pub(crate) fn budget(&self) -> Duration {
        self.budget
    }

    /// How this run watches.
    pub(crate) fn watch(&self) -> &LongPollWatch {
        &self.watch
    }

    /// The suspects (detect modes) or the measured armed polls (confirm).
    pub(crate) fn found(&self) -> Vec<Suspect> {
        self.found.borrow().clone()
    }
}

/// What a precise measurement reads: wall time, the thread's CPU time and
/// its count of voluntary context switches (`None` if unknown).
struct Usage {
    wall_ns: u64,
    cpu_ns: u64,
    voluntary: Option<u64>,
}

impl Usage {
    fn now() -> Usage {
        let (cpu_ns, voluntary) = clock::thread_usage();
        Usage {
            wall_ns: clock::wall_ns(),
            cpu_ns,
            voluntary,
        }
    }

    /// The host time the thread spent on the poll since `start`: its wall
    /// time if it blocked (or we cannot tell), else its CPU time.
    fn busy_since(&self, start: &Usage) -> Duration {
        let blocked = match (start.voluntary, self.voluntary) {
            (Some(a), Some(b)) => b > a,
            _ => true,
        };
        let ns = if blocked {
            self.wall_ns.saturating_sub(start.wall_ns)
        } else {
            self.cpu_ns.saturating_sub(start.cpu_ns)
        };
        Duration::from_nanos(ns)
    }
}

/// The host clocks. Nanosecond readings of: the coarse monotonic clock
/// (detection), the precise one and the thread's resource usage
/// (confirmation). Through libc, not rustix: glibc's vDSO calls work
/// under valgrind, rustix's do not (rustix issue #1559), and every
/// simulated run reads this clock.
#[cfg(target_os = "linux")]
mod clock {
    use std::sync::OnceLock;

    fn ns(t: libc::timespec) -> u64 {
        (t.tv_sec as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(t.tv_nsec as u64)
    }

    fn gettime(clock: libc::clockid_t) -> u64 {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `t` is a valid, writable timespec; the clock ids used
        // here exist on every Linux since 2.6.32, and on failure `t` stays
        // zero, which only makes a poll look short.
        unsafe { libc::clock_gettime(clock, &mut t) };
        ns(t)
    }

    /// `CLOCK_MONOTONIC_COARSE`: the time of the last tick, read from the
    /// vDSO without a syscall or `rdtsc`.
    #[inline]
    pub(super) fn coarse_ns() -> u64 {
        gettime(libc::CLOCK_MONOTONIC_COARSE)
    }

    /// The coarse clock's tick (1-10 ms), read once per process.
    pub(super) fn coarse_resolution_ns() -> u64 {
        static RESOLUTION: OnceLock<u64> = OnceLock::new();
        *RESOLUTION.get_or_init(|| {
            let mut t = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            // SAFETY: as in `gettime`. On failure: 10 ms, the coarsest
            // tick Linux has (HZ=100).
            match unsafe { libc::clock_getres(libc::CLOCK_MONOTONIC_COARSE, &mut t) } {
                0 => ns(t),
                _ => 10_000_000,
            }
        })
    }

    pub(super) fn wall_ns() -> u64 {
        gettime(libc::CLOCK_MONOTONIC)
    }

    /// The thread's CPU time, to the nanosecond (`CLOCK_THREAD_CPUTIME_ID`
    /// includes the slice running now; getrusage's CPU times only move at
    /// scheduler ticks), and its voluntary context switches
    /// (`getrusage(RUSAGE_THREAD)`).
    pub(super) fn thread_usage() -> (u64, Option<u64>) {
        let cpu = gettime(libc::CLOCK_THREAD_CPUTIME_ID);
        // SAFETY: an all-zero rusage is a valid value of the plain C struct.
        let mut u: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `u` is a valid, writable rusage.
        let voluntary = match unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut u) } {
            0 => Some(u.ru_nvcsw as u64),
            _ => None,
        };
        (cpu, voluntary)
    }
}

/// Elsewhere: std's monotonic clock for everything, and no CPU clock, so a
/// confirmation counts wall time.
#[cfg(not(target_os = "linux"))]
mod clock {
    use std::sync::OnceLock;
    use std::time::Instant;

    fn since_start() -> u64 {
        static START: OnceLock<Instant> = OnceLock::new();
        let start = *START.get_or_init(Instant::now);
        u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX) + 1
    }

    pub(super) fn coarse_ns() -> u64 {
        since_start()
    }

    pub(super) fn coarse_resolution_ns() -> u64 {
        0
    }

    pub(super) fn wall_ns() -> u64 {
        since_start()
    }

    pub(super) fn thread_usage() -> (u64, Option<u64>) {
        (0, None)
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn usage(wall_ms: u64, cpu_ms: u64, voluntary: Option<u64>) -> Usage {
        Usage {
            wall_ns: wall_ms * 1_000_000,
            cpu_ns: cpu_ms * 1_000_000,
            voluntary,
        }
    }

    #[test]
    fn a_preempted_poll_counts_its_cpu_time_and_a_blocked_one_its_wall_time() {
        let start = usage(1_000, 500, Some(7));
        // 80 ms on the clock, 1 ms on the CPU, no voluntary switch: it was
        // runnable all along, waiting for a core.
        assert_eq!(
            usage(1_080, 501, Some(7)).busy_since(&start),
            Duration::from_millis(1)
        );
        // It switched out by itself: it blocked, and the wall time counts.
        assert_eq!(
            usage(1_080, 501, Some(8)).busy_since(&start),
            Duration::from_millis(80)
        );
        // Unknown switch counts: the wall time, which never misses a block.
        assert_eq!(
            usage(1_080, 501, None).busy_since(&start),
            Duration::from_millis(80)
        );
    }

    #[test]
    fn a_real_sleep_switches_the_thread_out_and_measures_at_least_its_length() {
        let start = Usage::now();
        std::thread::sleep(Duration::from_millis(30));
        let end = Usage::now();
        assert!(
            end.voluntary > start.voluntary,
            "{:?} -> {:?}",
            start.voluntary,
            end.voluntary
        );
        assert!(end.busy_since(&start) >= Duration::from_millis(30));
    }
}
