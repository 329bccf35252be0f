use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::runtime::home::Deferred;
use crate::runtime::{Home, WaitReason, context};
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
    context::with_runtime("detsim::time::sleep", |rt| Sleep {
        home: Home::of(rt),
        deadline: rt.now().saturating_add(duration),
        key: None,
    })
}

/// Waits until the runtime's clock reaches `deadline`.
///
/// # Panics
///
/// Outside a detsim runtime.
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        home: Home::current("detsim::time::sleep_until"),
        deadline,
        key: None,
    }
}

/// Future returned by [`sleep`] and [`sleep_until`].
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    home: Home,
    deadline: Instant,
    key: Option<TimerKey>,
}

impl Sleep {
    /// When this sleep completes.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The runtime this sleep runs on.
    pub(crate) fn home(&self) -> &Home {
        &self.home
    }

    /// Whether the deadline has passed.
    ///
    /// # Panics
    ///
    /// Unless the sleep's runtime runs on this thread.
    #[track_caller]
    pub fn is_elapsed(&self) -> bool {
        let deadline = self.deadline;
        self.home
            .with(|| self.describe(), |rt| rt.now() >= deadline)
    }

    fn describe(&self) -> String {
        format!("a sleep until t={}", self.deadline)
    }

    /// Moves the deadline, keeping the future (as `tokio::time::Sleep::reset`).
    pub fn reset(&mut self, deadline: Instant) {
        self.cancel();
        self.deadline = deadline;
    }

    fn cancel(&mut self) {
        if let Some(key) = self.key.take() {
            self.home.release(
                |rt| {
                    let waker = rt.cancel_timer(key);
                    drop(waker);
                },
                Deferred::Timer(key),
            );
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        // Where this sleep is now: the timer's hint (see `Timers`).
        let address = std::ptr::from_mut(this).addr();
        let Sleep {
            home,
            deadline,
            key,
        } = this;
        let deadline = *deadline;
        home.with(
            || format!("a sleep until t={deadline}"),
            |rt| {
                // A timer fires only once the clock has reached its
                // deadline, so the clock alone says whether it fired.
                if rt.now() >= deadline {
                    if let Some(key) = key.take() {
                        let waker = rt.cancel_timer(key);
                        drop(waker);
                    }
                    return Poll::Ready(());
                }
                match *key {
                    Some(key) => {
                        let old = rt
                            .timers
                            .borrow_mut()
                            .update_waker(key, cx.waker(), address);
                        drop(old);
                    }
                    None => {
                        // The timer table is the runtime's memory.
                        let _untracked = crate::alloc::Untracked::new();
                        let new =
                            rt.timers
                                .borrow_mut()
                                .insert(deadline, cx.waker().clone(), address);
                        rt.note_deadline(deadline);
                        *key = Some(new);
                    }
                }
                rt.note_wait(WaitReason::Sleep { until: deadline });
                Poll::Pending
            },
        )
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
