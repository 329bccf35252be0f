use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::runtime::{RuntimeInner, WaitReason, context};
use crate::time::Instant;
use crate::time::timers::TimerKey;

/// Waits until `duration` has passed on the runtime's clock.
///
/// A zero duration completes at the first poll without yielding.
///
/// # Panics
///
/// Outside a detsim runtime.
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    let rt = context::runtime("detsim::time::sleep");
    let deadline = rt.now().saturating_add(duration);
    Sleep {
        rt,
        deadline,
        key: None,
    }
}

/// Waits until the runtime's clock reaches `deadline`.
///
/// # Panics
///
/// Outside a detsim runtime.
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    let rt = context::runtime("detsim::time::sleep_until");
    Sleep {
        rt,
        deadline,
        key: None,
    }
}

/// Future returned by [`sleep`] and [`sleep_until`].
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    rt: Rc<RuntimeInner>,
    deadline: Instant,
    key: Option<TimerKey>,
}

impl Sleep {
    /// When this sleep completes.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The runtime this sleep runs on.
    pub(crate) fn runtime(&self) -> &Rc<RuntimeInner> {
        &self.rt
    }

    /// Whether the deadline has passed.
    pub fn is_elapsed(&self) -> bool {
        self.rt.now() >= self.deadline
    }

    /// Moves the deadline, keeping the future (as `tokio::time::Sleep::reset`).
    pub fn reset(&mut self, deadline: Instant) {
        self.cancel();
        self.deadline = deadline;
    }

    fn cancel(&mut self) {
        if let Some(key) = self.key.take() {
            let waker = self.rt.timers.borrow_mut().remove(key);
            drop(waker);
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.rt
            .check_current(|| format!("a sleep until t={}", this.deadline));
        let fired = this
            .key
            .is_some_and(|k| this.rt.timers.borrow().has_fired(k));
        if fired || this.rt.now() >= this.deadline {
            this.cancel();
            return Poll::Ready(());
        }
        match this.key {
            Some(key) => {
                let old = this.rt.timers.borrow_mut().update_waker(key, cx.waker());
                drop(old);
            }
            None => {
                let key = this
                    .rt
                    .timers
                    .borrow_mut()
                    .insert(this.deadline, cx.waker().clone());
                this.rt.note_deadline(this.deadline);
                this.key = Some(key);
            }
        }
        this.rt.note_wait(WaitReason::Sleep {
            until: this.deadline,
        });
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.cancel();
    }
}

impl std::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .finish()
    }
}
