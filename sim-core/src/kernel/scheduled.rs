//! Cancellable kernel actions. A device's timeout that stops mattering
//! (a SYN retransmission once the handshake is answered, as Linux stops
//! its retransmission timer) is taken out of the action queue rather than
//! left to run later as a no-op: it keeps neither memory nor a deadline
//! the clock would jump to.

use std::rc::{Rc, Weak};
use std::time::Duration;

use crate::alloc::Untracked;
use crate::kernel::KernelHandle;
use crate::kernel::event::Action;
use crate::runtime::RuntimeInner;
use crate::time::wheel::WheelKey;

/// An action scheduled by [`KernelHandle::schedule_cancellable_after`],
/// to hand to [`KernelHandle::cancel`]. Dropping it cancels nothing; once
/// the action ran or was cancelled it is stale, and cancelling it again
/// does nothing. It remembers its runtime: the same code run under another
/// seed numbers its actions alike, and a key carried over must not cancel
/// that run's action.
#[derive(Clone, Debug)]
pub struct ScheduledAction {
    key: WheelKey,
    /// Weak, so the runtime's allocation (its identity) is not reused
    /// while this key exists, and the key keeps the runtime alive no longer.
    rt: Weak<RuntimeInner>,
}

impl KernelHandle {
    /// [`KernelHandle::schedule_after`], returning what cancels the action
    /// before it runs. Scheduling draws what `schedule_after` draws
    /// (the seeded order among actions due at the same instant), so
    /// cancelling later does not move any other draw.
    pub fn schedule_cancellable_after(
        &self,
        delay: Duration,
        action: impl FnOnce() + 'static,
    ) -> ScheduledAction {
        // The queue may grow: detsim's memory, not the poll's.
        let _untracked = Untracked::new();
        let rt = self.runtime();
        let at = rt.now().saturating_add(delay);
        let key = rt.kernel.schedule_keyed(at, Action::from(action));
        rt.note_deadline(at);
        ScheduledAction {
            key,
            rt: Rc::downgrade(self.runtime_rc()),
        }
    }

    /// Cancels an action of this kernel before it runs, dropping it unrun:
    /// `false` (and nothing done) once it ran or was cancelled already.
    ///
    /// # Panics
    ///
    /// If `action` was scheduled on another runtime's kernel (one carried
    /// out of an earlier run, say): it is not this one's to cancel, and
    /// cancelling by its number would drop an unrelated action.
    #[track_caller]
    pub fn cancel(&self, action: ScheduledAction) -> bool {
        if !std::ptr::eq(action.rt.as_ptr(), self.runtime()) {
            panic!(
                "detsim: KernelHandle::cancel was given an action scheduled on another \
                 runtime's kernel (seed {:#x} cancels here); schedule and cancel on the same \
                 run's KernelHandle",
                self.runtime().seed
            );
        }
        self.runtime().cancel_action(action.key)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use super::*;

    #[test]
    fn a_cancelled_action_never_runs_and_a_ran_one_cannot_be_cancelled() {
        crate::Runtime::sim(0).block_on(async {
            let k = KernelHandle::current();
            let ran = Rc::new(Cell::new(0));
            let r = Rc::clone(&ran);
            let late = k.schedule_cancellable_after(Duration::from_secs(5), move || r.set(1));
            let r = Rc::clone(&ran);
            let soon = k.schedule_cancellable_after(Duration::from_millis(1), move || r.set(2));
            assert!(k.cancel(late.clone()));
            assert!(!k.cancel(late), "cancelled already");
            crate::time::sleep(Duration::from_millis(2)).await;
            assert_eq!(ran.get(), 2);
            assert!(!k.cancel(soon), "it ran");
        });
    }

    #[test]
    #[should_panic(expected = "scheduled on another runtime's kernel")]
    fn an_action_of_an_earlier_run_is_refused_not_matched_by_number() {
        let schedule = || {
            crate::Runtime::sim(0).block_on(async {
                KernelHandle::current().schedule_cancellable_after(Duration::from_secs(5), || {})
            })
        };
        let earlier = schedule();
        crate::Runtime::sim(0).block_on(async {
            // This run's first action has the same number as `earlier`.
            let _same_number = schedule_here();
            KernelHandle::current().cancel(earlier);
        });
        fn schedule_here() -> ScheduledAction {
            KernelHandle::current().schedule_cancellable_after(Duration::from_secs(5), || {})
        }
    }
}
