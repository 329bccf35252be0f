//! Resource names for reports: the kind of every resource id (`tcp#3`).
//!
//! Under the simulation every resource of the run keeps its kind (16 bytes
//! each), so a report names whatever its events mention. The OS runtime
//! may open sockets forever, so it keeps the kinds of resources registered
//! with epoll for as long as they are (a listener opened at start-up is
//! still named after a million connections), and of the [`RETAINED`]
//! resources most recently created or closed (a report is built after the
//! failing task's sockets closed); older ones print as `#id`.

use std::collections::{BTreeMap, VecDeque};

/// How many recently created resources the OS runtime still names.
pub(crate) const RETAINED: usize = 1024;

/// The table; see the module docs.
pub(crate) enum ResourceNames {
    /// Every resource's kind, by id (dense from 1; 0 is "none").
    All(Vec<&'static str>),
    /// Registered resources, and the last [`RETAINED`] created or closed,
    /// oldest first.
    Recent {
        next: u64,
        registered: BTreeMap<u64, &'static str>,
        recent: VecDeque<(u64, &'static str)>,
    },
}

impl ResourceNames {
    /// A table that keeps every resource (the simulation).
    pub(crate) fn all() -> ResourceNames {
        ResourceNames::All(vec!["none"])
    }

    /// Switches to the OS runtime's bounded table. Call it before the first
    /// resource is created.
    pub(crate) fn forget_closed(&mut self) {
        if let ResourceNames::All(all) = self {
            let next = all.len() as u64;
            let skip = all.len().saturating_sub(RETAINED);
            *self = ResourceNames::Recent {
                next,
                registered: BTreeMap::new(),
                recent: (skip as u64..).zip(all.drain(skip..)).collect(),
            };
        }
    }

    /// A fresh id for a resource of `kind` (allocation order).
    pub(crate) fn insert(&mut self, kind: &'static str) -> u64 {
        match self {
            ResourceNames::All(all) => {
                all.push(kind);
                all.len() as u64 - 1
            }
            ResourceNames::Recent { next, recent, .. } => {
                let id = *next;
                *next += 1;
                remember(recent, id, kind);
                id
            }
        }
    }

    /// The kind of `id`, if still known.
    pub(crate) fn kind(&self, id: u64) -> Option<&'static str> {
        match self {
            ResourceNames::All(all) => all.get(id as usize).copied(),
            ResourceNames::Recent {
                registered, recent, ..
            } => registered.get(&id).copied().or_else(|| {
                recent
                    .iter()
                    .rev()
                    .find(|(i, _)| *i == id)
                    .map(|(_, kind)| *kind)
            }),
        }
    }

    /// `id` is registered with epoll: keep its kind until
    /// [`ResourceNames::unregister`] (OS runtime only; the simulation keeps
    /// every kind anyway).
    pub(crate) fn register(&mut self, id: u64) {
        if let Some(kind) = self.kind(id) {
            if let ResourceNames::Recent { registered, .. } = self {
                registered.insert(id, kind);
            }
        }
    }

    /// `id` left epoll (it is closing): its kind is kept while it is among
    /// the recently closed.
    pub(crate) fn unregister(&mut self, id: u64) {
        if let ResourceNames::Recent {
            registered, recent, ..
        } = self
        {
            if let Some(kind) = registered.remove(&id) {
                remember(recent, id, kind);
            }
        }
    }

    /// How many kinds are held (a resource may be counted twice).
    #[cfg(test)]
    fn held(&self) -> usize {
        match self {
            ResourceNames::All(all) => all.len(),
            ResourceNames::Recent {
                recent, registered, ..
            } => recent.len() + registered.len(),
        }
    }
}

/// Appends to the ring of recent resources, dropping its oldest entry
/// beyond [`RETAINED`].
fn remember(recent: &mut VecDeque<(u64, &'static str)>, id: u64, kind: &'static str) {
    if recent.len() == RETAINED {
        recent.pop_front();
    }
    recent.push_back((id, kind));
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
        assert_eq!(names.kind(0), Some("none"));
        assert_eq!(names.held(), 5002);
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
