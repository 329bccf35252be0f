//! The run's trace: every scheduling decision, wake, timer firing, kernel
//! event and injected fault, with a running 64-bit digest.
//!
//! Two runs of the same seed must produce the same sequence of events and
//! therefore the same [`Trace::digest`]; the runner's determinism check
//! (`DETSIM_CHECK_DETERMINISM=1`) runs each seed twice and names the first
//! event where they part. The trace keeps only the most recent events in
//! memory (for the failure report) unless full recording is switched on.

use std::collections::VecDeque;
use std::fmt;

use crate::task::TaskId;
use crate::time::Instant;

/// What happened; see [`Event`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// A task was spawned.
    Spawned {
        /// The new task.
        task: TaskId,
    },
    /// The scheduler chose this task and polled it.
    Polled {
        /// The polled task.
        task: TaskId,
    },
    /// A task was made runnable by a wake.
    Woken {
        /// The woken task.
        task: TaskId,
    },
    /// A task's future completed.
    Finished {
        /// The finished task.
        task: TaskId,
    },
    /// A task was aborted through its `JoinHandle`.
    Aborted {
        /// The aborted task.
        task: TaskId,
    },
    /// Nothing was runnable, so virtual time jumped forward.
    ClockAdvanced,
    /// A timer reached its deadline and woke its task.
    TimerFired {
        /// The timer's sequence number (allocation order).
        timer: u64,
    },
    /// A kernel-level event on a simulated resource (readiness change,
    /// completion, registration...).
    Kernel {
        /// The resource the event concerns.
        resource: u64,
        /// What happened, e.g. `"readable"` or `"complete"`.
        what: &'static str,
        /// An event-specific number (bytes, interest bits, result).
        value: i64,
    },
    /// A fault was injected.
    Fault {
        /// The fault kind, e.g. `"partial_write"`.
        kind: &'static str,
        /// The resource (or task id, for scheduling faults) it hit.
        target: u64,
        /// A fault-specific number (bytes allowed through, delay in ns...).
        value: i64,
    },
}

/// One entry of the trace: what happened and when (virtual time).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Event {
    /// Virtual time of the event.
    pub at: Instant,
    /// What happened.
    pub kind: EventKind,
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t={} ", self.at)?;
        match &self.kind {
            EventKind::Spawned { task } => write!(f, "spawn {task}"),
            EventKind::Polled { task } => write!(f, "poll {task}"),
            EventKind::Woken { task } => write!(f, "wake {task}"),
            EventKind::Finished { task } => write!(f, "finish {task}"),
            EventKind::Aborted { task } => write!(f, "abort {task}"),
            EventKind::ClockAdvanced => write!(f, "clock advanced"),
            EventKind::TimerFired { timer } => write!(f, "timer #{timer} fired"),
            EventKind::Kernel {
                resource,
                what,
                value,
            } => {
                write!(f, "kernel {what} res#{resource} ({value})")
            }
            EventKind::Fault {
                kind,
                target,
                value,
            } => {
                write!(f, "FAULT {kind} on #{target} ({value})")
            }
        }
    }
}

impl Event {
    /// Feeds the event to `mix` as 64-bit words: a tag, the time, then the
    /// fields. Strings are fed by content, never by address, so digests
    /// match across processes.
    #[inline]
    fn digest_into(&self, mix: &mut impl FnMut(u64)) {
        let (tag, a, b) = match &self.kind {
            EventKind::Spawned { task } => (1, task.0, 0),
            EventKind::Polled { task } => (2, task.0, 0),
            EventKind::Woken { task } => (3, task.0, 0),
            EventKind::Finished { task } => (4, task.0, 0),
            EventKind::Aborted { task } => (5, task.0, 0),
            EventKind::ClockAdvanced => (6, 0, 0),
            EventKind::TimerFired { timer } => (7, *timer, 0),
            EventKind::Kernel {
                resource,
                what,
                value,
            } => {
                mix_str(what, mix);
                (8, *resource, *value as u64)
            }
            EventKind::Fault {
                kind,
                target,
                value,
            } => {
                mix_str(kind, mix);
                (9, *target, *value as u64)
            }
        };
        mix(tag);
        mix(self.at.as_nanos());
        mix(a);
        mix(b);
    }
}

fn mix_str(s: &str, mix: &mut impl FnMut(u64)) {
    for chunk in s.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        mix(u64::from_le_bytes(word));
    }
    mix(s.len() as u64);
}

/// One step of the digest: multiply-xorshift, stable across processes and
/// releases.
#[inline]
fn step(digest: u64, word: u64) -> u64 {
    let x = (digest ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x ^ (x >> 29)
}

/// The trace of one run. See the module docs.
#[derive(Debug)]
pub struct Trace {
    digest: u64,
    len: u64,
    recent: VecDeque<Event>,
    recent_capacity: usize,
    full: Option<Vec<Event>>,
    faults: Vec<Event>,
    faults_dropped: u64,
}

/// At most this many injected faults are kept for the failure report; the
/// rest are counted.
const FAULTS_KEPT: usize = 10_000;

impl Trace {
    /// A trace that keeps the last `recent_capacity` events, and every event
    /// when `record_all` is set (used by the determinism check).
    pub(crate) fn new(recent_capacity: usize, record_all: bool) -> Trace {
        Trace {
            digest: 0xcbf2_9ce4_8422_2325,
            len: 0,
            recent: VecDeque::with_capacity(recent_capacity),
            recent_capacity,
            full: record_all.then(Vec::new),
            faults: Vec::new(),
            faults_dropped: 0,
        }
    }

    /// Appends an event and folds it into the digest.
    #[inline]
    pub(crate) fn record(&mut self, event: Event) {
        let mut digest = self.digest;
        event.digest_into(&mut |w| digest = step(digest, w));
        self.digest = digest;
        self.len += 1;
        // Sweeps keep only the digest: nothing else to do for a plain event.
        if self.recent_capacity == 0
            && self.full.is_none()
            && !matches!(event.kind, EventKind::Fault { .. })
        {
            return;
        }
        self.keep(event);
    }

    /// Keeps `event` where the configuration asks (recent ring, full
    /// recording, the fault list).
    fn keep(&mut self, event: Event) {
        if matches!(event.kind, EventKind::Fault { .. }) {
            if self.faults.len() < FAULTS_KEPT {
                self.faults.push(event.clone());
            } else {
                self.faults_dropped += 1;
            }
        }
        if let Some(full) = &mut self.full {
            full.push(event.clone());
        }
        if self.recent_capacity > 0 {
            if self.recent.len() == self.recent_capacity {
                self.recent.pop_front();
            }
            self.recent.push_back(event);
        }
    }

    /// The running digest of every event recorded so far.
    pub fn digest(&self) -> u64 {
        self.digest
    }

    /// How many events were recorded.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no event was recorded.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The most recent events, oldest first.
    pub fn recent(&self) -> impl Iterator<Item = &Event> {
        self.recent.iter()
    }

    /// The injected faults, oldest first (the first 10,000).
    pub fn faults(&self) -> &[Event] {
        &self.faults
    }

    /// Every event, when full recording was on.
    pub(crate) fn take_full(&mut self) -> Option<Vec<Event>> {
        self.full.take()
    }
}
