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

use std::fmt;

use crate::faults::FaultKind;
use crate::task::TaskId;
use crate::time::Instant;

mod digest;
use digest::{Name, NameDigests, fault_name_digest, mix_event, str_digest_bytes};

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
#[derive(Debug)]
pub struct Trace {
    digest: u64,
    len: u64,
    /// The last `recent_capacity` events, as a ring: in order while it
    /// fills, then overwritten oldest first, at `recent_oldest`.
    recent: Vec<Event>,
    recent_capacity: usize,
    recent_oldest: usize,
    full: Option<Vec<Event>>,
    /// Whether events are kept beyond the digest: the recent ring or full
    /// recording is on (faults are kept either way). One flag for the
    /// record path to test; a sweep's run has both off.
    keeps_events: bool,
    faults: Vec<Event>,
    faults_dropped: u64,
    names: NameDigests,
    /// Payload digests (`DETSIM_CHECK_DETERMINISM=bytes`): `None` unless
    /// that mode is on; then one entry per write.
    payloads: Option<Vec<PayloadNote>>,
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

/// At most this many injected faults are kept (for the failure report and
/// the shrinker, which gives up on a run with more); the rest are counted.
const FAULTS_KEPT: usize = 100_000;

/// Room the fault list takes at the first fault.
const FAULTS_FIRST: usize = 256;

impl Trace {
    /// A trace that keeps the last `recent_capacity` events, and every event
    /// when `record_all` is set (used by the determinism check).
    pub(crate) fn new(recent_capacity: usize, record_all: bool) -> Trace {
        Trace {
            digest: 0xcbf2_9ce4_8422_2325,
            len: 0,
            recent: Vec::with_capacity(recent_capacity),
            recent_capacity,
            recent_oldest: 0,
            full: record_all.then(Vec::new),
            keeps_events: recent_capacity > 0 || record_all,
            faults: Vec::new(),
            faults_dropped: 0,
            names: NameDigests::default(),
            payloads: None,
        }
    }

    /// Appends an event and folds it into the digest.
    #[inline(always)]
    pub(crate) fn record(&mut self, event: Event) {
        let (tag, name, a, b) = event.digest_words();
        // The tag says what the words are; a kernel event's or fault's
        // name adds its content digest (a random-looking 64-bit word).
        let kind = match name {
            Name::Str(name) => self.names.get(name) ^ tag,
            Name::Digest(digest) => digest ^ tag,
            Name::None => tag,
        };
        self.digest = mix_event(self.digest, kind, event.at.as_nanos(), a, b);
        self.len += 1;
        // Sweeps keep only the digest: nothing else to do for a plain event.
        if self.keeps_events || matches!(event.kind, EventKind::Fault { .. }) {
            self.keep(event);
        }
    }

    /// Folds the payload bytes of every later write into the digest
    /// (`DETSIM_CHECK_DETERMINISM=bytes`), and keeps a note per write.
    pub(crate) fn digest_payloads(&mut self) {
        self.payloads.get_or_insert_with(Vec::new);
    }

    /// A simulated write's payload (a TCP or duplex write, a datagram, a
    /// file write): folded into the digest when payload digesting is on, a
    /// no-op otherwise. It is not an event: the trace's events and their
    /// count stay the same in both modes.
    #[inline]
    pub(crate) fn note_payload(&mut self, bytes: &[u8]) {
        if self.payloads.is_some() {
            self.digest_payload(bytes);
        }
    }

    /// [`Trace::note_payload`] when payload digesting is on: out of line,
    /// so the check that it is off stays small enough to inline into
    /// every write.
    #[cold]
    #[inline(never)]
    fn digest_payload(&mut self, bytes: &[u8]) {
        let Some(notes) = &mut self.payloads else {
            return;
        };
        let _untracked = crate::alloc::Untracked::new();
        let digest = str_digest_bytes(bytes);
        notes.push(PayloadNote {
            after_events: self.len,
            len: bytes.len(),
            digest,
        });
        self.digest = mix_event(self.digest, 10, 0, bytes.len() as u64, digest);
    }

    /// The payload notes, when payload digesting was on.
    pub(crate) fn take_payloads(&mut self) -> Option<Vec<PayloadNote>> {
        self.payloads.take()
    }

