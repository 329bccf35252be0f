//! What a trace keeps beyond its digest and its recent ring
//! (`trace/recent.rs`): every event under full recording (the
//! determinism check, trace files), the injected faults (the report and
//! the shrinker) and the payload notes of `DETSIM_CHECK_DETERMINISM=bytes`.
//!
//! A sweep's run keeps only its faults, so this is off the record path:
//! the trace reaches it through a flag test.

use super::{Event, EventKind, PayloadNote};

/// At most this many injected faults are kept (for the failure report and
/// the shrinker, which gives up on a run with more); the rest are counted.
const FAULTS_KEPT: usize = 100_000;

/// Room the fault list takes at the first fault.
const FAULTS_FIRST: usize = 256;

/// The events and notes a trace keeps; see the module docs.
#[derive(Debug)]
pub(super) struct Kept {
    pub(super) full: Option<Vec<Event>>,
    faults: Vec<Event>,
    faults_dropped: u64,
    /// Payload digests (`DETSIM_CHECK_DETERMINISM=bytes`): `None` unless
    /// that mode is on; then one entry per write.
    pub(super) payloads: Option<Vec<PayloadNote>>,
}

impl Kept {
    /// Keeps the faults, and every event when `record_all` is set.
    pub(super) fn new(record_all: bool) -> Kept {
        Kept {
            full: record_all.then(Vec::new),
            faults: Vec::new(),
            faults_dropped: 0,
            payloads: None,
        }
    }

    /// Keeps `event` where the configuration asks: the fault list, full
    /// recording (the recent ring is the trace's own).
    pub(super) fn keep(&mut self, event: &Event) {
        if self.full.is_some() || matches!(event.kind, EventKind::Fault { .. }) {
            self.keep_fault_or_full(event);
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

    /// The injected faults, oldest first (the first 100,000).
    pub(super) fn faults(&self) -> &[Event] {
        &self.faults
    }

    /// Whether [`Kept::faults`] holds every injected fault.
    pub(super) fn faults_complete(&self) -> bool {
        self.faults_dropped == 0
    }
}
