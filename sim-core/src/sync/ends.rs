//! The live handles of one end of a channel (its senders, or its
//! receivers): how many there are, and for deadlock reports where each was
//! created and which task last used it.
//!
//! A handle is a value that may move between tasks without detsim seeing
//! it, so "the task it is in" is approximated by the task that last used
//! it (sent, received, reserved, waited for the other end to close), or
//! else the task that created it; reports say which.

use std::collections::BTreeMap;

use crate::sync::deadlock::ReportCtx;
use crate::sync::stamp::{Owner, Stamp};

/// One handle's entry among its end's live handles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EndId(u64);

struct End {
    created: Stamp,
    last_used: Option<Owner>,
}

/// See the module docs.
#[derive(Default)]
pub(crate) struct Ends {
    live: BTreeMap<u64, End>,
    next: u64,
}

impl Ends {
    /// A new handle, created as `created` says.
    pub(crate) fn add(&mut self, created: Stamp) -> EndId {
        let _untracked = crate::alloc::Untracked::new();
        let id = self.next;
        self.next += 1;
        self.live.insert(
            id,
            End {
                created,
                last_used: None,
            },
        );
        EndId(id)
    }

    /// The handle was dropped.
    pub(crate) fn remove(&mut self, id: EndId) {
        self.live.remove(&id.0);
    }

    /// The current task used the handle.
    pub(crate) fn used(&mut self, id: EndId) {
        if let Some(end) = self.live.get_mut(&id.0) {
            end.last_used = Some(Owner::current());
        }
    }

    /// How many handles are alive.
    pub(crate) fn count(&self) -> usize {
        self.live.len()
    }

    /// The tasks the handles are probably in: for each, the task that
    /// last used it, else the one that created it.
    pub(crate) fn owners(&self) -> Vec<Owner> {
        self.live
            .values()
            .map(|e| e.last_used.unwrap_or(e.created.owner))
            .collect()
    }

    /// `1 sender alive (last used by task `d`)`, `2 senders alive (1 last
    /// used by task `d`; 1 created at src/x.rs:4:9 by task `main`, never
    /// used)`, or `all senders dropped`; `what` is the singular noun.
    pub(crate) fn describe(&self, what: &str, ctx: &ReportCtx<'_>) -> String {
        let n = self.live.len();
        if n == 0 {
            return format!("all {what}s dropped");
        }
        // Each distinct clause once, with how many handles it describes,
        // in order of first appearance.
        let mut clauses: Vec<(String, usize)> = Vec::new();
        for end in self.live.values() {
            let clause = match end.last_used {
                Some(owner) => format!("last used by {}", ctx.task(owner)),
                None => format!(
                    "created at {} by {}, never used",
                    end.created.at,
                    ctx.task(end.created.owner)
                ),
            };
            match clauses.iter_mut().find(|(c, _)| *c == clause) {
                Some((_, k)) => *k += 1,
                None => clauses.push((clause, 1)),
            }
        }
        let plural = if n == 1 { "" } else { "s" };
        let shown = clauses.len().min(4);
        let mut parts: Vec<String> = clauses[..shown]
            .iter()
            .map(|(c, k)| {
                if n == 1 {
                    c.clone()
                } else {
                    format!("{k} {c}")
                }
            })
            .collect();
        if clauses.len() > shown {
            parts.push("...".to_string());
        }
        format!("{n} {what}{plural} alive ({})", parts.join("; "))
    }
}
