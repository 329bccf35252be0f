//! The run's trace: every scheduling decision, wake, timer firing, kernel
//! event and injected fault, with a running 64-bit digest.
//!
//! Two runs of the same seed must produce the same sequence of events and
//! therefore the same [`Trace::digest`]; the runner's determinism check
//! (`DETSIM_CHECK_DETERMINISM=1`) runs each seed twice and names the first
//! event where they part. The trace keeps only the most recent events in
//! memory (for the failure report) unless full recording is switched on.
//!
//! The digest covers decisions, not data: a payload that depends on the host
//! (an HTTP `date:` header) changes no event. With
//! `DETSIM_CHECK_DETERMINISM=bytes` the simulated write paths (duplex and
//! TCP writes, datagrams, file writes) also fold their payload bytes into
//! the digest through `note_payload`, which is a no-op otherwise.

use std::cell::{Cell, Ref, RefCell};
use std::fmt;

use crate::faults::FaultKind;
use crate::task::TaskId;
use crate::time::Instant;

mod digest;
mod kept;
mod recent;
use digest::{Name, NameDigests, fault_name_digest, mix_event, str_digest_bytes};
use kept::Kept;
use recent::Recent;

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
        /// What the event concerns: a resource, a node, a link, or none.
        resource: crate::kernel::ResourceId,
        /// What happened, e.g. `"readable"` or `"complete"`.
        what: &'static str,
        /// An event-specific number (bytes, interest bits, result).
        value: i64,
    },
    /// A fault was injected.
    Fault {
        /// The fault kind; shown by its name, e.g. `partial_write`.
        kind: FaultKind,
        /// Which hit of the kind's stream it was, from 0, suppressed hits
        /// included: what a replay schedule pins (`partial_write#3`). Not
        /// part of the digest, which it adds nothing to: the seed and the
        /// schedule decide it.
        occurrence: u64,
        /// The resource (or task id, for scheduling faults, see
        /// [`FaultKind::is_scheduling`]) it hit.
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
                write!(f, "kernel {what} {resource} ({value})")
            }
            EventKind::Fault {
                kind,
                target,
                value,
                ..
            } => {
                write!(f, "FAULT {kind} on #{target} ({value})")
            }
        }
    }
}

impl Event {
    /// The event as digest words: a tag, the name it carries (kernel
    /// events and faults), and two fields. Time is added by the trace.
    #[inline]
    fn digest_words(&self) -> (u64, Name, u64, u64) {
        match &self.kind {
            EventKind::Spawned { task } => (1, Name::None, task.0, 0),
            EventKind::Polled { task } => (2, Name::None, task.0, 0),
            EventKind::Woken { task } => (3, Name::None, task.0, 0),
            EventKind::Finished { task } => (4, Name::None, task.0, 0),
            EventKind::Aborted { task } => (5, Name::None, task.0, 0),
            EventKind::ClockAdvanced => (6, Name::None, 0, 0),
            EventKind::TimerFired { timer } => (7, Name::None, *timer, 0),
            EventKind::Kernel {
                resource,
                what,
                value,
            } => (8, Name::Str(what), resource.as_u64(), *value as u64),
            EventKind::Fault {
                kind,
                target,
                value,
                ..
            } => (
                9,
                Name::Digest(fault_name_digest(*kind)),
                *target,
                *value as u64,
            ),
        }
    }
}

/// The trace of one run. See the module docs.
///
/// Shared, not borrowed: the digest, the count, the name digests and the
/// recent ring are cells, so the record path that every event takes costs
/// no `RefCell` borrow; what else is kept beyond the digest sits behind
/// one, reached only when something is kept (`trace/kept.rs`).
#[derive(Debug)]
pub struct Trace {
    digest: Cell<u64>,
    len: Cell<u64>,
    /// Whether events are kept beyond the digest: the recent ring or full
    /// recording is on (faults are kept either way). One flag for the
    /// record path to test; a sweep's run has both off.
    keeps_events: Cell<bool>,
    /// Whether the recent ring is all that plain events are kept in (a
    /// plain runtime): [`Trace::record_task`]'s inline case.
    ring_only: Cell<bool>,
    /// Whether payloads are digested (`DETSIM_CHECK_DETERMINISM=bytes`).
    payloads_on: Cell<bool>,
    names: NameDigests,
    /// The last events, for a failure report (`trace/recent.rs`).
    recent: Recent,
    kept: RefCell<Kept>,
}

/// One write's payload as the bytes-mode determinism check sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PayloadNote {
    /// Events recorded before the write's payload was noted.
    pub(crate) after_events: u64,
    /// The payload's length in bytes.
    pub(crate) len: usize,
    /// The payload's content digest.
    pub(crate) digest: u64,
}

impl Trace {
    /// A trace that keeps the last `recent_capacity` events, and every event
    /// when `record_all` is set (used by the determinism check).
    pub(crate) fn new(recent_capacity: usize, record_all: bool) -> Trace {
        let trace = Trace {
            digest: Cell::new(0xcbf2_9ce4_8422_2325),
            len: Cell::new(0),
            keeps_events: Cell::new(false),
            ring_only: Cell::new(false),
            payloads_on: Cell::new(false),
            names: NameDigests::default(),
            recent: Recent::new(recent_capacity),
            kept: RefCell::new(Kept::new(record_all)),
        };
        trace.set_keeping(record_all);
        trace
    }

