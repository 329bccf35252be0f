//! Moving the clock: the next-due bound, delivering the timers and kernel
//! events due now, and, when nothing is runnable, jumping the virtual clock
//! to the next one (or, on the OS kernel, parking in `epoll_wait`).

use crate::failure::FailureKind;
use crate::runtime::RuntimeInner;
use crate::time::Instant;
use crate::trace::EventKind;

impl RuntimeInner {
    /// Lowers the next-due bound: a timer or kernel event at `at` exists.
    pub(crate) fn note_deadline(&self, at: Instant) {
        if at < self.next_due.get() {
            self.next_due.set(at);
        }
    }

    /// Fires timers and kernel events due at or before now.
    #[inline]
    pub(super) fn deliver_due(&self) {
        let now = self.clock.get();
        if now >= self.next_due.get() {
            self.deliver_due_and_rebound(now);
        }
    }

    /// [`Self::deliver_due`]'s work, once something is due: deliver, then
    /// recompute the bound.
    fn deliver_due_and_rebound(&self, now: Instant) {
        self.deliver_due_now(now);
        let next_timer = self.timers.borrow_mut().next_deadline();
        let next = match (next_timer, self.kernel.next_due()) {
            (Some(a), Some(b)) => a.min(b),
            (Some(t), None) | (None, Some(t)) => t,
            (None, None) => Instant::from_nanos(u64::MAX),
        };
        // Recomputed from the queues, so events scheduled while delivering
        // are included.
        self.next_due.set(next);
    }

    fn deliver_due_now(&self, now: Instant) {
        if self.kernel.next_due().is_some_and(|t| t <= now) {
            self.kernel.deliver_due(now);
        }
        // One timer at a time, no borrow held while its waker runs: a waker
        // may spawn, sleep, or wake others (wakers may do anything).
        loop {
            let fired = self.timers.borrow_mut().pop_due(now);
            let Some((timer, waker)) = fired else { break };
            self.record(EventKind::TimerFired { timer });
            waker.wake();
        }
    }

    /// Nothing is runnable: jump the clock to the next timer or kernel event
    /// and deliver it. `false` when there is nothing to wait for.
    pub(super) fn advance(&self) -> bool {
        #[cfg(target_os = "linux")]
        if let Some(os) = &self.os {
            return self.park_os(os);
        }
        let next_timer = self.timers.borrow_mut().next_deadline();
        let next = match (next_timer, self.kernel.next_due()) {
            (None, None) => return false,
            (Some(t), None) | (None, Some(t)) => t,
            (Some(a), Some(b)) => a.min(b),
        };
        if next > self.clock.get() {
            self.clock.set(next);
            self.record(EventKind::ClockAdvanced);
        }
        self.deliver_due();
        true
    }

    /// OS parking: `epoll_wait` until the next timer or scheduled action.
    /// Never reports a deadlock: another thread may still wake a task.
    #[cfg(target_os = "linux")]
    fn park_os(&self, os: &crate::kernel::os::OsKernel) -> bool {
        let next_timer = self.timers.borrow_mut().next_deadline();
        let next = match (next_timer, self.kernel.next_due()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let timeout = next.map(|t| t.saturating_duration_since(os.now()));
        if let Err(e) = os.park(timeout) {
            self.fail(FailureKind::Error(format!("epoll_wait failed: {e}")));
        }
        self.clock.set(os.now());
        self.next_due.set(Instant::ZERO);
        true
    }
}
