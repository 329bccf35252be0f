//! The shared state behind `Semaphore`, `Mutex` and `RwLock`: FIFO
//! permits plus a record of who holds them (for deadlock reports), and
//! how a report describes a task waiting on one of them.

use std::collections::BTreeMap;
use std::panic::Location;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::sync::acquire::{Acquire, Closed, PermitHost};
use crate::sync::deadlock::{Op, ReportCtx, WaitTarget, list};
use crate::sync::permits::{NotNow, Permits, Wakers, wake_all};
use crate::sync::stamp::{Label, Owner, Stamp, lock};

/// Which primitive the permits serve: it changes only the report's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    Semaphore,
    Mutex,
    /// A writer takes `max_readers` permits, a reader one.
    RwLock {
        max_readers: u32,
    },
}

/// One outstanding guard or permit: how many permits, who took them.
pub(crate) struct Hold {
    pub(crate) permits: usize,
    pub(crate) stamp: Stamp,
}

/// A guard's or permit's entry among the holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HoldId(u64);

pub(crate) struct SemState {
    pub(crate) permits: Permits,
    holds: BTreeMap<u64, Hold>,
    next_hold: u64,
    label: Label,
    flavor: Flavor,
}

impl SemState {
    /// Records that `stamp`'s task now holds `permits` permits.
    pub(crate) fn add_hold(&mut self, permits: usize, stamp: Stamp) -> HoldId {
        let _untracked = crate::alloc::Untracked::new();
        let id = self.next_hold;
        self.next_hold += 1;
        self.holds.insert(id, Hold { permits, stamp });
        HoldId(id)
    }
}

/// See the module docs. Always in an `Arc`: deadlock notes point at it.
pub(crate) struct SemShared {
    state: Mutex<SemState>,
}

impl SemShared {
    pub(crate) fn new(
        flavor: Flavor,
        permits: usize,
        at: &'static Location<'static>,
    ) -> Arc<SemShared> {
        let kind = match flavor {
            Flavor::Semaphore => "Semaphore",
            Flavor::Mutex => "Mutex",
            Flavor::RwLock { .. } => "RwLock",
        };
        Arc::new(SemShared {
            state: Mutex::new(SemState {
                permits: Permits::new(permits),
                holds: BTreeMap::new(),
                next_hold: 0,
                label: Label::new(kind, at),
                flavor,
            }),
        })
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, SemState> {
        lock(&self.state)
    }

    pub(crate) fn set_name(&self, name: impl Into<String>) {
        self.state().label.set_name(name);
    }

    pub(crate) fn name(&self) -> Option<String> {
        self.state().label.name().map(str::to_string)
    }

    /// Waits for `n` permits (FIFO) to do `op`, called at `at`, and
    /// records the caller as their holder.
    pub(crate) async fn acquire(
        self: &Arc<Self>,
        n: usize,
        op: Op,
        at: &'static Location<'static>,
    ) -> Result<HoldId, Closed> {
        Acquire::new(self, n, op, at).await?;
        Ok(self.state().add_hold(n, Stamp::now(at)))
    }

    /// Takes `n` permits now if that is possible without waiting.
    pub(crate) fn try_acquire(
        &self,
        n: usize,
        at: &'static Location<'static>,
    ) -> Result<HoldId, NotNow> {
        let mut st = self.state();
        st.permits.try_take(n)?;
        Ok(st.add_hold(n, Stamp::now(at)))
    }

    /// A guard or permit was dropped: its permits go back (none if its
    /// hold was forgotten or merged into another).
    pub(crate) fn release(&self, hold: HoldId) {
        let mut wakers = Wakers::new();
        let mut st = self.state();
        if let Some(h) = st.holds.remove(&hold.0) {
            st.permits.release(h.permits, &mut wakers);
        }
        drop(st);
        wake_all(wakers);
    }

    /// The hold ends without giving its permits back (`forget`).
    pub(crate) fn forget(&self, hold: HoldId) {
        self.state().holds.remove(&hold.0);
    }

    /// How many permits a hold has.
    pub(crate) fn permits_of(&self, hold: HoldId) -> usize {
        self.state().holds.get(&hold.0).map_or(0, |h| h.permits)
    }

    /// Moves `from`'s permits into `into`.
    pub(crate) fn merge(&self, into: HoldId, from: HoldId) {
        let mut st = self.state();
        let moved = st.holds.remove(&from.0).map_or(0, |h| h.permits);
        if let Some(h) = st.holds.get_mut(&into.0) {
            h.permits += moved;
        }
    }

    /// Splits `n` permits off `hold` into a new hold, if it has `n`.
    pub(crate) fn split(&self, hold: HoldId, n: usize) -> Option<HoldId> {
        let mut st = self.state();
        let h = st.holds.get_mut(&hold.0)?;
        if h.permits < n {
            return None;
        }
        h.permits -= n;
        let stamp = h.stamp;
        Some(st.add_hold(n, stamp))
    }

    pub(crate) fn add_permits(&self, n: usize) {
        let mut wakers = Wakers::new();
        self.state().permits.release(n, &mut wakers);
        wake_all(wakers);
    }

    pub(crate) fn close(&self) {
        let mut wakers = Wakers::new();
        self.state().permits.close(&mut wakers);
        wake_all(wakers);
    }
}

impl PermitHost for SemShared {
    fn with_permits<R>(&self, f: impl FnOnce(&mut Permits) -> R) -> R {
        f(&mut self.state().permits)
    }
}

impl WaitTarget for SemShared {
    fn label(&self, _op: Op) -> String {
        self.state().label.whole()
    }