    /// Sets the record path's flags from where events are kept: the ring,
    /// and full recording when `full` is set.
    fn set_keeping(&self, full: bool) {
        self.keeps_events.set(self.recent.is_on() || full);
        self.ring_only.set(self.recent.is_on() && !full);
    }

    /// Appends an event and folds it into the digest.
    #[inline(always)]
    pub(crate) fn record(&self, event: Event) {
        // Sweeps keep only the digest: a plain event is folded in and
        // dropped. Keeping it is a separate, out-of-line path, so the
        // event's fields are dead once folded at every inlined site.
        if self.keeps_events.get() || matches!(event.kind, EventKind::Fault { .. }) {
            return self.record_kept(event);
        }
        self.fold(&event);
    }

    /// [`Trace::record`] for the executor's own events (a task spawned,
    /// polled, finished), the most frequent in every run: while the recent
    /// ring is the only place events are kept (a plain runtime), the event
    /// goes into it inline rather than through [`Trace::record_kept`]'s
    /// call. Not for faults.
    #[inline(always)]
    pub(crate) fn record_task(&self, event: Event) {
        if !self.keeps_events.get() {
            return self.fold(&event);
        }
        if !self.ring_only.get() {
            return self.record_kept(event);
        }
        let n = self.len.get();
        self.fold(&event);
        self.recent.put(n, event);
    }

    /// Folds `event` into the digest and counts it.
    #[inline(always)]
    fn fold(&self, event: &Event) {
        let (tag, name, a, b) = event.digest_words();
        // The tag says what the words are; a kernel event's or fault's
        // name adds its content digest (a random-looking 64-bit word).
        let kind = match name {
            Name::Str(name) => self.names.get(name) ^ tag,
            Name::Digest(digest) => digest ^ tag,
            Name::None => tag,
        };
        self.digest.set(mix_event(
            self.digest.get(),
            kind,
            event.at.as_nanos(),
            a,
            b,
        ));
        self.len.set(self.len.get() + 1);
    }

    /// [`Trace::record`] of an event that is kept where the configuration
    /// asks (a fault, or any event while the ring or full recording is
    /// on). Out of line: a sweep's run keeps only faults.
    #[inline(never)]
    fn record_kept(&self, event: Event) {
        let n = self.len.get();
        self.fold(&event);
        self.kept.borrow_mut().keep(&event);
        if self.recent.is_on() {
            self.recent.put(n, event);
        }
    }

    /// Folds the payload bytes of every later write into the digest
    /// (`DETSIM_CHECK_DETERMINISM=bytes`), and keeps a note per write.
    pub(crate) fn digest_payloads(&self) {
        self.kept.borrow_mut().payloads.get_or_insert_with(Vec::new);
        self.payloads_on.set(true);
    }

    /// A simulated write's payload (a TCP or duplex write, a datagram, a
    /// file write): folded into the digest when payload digesting is on, a
    /// no-op otherwise. It is not an event: the trace's events and their
    /// count stay the same in both modes.
    #[inline]
    pub(crate) fn note_payload(&self, bytes: &[u8]) {
        if self.payloads_on.get() {
            self.digest_payload(bytes);
        }
    }

    /// [`Trace::note_payload`] when payload digesting is on: out of line,
    /// so the check that it is off stays small enough to inline into
    /// every write.
    #[cold]
    #[inline(never)]
    fn digest_payload(&self, bytes: &[u8]) {
        let mut kept = self.kept.borrow_mut();
        let Some(notes) = &mut kept.payloads else {
            return;
        };
        let _untracked = crate::alloc::Untracked::new();
        let digest = str_digest_bytes(bytes);
        notes.push(PayloadNote {
            after_events: self.len.get(),
            len: bytes.len(),
            digest,
        });
        self.digest.set(mix_event(
            self.digest.get(),
            10,
            0,
            bytes.len() as u64,
            digest,
        ));
    }

    /// The payload notes, when payload digesting was on.
    pub(crate) fn take_payloads(&self) -> Option<Vec<PayloadNote>> {
        self.payloads_on.set(false);
        self.kept.borrow_mut().payloads.take()
    }

    /// The running digest of every event recorded so far.
    pub fn digest(&self) -> u64 {
        self.digest.get()
    }

    /// How many events were recorded.
    pub fn len(&self) -> u64 {
        self.len.get()
    }

    /// Whether no event was recorded.
    pub fn is_empty(&self) -> bool {
        self.len.get() == 0
    }

    /// The most recent events, oldest first.
    pub fn recent(&self) -> Vec<Event> {
        self.recent.events(self.len.get())
    }

    /// The injected faults, oldest first (the first 100,000).
    pub fn faults(&self) -> Ref<'_, [Event]> {
        Ref::map(self.kept.borrow(), Kept::faults)
    }

    /// Whether [`Trace::faults`] holds every injected fault (none was
    /// dropped at the bound).
    pub(crate) fn faults_complete(&self) -> bool {
        self.kept.borrow().faults_complete()
    }

    /// Every event, when full recording was on.
    pub(crate) fn take_full(&self) -> Option<Vec<Event>> {
        let mut kept = self.kept.borrow_mut();
        let full = kept.full.take();
        self.set_keeping(false);
        full
    }
}

#[cfg(test)]
mod tests;
