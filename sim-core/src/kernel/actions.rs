//! [`ActionQueue`]: actions scheduled at an instant, run when it is due.
//!
//! The kernel owns one, whichever its backend: device actions (a segment
//! lands in a buffer, a completion is due, a retransmission fires) are
//! scheduled through `KernelHandle::schedule_at` on either runtime. The
//! queue orders actions by `(time, tie-break, sequence)`. The tie-break is
//! the caller's: the simulated kernel draws it from the run's delivery
//! stream, so actions due at the same instant run in an order the seed
//! chooses; the OS kernel passes zero, so they run first-scheduled-first.

use std::cell::RefCell;

use crate::time::Instant;
use crate::time::wheel::{Wheel, WheelKey};

pub(crate) use crate::kernel::event::Action;

/// The queue; see the module docs. A [`Wheel`]: the cost per action does
/// not grow with the number of actions pending. Unbounded: every entry is
/// an action a device is owed (a segment in flight, a pending completion),
/// and dropping one would lose it; devices bound what they put in flight.
#[derive(Default)]
pub(crate) struct ActionQueue {
    queue: RefCell<Wheel<Action>>,
}

impl ActionQueue {
    /// Schedules `action` at `at`, ordered by `tie` among the actions due at
    /// the same instant (then by scheduling order).
    pub(crate) fn push(&self, at: Instant, tie: u64, action: Action) {
        self.queue.borrow_mut().insert(at, tie, action);
    }

    /// [`ActionQueue::push`], returning the key that cancels the action.
    pub(crate) fn push_keyed(&self, at: Instant, tie: u64, action: Action) -> WheelKey {
        self.queue.borrow_mut().insert(at, tie, action)
    }

    /// Takes a pending action out, unrun; `None` once it ran or was
    /// cancelled. The caller drops it once it holds no borrow.
    pub(crate) fn remove(&self, key: WheelKey) -> Option<Action> {
        self.queue.borrow_mut().remove(key)
    }

    /// When the next action is due.
    #[inline]
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.queue.borrow_mut().next_deadline()
    }

    /// Runs every action due at or before `now`, in queue order, and
    /// says when the next one is due (`None`: none is pending). Actions
    /// may schedule further actions; those due now run in this call too,
    /// and the later ones count in the answer. No borrow is held while an
    /// action runs.
    #[inline]
    pub(crate) fn run_due(&self, now: Instant) -> Option<Instant> {
        loop {
            // One look per action, and the look that finds nothing due
            // already knows the next deadline.
            let next = self.queue.borrow_mut().pop_or_next(now);
            match next {
                Ok(s) => s.value.run(),
                Err(next) => return next,
            }
        }
    }

    /// Removes every pending action, returning them to be dropped outside
    /// any borrow.
    pub(crate) fn clear(&self) -> Vec<Action> {
        self.queue.borrow_mut().drain()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    fn log_into(log: &Rc<RefCell<Vec<u32>>>, n: u32) -> Action {
        let log = Rc::clone(log);
        Action::from(move || log.borrow_mut().push(n))
    }

    #[test]
    fn actions_run_in_time_then_tie_then_scheduling_order() {
        let queue = ActionQueue::default();
        let log = Rc::new(RefCell::new(Vec::new()));
        let at = |ns| Instant::from_nanos(ns);
        queue.push(at(20), 0, log_into(&log, 1));
        queue.push(at(10), 7, log_into(&log, 2));
        queue.push(at(10), 3, log_into(&log, 3));
        queue.push(at(10), 3, log_into(&log, 4));
        assert_eq!(queue.next_due(), Some(at(10)));
        assert_eq!(queue.run_due(at(15)), Some(at(20)), "not due yet: kept");
        assert_eq!(*log.borrow(), [3, 4, 2], "earlier tie first, then FIFO");
        assert_eq!(queue.next_due(), Some(at(20)));
        assert_eq!(queue.run_due(at(20)), None);
        assert_eq!(*log.borrow(), [3, 4, 2, 1]);
        assert_eq!(queue.next_due(), None);
    }

    #[test]
    fn an_action_scheduled_due_while_running_runs_in_the_same_call() {
        let queue = Rc::new(ActionQueue::default());
        let log = Rc::new(RefCell::new(Vec::new()));
        let (q, l) = (Rc::clone(&queue), Rc::clone(&log));
        queue.push(
            Instant::from_nanos(5),
            0,
            Action::from(move || {
                l.borrow_mut().push(1);
                q.push(Instant::from_nanos(5), 0, log_into(&l, 2));
            }),
        );
        assert_eq!(queue.run_due(Instant::from_nanos(5)), None);
        assert_eq!(*log.borrow(), [1, 2]);
        assert_eq!(queue.next_due(), None);
    }

    #[test]
    fn a_removed_action_never_runs_and_a_ran_one_cannot_be_removed() {
        let queue = ActionQueue::default();
        let log = Rc::new(RefCell::new(Vec::new()));
        let at = |ns| Instant::from_nanos(ns);
        let first = queue.push_keyed(at(10), 0, log_into(&log, 1));
        let second = queue.push_keyed(at(20), 0, log_into(&log, 2));
        assert!(queue.remove(second).is_some());
        assert!(queue.remove(second).is_none(), "already removed");
        assert_eq!(queue.next_due(), Some(at(10)));
        queue.run_due(at(30));
        assert_eq!(*log.borrow(), [1]);
        assert!(queue.remove(first).is_none(), "it ran");
        assert_eq!(queue.next_due(), None);
    }
}
