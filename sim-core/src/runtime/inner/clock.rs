//! Moving the clock: the next-due bound, delivering the timers and kernel
//! actions due now, and, when nothing is runnable, parking the kernel until
//! the next one (the simulation jumps its virtual clock there; the OS waits
//! in `epoll_wait`).

use crate::failure::FailureKind;
use crate::kernel::Parked;
use crate::runtime::RuntimeInner;
use crate::time::Instant;
use crate::trace::EventKind;

impl RuntimeInner {
    /// Lowers the next-due bound: a timer or kernel action at `at` exists.
    pub(crate) fn note_deadline(&self, at: Instant) {
        if at < self.next_due.get() {
            self.next_due.set(at);
        }
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
    /// recompute the bound.
    fn deliver_due_and_rebound(&self, now: Instant) {
        self.deliver_due_now(now);
        // Recomputed from the queues, so actions scheduled while delivering
        // are included.
        self.next_due.set(
            self.next_deadline()
                .unwrap_or(Instant::from_nanos(u64::MAX)),
        );
    }

    fn deliver_due_now(&self, now: Instant) {
        // First at its instant: what is due then sees the faults ended.
        self.end_faults_if_due(now);
        self.kernel.run_due(now);
        // One timer at a time, no borrow held while its waker runs: a waker
        // may spawn, sleep, or wake others (wakers may do anything).
        loop {
            let fired = self.timers.borrow_mut().pop_due(now);
            let Some((timer, waker)) = fired else { break };
            self.record(EventKind::TimerFired { timer });
            waker.wake();
        }
    }

    /// The earliest timer, kernel action, or end of faults (a liveness
    /// phase's end instant is an event of its own).
    fn next_deadline(&self) -> Option<Instant> {
        let next_timer = self.timers.borrow_mut().next_deadline();
        [next_timer, self.kernel.next_due(), self.faults_end_due()]
            .into_iter()
            .flatten()
            .min()
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
        let next = self.next_deadline();
        if next.is_some() {
            if let Some(failure) = self.missed_deadline(next) {
                // Nothing happens before the deadline: the clock stops
                // there, and the report is made at it.
                if let Some(at) = self.recovery_deadline() {
                    if let Ok(Parked::ClockJumped) = self.kernel.park(Some(at)) {
                        self.record(EventKind::ClockAdvanced);
                    }
                }
                self.fail(failure);
                return true;
            }
        }
        match self.kernel.park(next) {
            Ok(Parked::Never) => return false,
            Ok(Parked::ClockJumped) => self.record(EventKind::ClockAdvanced),
            Ok(Parked::Woken) => {}
            Err(e) => self.fail(FailureKind::Error(format!("epoll_wait failed: {e}"))),
        }
        self.next_due.set(Instant::ZERO);
        true
    }
}