    /// Keeps `event` where the configuration asks (recent ring, full
    /// recording, the fault list). Out of line: a sweep's run keeps only
    /// faults, and the record path inlined at every event stays small.
    #[inline(never)]
    fn keep(&mut self, event: Event) {
        if self.full.is_some() || matches!(event.kind, EventKind::Fault { .. }) {
            self.keep_fault_or_full(&event);
        }
        if self.recent_capacity > 0 {
            if self.recent.len() < self.recent_capacity {
                self.recent.push(event);
            } else {
                // Full: the new event replaces the oldest, which was
                // recorded `recent_capacity` events ago.
                self.recent[self.recent_oldest] = event;
                self.recent_oldest += 1;
                if self.recent_oldest == self.recent_capacity {
                    self.recent_oldest = 0;
                }
            }
        }
    }

    /// The rarer places an event is kept: the fault list, full recording.
    #[cold]
    fn keep_fault_or_full(&mut self, event: &Event) {
        let _untracked = crate::alloc::Untracked::new();
        if matches!(event.kind, EventKind::Fault { .. }) {
            if self.faults.len() < FAULTS_KEPT {
                if self.faults.capacity() == 0 {
                    // A run with faults on injects a few hundred: grown
                    // from 4 one doubling at a time, the list would be
                    // copied six times on the way.
                    self.faults.reserve_exact(FAULTS_FIRST);
                }
                self.faults.push(event.clone());
            } else {
                self.faults_dropped += 1;
            }
        }
        if let Some(full) = &mut self.full {
            full.push(event.clone());
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
        let (newer, older) = self.recent.split_at(self.recent_oldest);
        older.iter().chain(newer)
    }

    /// The injected faults, oldest first (the first 100,000).
    pub fn faults(&self) -> &[Event] {
        &self.faults
    }

    /// Whether [`Trace::faults`] holds every injected fault (none was
    /// dropped at the bound).
    pub(crate) fn faults_complete(&self) -> bool {
        self.faults_dropped == 0
    }

    /// Every event, when full recording was on.
    pub(crate) fn take_full(&mut self) -> Option<Vec<Event>> {
        self.keeps_events = self.recent_capacity > 0;
        self.full.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn polled(task: u64) -> Event {
        Event {
            at: Instant::ZERO,
            kind: EventKind::Polled { task: TaskId(task) },
        }
    }

    fn digest_of(events: &[Event]) -> u64 {
        let mut trace = Trace::new(0, false);
        for e in events {
            trace.record(e.clone());
        }
        trace.digest()
    }

    fn kernel(at_ns: u64, resource: u64, what: &'static str, value: i64) -> Event {
        Event {
            at: Instant::from_nanos(at_ns),
            kind: EventKind::Kernel {
                resource: crate::kernel::ResourceId::io(resource),
                what,
                value,
            },
        }
    }

    #[test]
    fn events_that_differ_in_one_field_or_in_order_give_different_digests() {
        let base = kernel(1_000, 2, "read", 64);
        let variants = [
            base.clone(),
            kernel(1_001, 2, "read", 64),
            kernel(1_000, 3, "read", 64),
            kernel(1_000, 2, "write", 64),
            kernel(1_000, 2, "read", 63),
            // The same words under another tag.
            Event {
                at: Instant::from_nanos(1_000),
                kind: EventKind::Polled { task: TaskId(2) },
            },
            Event {
                at: Instant::from_nanos(1_000),
                kind: EventKind::Spawned { task: TaskId(2) },
            },
            // Time and a field swapped.
            kernel(2, 1_000, "read", 64),
        ];
        let mut digests: Vec<u64> = variants
            .iter()
            .map(|e| digest_of(&[polled(1), e.clone()]))
            .collect();
        // The same events, swapped.
        digests.push(digest_of(&[base.clone(), polled(1)]));
        let mut unique = digests.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), digests.len(), "{digests:x?}");
        // And the same events give the same digest.
        assert_eq!(digest_of(&[polled(1), base.clone()]), digests[0]);
    }

    #[test]
    fn recent_events_are_the_last_ones_oldest_first_after_the_ring_wraps() {
        let mut trace = Trace::new(3, false);
        let recent = |t: &Trace| -> Vec<Event> { t.recent().cloned().collect() };
        trace.record(polled(1));
        trace.record(polled(2));
        assert_eq!(recent(&trace), [polled(1), polled(2)]);
        for task in 3..=7 {
            trace.record(polled(task));
        }
        assert_eq!(recent(&trace), [polled(5), polled(6), polled(7)]);
        assert_eq!(trace.len(), 7);
    }
}
