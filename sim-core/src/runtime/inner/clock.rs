//! Moving the clock: the next-due bound, delivering the timers and kernel
//! actions due now, and, when nothing is runnable, parking the kernel until
//! the next one (the simulation jumps its virtual clock there; the OS waits
//! in `epoll_wait`).

//!
//! The next-due bound caches the earliest deadline, so a turn asks the
//! queues only when something fired. Inserting lowers it, which keeps it
//! exact; cancelling a timer may leave it early, and then it is only a
//! lower bound until the next delivery recomputes it. Parking needs the
//! exact instant (the clock jumps there, and the jump is traced), so it
//! asks the queues only when the bound is not exact.

use std::task::Waker;

use crate::failure::FailureKind;
use crate::kernel::Parked;
use crate::runtime::RuntimeInner;
use crate::time::Instant;
use crate::time::timers::TimerKey;
use crate::time::wheel::WheelKey;
use crate::trace::EventKind;

/// The bound when nothing is pending.
const NEVER: Instant = Instant::from_nanos(u64::MAX);

impl RuntimeInner {
    /// Lowers the next-due bound: a timer or kernel action at `at` exists.
    /// An exact bound stays exact.
    pub(crate) fn note_deadline(&self, at: Instant) {
        if at < self.next_due.get() {
            self.next_due.set(at);
        }
    }

    /// Cancels a timer (a no-op for a fired or cancelled one), returning
    /// its waker for the caller to drop with no borrow held.
    pub(crate) fn cancel_timer(&self, key: TimerKey) -> Option<Waker> {
        let waker = self.timers.borrow_mut().remove(key);
        if waker.is_some() {
            // It may have been the earliest.
            self.next_due_exact.set(false);
        }
        waker
    }

    /// Cancels a kernel action, dropping it unrun: `false` for one that
    /// ran or was cancelled already.
    pub(crate) fn cancel_action(&self, key: WheelKey) -> bool {
        // Taken out first: no borrow of the queue is held while the
        // action's captures drop (they may schedule).
        let action = self.kernel.cancel(key);
        let Some(action) = action else { return false };
        // It may have been the earliest.
        self.next_due_exact.set(false);
        drop(action);
        true
    }

    /// Fires timers and kernel actions due at or before the turn's clock.
    #[inline]
    pub(super) fn deliver_due(&self) {
        let now = self.kernel.clock();
        if now >= self.next_due.get() {
            self.deliver_due_and_rebound(now);
        }
    }

    /// [`Self::deliver_due`]'s work, once something is due: deliver, then
    /// recompute the bound. Each queue's last look, the one that found
    /// nothing more due, already names its next deadline: the bound is
    /// made of those, so the queues are not asked twice.
    fn deliver_due_and_rebound(&self, now: Instant) {
        // First at its instant: what is due then sees the faults ended.
        self.end_faults_if_due(now);
        // Actions scheduled while actions run are in this answer.
        let next_action = self.kernel.run_due(now);
        // From here, a deadline noted lowers the bound from `NEVER`: that
        // is how an action scheduled by a timer's waker (after the action
        // queue's last look) shows.
        self.next_due.set(NEVER);
        // One timer at a time, no borrow held while its waker runs: a waker
        // may spawn, sleep, or wake others (wakers may do anything).
        let next_timer = loop {
            let fired = self.timers.borrow_mut().pop_or_next(now);
            match fired {
                Ok((timer, waker)) => {
                    self.record(EventKind::TimerFired { timer });
                    waker.wake();
                }
                // After the last waker: timers it set or cancelled count.
                Err(next) => break next,
            }
        };
        let next = if self.next_due.get() == NEVER {
            earlier(earlier(next_timer, next_action), self.faults_end_due())
        } else {
            // A waker scheduled something: ask the queues again.
            self.next_deadline()
        };
        self.next_due.set(next.unwrap_or(NEVER));
        self.next_due_exact.set(true);
    }

    /// The earliest timer, kernel action, or end of faults (a liveness
    /// phase's end instant is an event of its own).
    fn next_deadline(&self) -> Option<Instant> {
        let next_timer = self.timers.borrow_mut().next_deadline();
        let next = earlier(next_timer, self.kernel.next_due());
        earlier(next, self.faults_end_due())
    }

    /// [`Self::next_deadline`], from the bound when it is exact. (A bound
    /// of `NEVER` is ambiguous: nothing, or something at the end of time.
    /// The simulation must know which, since it jumps its clock there or
    /// reports a deadlock; the OS kernel parks alike for both, the end of
    /// time being 584 years away, so an IO-only OS runtime does not ask
    /// the queues at every park.)
    fn next_deadline_cached(&self) -> Option<Instant> {
        let bound = self.next_due.get();
        if self.next_due_exact.get() && bound != NEVER {
            debug_assert_eq!(Some(bound), self.next_deadline(), "an exact bound");
            return Some(bound);
        }
        if self.next_due_exact.get() && self.kernel.is_os() {
            debug_assert!(
                matches!(self.next_deadline(), None | Some(NEVER)),
                "an exact bound"
            );
            return None;
        }
        let next = self.next_deadline();
        self.next_due.set(next.unwrap_or(NEVER));
        self.next_due_exact.set(true);
        next
    }

    /// Nothing is runnable: park the kernel until the next timer or kernel
    /// action; what is due then is delivered at the start of the next turn.
    /// `false` when nothing can ever happen (a deadlock; the OS kernel
    /// never says so, since another thread may still wake a task).
    ///
    /// While a liveness phase waits for recovery, a clock that would move
    /// past the deadline stops there instead and the run fails (`true`:
    /// the loop sees the failure next); with nothing left to wait for, the
    /// caller's deadlock report says it is a liveness failure.
    pub(super) fn advance(&self) -> bool {
        let next = self.next_deadline_cached();
        if next.is_some() {
            if let Some(failure) = self.missed_deadline(next) {
                // Nothing happens before the deadline: the clock stops
                // there, and the report is made at it.
                if let Some(at) = self.recovery_deadline() {
                    if let Ok(Parked::ClockJumped) = self.kernel.park(Some(at)) {
                        self.record(EventKind::ClockAdvanced);
                    }
                }
                // The OS kernel's park leaves the clock to the next turn.
                self.kernel.begin_turn();
                self.fail(failure);
                return true;
            }
        }
        match self.kernel.park(next) {
            Ok(Parked::Never) => return false,
            Ok(Parked::ClockJumped) => self.record(EventKind::ClockAdvanced),
            Ok(Parked::Woken) => {}
            Err(e) => {
                self.kernel.begin_turn();
                self.fail(FailureKind::Error(format!("epoll_wait failed: {e}")));
            }
        }
        // `next_due` stays: it is `next`, or lower if something was
        // scheduled meanwhile, and whatever is due at the clock now is
        // delivered at the start of the next turn.
        true
    }
}

/// The earlier of two optional instants.
#[inline]
fn earlier(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}
