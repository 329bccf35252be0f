//! A table of per-id report data (a task's name, a resource's kind) that
//! keeps everything under the simulation and stays bounded on the OS.
//!
//! A simulated run is one seed: its table goes with it, so it keeps every
//! entry and a report can name anything its events mention. The OS runtime
//! may run for months and create an id per request, so it keeps *pinned*
//! entries (live tasks, sockets registered with epoll) for as long as they
//! are pinned, and the [`RETAINED`] entries most recently created unpinned
//! or unpinned: enough to name what a report's recent events mention, and
//! flat in memory however many ids come and go. Ids are allocation order
//! in both modes.

use std::collections::{BTreeMap, VecDeque};

use crate::chunked::Store;

/// How many recent unpinned entries the OS runtime still keeps.
pub(crate) const RETAINED: usize = 1024;

/// The table; see the module docs. `S` holds every entry of a simulated
/// run (see `chunked.rs`).
pub(crate) enum IdTable<V, S: Store<V> = Vec<V>> {
    /// Every entry of the run, indexed by id (the simulation).
    All(S),
    /// Pinned entries, and the last [`RETAINED`] unpinned ones, oldest
    /// first (the OS runtime).
    Recent {
        next: u64,
        pinned: BTreeMap<u64, V>,
        recent: VecDeque<(u64, V)>,
    },
}

impl<V: Clone, S: Store<V>> IdTable<V, S> {
    /// A table that keeps every entry.
    pub(crate) fn all() -> IdTable<V, S> {
        IdTable::All(S::default())
    }

    /// Switches to the bounded mode. Entries already recorded become
    /// pinned when `pin_existing`, else recent (the oldest beyond
    /// [`RETAINED`] are dropped).
    pub(crate) fn bound(&mut self, pin_existing: bool) {
        if let IdTable::All(all) = self {
            let next = all.count() as u64;
            let existing = (0..).zip(all.take_values());
            let (pinned, recent) = if pin_existing {
                (existing.collect(), VecDeque::new())
            } else {
                let skip = (next as usize).saturating_sub(RETAINED);
                (BTreeMap::new(), existing.skip(skip).collect())
            };
            *self = IdTable::Recent {
                next,
                pinned,
                recent,
            };
        }
    }

    /// Records a new entry, pinned or not; returns its id.
    pub(crate) fn insert(&mut self, value: V, pinned: bool) -> u64 {
        match self {
            IdTable::All(all) => all.push_value(value) as u64,
            IdTable::Recent {
                next,
                pinned: kept,
                recent,
            } => {
                let id = *next;
                *next += 1;
                if pinned {
                    kept.insert(id, value);
                } else {
                    remember(recent, id, value);
                }
                id
            }
        }
    }

    /// Keeps `id`'s entry until [`IdTable::unpin`] (bounded mode only: the
    /// other keeps everything anyway).
    pub(crate) fn pin(&mut self, id: u64) {
        if let Some(value) = self.get(id).cloned() {
            if let IdTable::Recent { pinned, .. } = self {
                pinned.insert(id, value);
            }
        }
    }

    /// `id` is no longer pinned: its entry is kept while it is among the
    /// [`RETAINED`] most recent.
    #[inline]
    pub(crate) fn unpin(&mut self, id: u64) {
        if let IdTable::Recent { pinned, recent, .. } = self {
            if let Some(value) = pinned.remove(&id) {
                remember(recent, id, value);
            }
        }
    }

    /// `id`'s entry, if still kept.
    pub(crate) fn get(&self, id: u64) -> Option<&V> {
        match self {
            IdTable::All(all) => all.value(usize::try_from(id).ok()?),
            IdTable::Recent { pinned, recent, .. } => pinned.get(&id).or_else(|| {
                recent
                    .iter()
                    .rev()
                    .find(|(i, _)| *i == id)
                    .map(|(_, value)| value)
            }),
        }
    }

    /// How many entries are held (an id may be counted twice).
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        match self {
            IdTable::All(all) => all.count(),
            IdTable::Recent { pinned, recent, .. } => pinned.len() + recent.len(),
        }
    }
}

/// Appends to the ring of recent entries, dropping its oldest beyond
/// [`RETAINED`].
fn remember<V>(recent: &mut VecDeque<(u64, V)>, id: u64, value: V) {
    if recent.len() == RETAINED {
        recent.pop_front();
    }
    recent.push_back((id, value));
}
