//! Resource names for reports: the kind of every resource id (`tcp#3`).
//!
//! Under the simulation every resource of the run keeps its kind, so a
//! report names whatever its events mention: two bytes each, an index into
//! the run's few distinct kinds (a run that opens 100,000 connections does
//! not keep 200,000 string slices). The OS runtime
//! may open sockets forever, so it keeps the kinds of resources registered
//! with epoll for as long as they are (a listener opened at start-up is
//! still named after a million connections), and of the [`RETAINED`](crate::id_table::RETAINED)
//! resources most recently created or closed (a report is built after the
//! failing task's sockets closed); older ones print as `#id`.

use crate::id_table::IdTable;
#[cfg(test)]
use crate::id_table::RETAINED;

/// The table; see the module docs. Resources registered with epoll are
/// the pinned entries of an [`IdTable`] of indexes into `kinds`; id 0 is
/// "none".
pub(crate) struct ResourceNames {
    ids: IdTable<u16>,
    /// The distinct kinds, in order of first use.
    kinds: Vec<&'static str>,
}

impl ResourceNames {
    /// A table that keeps every resource (the simulation).
    pub(crate) fn all() -> ResourceNames {
        let mut names = ResourceNames {
            ids: IdTable::all(),
            kinds: Vec::new(),
        };
        names.insert("none");
        names
    }

    /// Switches to the OS runtime's bounded table. Call it before the first
    /// resource is created.
    pub(crate) fn forget_closed(&mut self) {
        self.ids.bound(false);
    }

    /// A fresh id for a resource of `kind` (allocation order).
    ///
    /// # Panics
    ///
    /// Past 65,536 distinct kinds (kinds are `'static` names in code).
    pub(crate) fn insert(&mut self, kind: &'static str) -> u64 {
        self.insert_indexed(kind).0
    }

    /// [`ResourceNames::insert`], also returning the kind's index, which
    /// [`ResourceNames::kind_name`] turns back into the name for as long
    /// as the table lives (kinds are never forgotten, ids may be): a
    /// resource keeps two bytes rather than a string slice.
    pub(crate) fn insert_indexed(&mut self, kind: &'static str) -> (u64, u16) {
        // A handful of kinds per run: a scan, newest first (the kind just
        // used is the likeliest next).
        let index = match self.kinds.iter().rposition(|&k| k == kind) {
            Some(i) => i,
            None => {
                self.kinds.push(kind);
                self.kinds.len() - 1
            }
        };
        let index = u16::try_from(index).expect("at most 65,536 resource kinds");
        (self.ids.insert(index, false), index)
    }

    /// The kind whose index [`ResourceNames::insert_indexed`] returned.
    pub(crate) fn kind_name(&self, index: u16) -> &'static str {
        self.kinds[usize::from(index)]
    }

    /// The kind of `id`, if still known.
    pub(crate) fn kind(&self, id: u64) -> Option<&'static str> {
        self.ids.get(id).map(|&i| self.kinds[usize::from(i)])
    }

    /// `id` is registered with epoll: keep its kind until
    /// [`ResourceNames::unregister`] (OS runtime only; the simulation keeps
    /// every kind anyway).
    pub(crate) fn register(&mut self, id: u64) {
        self.ids.pin(id);
    }

    /// `id` left epoll (it is closing): its kind is kept while it is among
    /// the recently closed.
    pub(crate) fn unregister(&mut self, id: u64) {
        self.ids.unpin(id);
    }

    /// How many kinds are held (a resource may be counted twice).
    #[cfg(test)]
    fn held(&self) -> usize {
        self.ids.held()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_simulation_names_every_resource_of_the_run() {
        let mut names = ResourceNames::all();
        let first = names.insert("tcp");
        for _ in 0..5000 {
            names.insert("udp");
        }
        assert_eq!(first, 1);
        assert_eq!(names.kind(first), Some("tcp"));
        let (_, udp) = names.insert_indexed("udp");
        assert_eq!(names.kind_name(udp), "udp");
        assert_eq!(names.kind(0), Some("none"));
        assert_eq!(names.held(), 5003);
    }

    #[test]
    fn the_os_names_recent_and_registered_resources_only() {
        let mut names = ResourceNames::all();
        names.forget_closed();
        let listener = names.insert("os-tcp-listener");
        assert_eq!(listener, 1, "ids continue where the table was");
        names.register(listener);
        let mut last = listener;
        for _ in 0..10 * RETAINED {
            last = names.insert("os-tcp");
        }
        assert_eq!(names.held(), RETAINED + 1, "bounded");
        assert_eq!(names.kind(listener), Some("os-tcp-listener"), "registered");
        assert_eq!(names.kind(last), Some("os-tcp"));
        assert_eq!(names.kind(last - RETAINED as u64 + 1), Some("os-tcp"));
        assert_eq!(names.kind(last - RETAINED as u64), None, "forgotten");
        assert_eq!(names.kind(last + 1), None, "not created yet");
        names.unregister(listener);
        assert_eq!(names.kind(listener), Some("os-tcp-listener"), "just closed");
        for _ in 0..RETAINED {
            names.insert("os-tcp");
        }
        assert_eq!(names.kind(listener), None, "closed long ago");
        assert_eq!(names.held(), RETAINED);
    }
}