    fn describe(&self, op: Op, ctx: &ReportCtx<'_>) -> String {
        let st = self.state();
        let queued: Vec<Owner> = st.permits.queued().map(|w| w.stamp.owner).collect();
        let queue = if queued.len() > 1 {
            format!("; queued: {}", ctx.tasks(queued))
        } else {
            String::new()
        };
        let holds: Vec<&Hold> = st.holds.values().collect();
        let label = st.label.whole();
        match (st.flavor, op) {
            (Flavor::Mutex, _) => match holds.first() {
                Some(h) => format!(
                    "{label} (held by {}, locked at {}{queue})",
                    ctx.task(h.stamp.owner),
                    h.stamp.at
                ),
                None => format!("{label} (not held{queue})"),
            },
            (Flavor::RwLock { max_readers }, op) => {
                let want = if op == Op::Write { "write" } else { "read" };
                let writer = holds.first().filter(|h| h.permits >= max_readers as usize);
                let held = match writer {
                    Some(w) => format!(
                        "held for writing by {}, locked at {}",
                        ctx.task(w.stamp.owner),
                        w.stamp.at
                    ),
                    None if holds.is_empty() => "not held".to_string(),
                    None => {
                        let readers: Vec<String> = holds
                            .iter()
                            .map(|h| format!("{} at {}", ctx.task(h.stamp.owner), h.stamp.at))
                            .collect();
                        format!("held for reading by {}", list(&readers, 4))
                    }
                };
                format!("{label} to {want} ({held}{queue})")
            }
            (Flavor::Semaphore, op) => {
                let n = match op {
                    Op::Acquire(n) => n as usize,
                    _ => 1,
                };
                let plural = if n == 1 { "" } else { "s" };
                let held = if holds.is_empty() {
                    "no permit is held".to_string()
                } else {
                    let each: Vec<String> = holds
                        .iter()
                        .map(|h| {
                            format!(
                                "{} by {} (acquired at {})",
                                h.permits,
                                ctx.task(h.stamp.owner),
                                h.stamp.at
                            )
                        })
                        .collect();
                    format!("held: {}", list(&each, 4))
                };
                format!(
                    "{label} for {n} permit{plural} ({} available; {held}{queue})",
                    st.permits.available()
                )
            }
        }
    }

    fn blockers(&self, _op: Op) -> Vec<Owner> {
        self.state().holds.values().map(|h| h.stamp.owner).collect()
    }
}
