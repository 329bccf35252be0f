//! `sleep`, `sleep_until` and `Sleep`: a timer of either world.
//!
//! A `Sleep` is made in the world of the call that creates it and stays
//! there. A detsim sleep used outside its run panics with detsim's message
//! (naming the run it belongs to); a tokio sleep that would wait inside a
//! detsim run panics too, since no tokio timer driver advances there and
//! the run would otherwise end in a deadlock with no cause.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use pin_project_lite::pin_project;

use crate::time::Instant;
use crate::world::in_detsim;

/// Waits until `duration` has elapsed (`tokio::time::sleep`).
///
/// Inside a detsim run it waits on the virtual clock, which jumps to the
/// next deadline when no task can run: an hour's sleep takes microseconds.
/// Anywhere else it is tokio's (and panics, like tokio's, outside a tokio
/// runtime).
///
/// ```
/// use detsim_tokio::time::{sleep, Duration, Instant};
///
/// detsim::Runtime::sim(8).block_on(async {
///     let start = Instant::now();
///     sleep(Duration::from_millis(250)).await;
///     assert_eq!(start.elapsed(), Duration::from_millis(250));
/// });
/// ```
#[inline]
#[track_caller]
pub fn sleep(duration: Duration) -> Sleep {
    if in_detsim() {
        Sleep::sim(detsim::time::sleep(duration))
    } else {
        Sleep::tokio(tokio::time::sleep(duration))
    }
}

/// Waits until `deadline` (`tokio::time::sleep_until`).
///
/// ```
/// use detsim_tokio::time::{sleep_until, Duration, Instant};
///
/// detsim::Runtime::sim(8).block_on(async {
///     let deadline = Instant::now() + Duration::from_secs(2);
///     sleep_until(deadline).await;
///     assert_eq!(Instant::now(), deadline);
/// });
/// ```
#[inline]
#[track_caller]
pub fn sleep_until(deadline: Instant) -> Sleep {
    if in_detsim() {
        Sleep::sim(detsim::time::sleep_until(deadline.to_sim()))
    } else {
        Sleep::tokio(tokio::time::sleep_until(deadline.to_tokio()))
    }
}

pin_project! {
    /// The future of [`sleep`] and [`sleep_until`] (`tokio::time::Sleep`).
    ///
    /// `!Unpin`, like tokio's: pin it (`tokio::pin!`, `Box::pin`) to poll
    /// it by reference or [`reset`](Sleep::reset) it.
    #[derive(Debug)]
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Sleep {
        #[pin]
        world: World,
    }
}

pin_project! {
    #[project = WorldProj]
    #[derive(Debug)]
    enum World {
        Tokio { #[pin] sleep: tokio::time::Sleep },
        Sim { sleep: detsim::time::Sleep },
    }
}

impl Sleep {
    fn tokio(sleep: tokio::time::Sleep) -> Sleep {
        Sleep {
            world: World::Tokio { sleep },
        }
    }

    fn sim(sleep: detsim::time::Sleep) -> Sleep {
        Sleep {
            world: World::Sim { sleep },
        }
    }

    /// When this sleep completes.
    pub fn deadline(&self) -> Instant {
        match &self.world {
            World::Tokio { sleep } => Instant::from_tokio(sleep.deadline()),
            World::Sim { sleep } => Instant::from_sim(sleep.deadline()),
        }
    }

    /// Whether the deadline has passed.
    ///
    /// # Panics
    ///
    /// A simulated sleep, outside its run.
    #[track_caller]
    pub fn is_elapsed(&self) -> bool {
        match &self.world {
            World::Tokio { sleep } => sleep.is_elapsed(),
            World::Sim { sleep } => sleep.is_elapsed(),
        }
    }

    /// Moves the deadline, keeping the future (and its place in a
    /// `select!` loop).
    ///
    /// ```
    /// use detsim_tokio::time::{sleep, Duration, Instant};
    ///
    /// detsim::Runtime::sim(8).block_on(async {
    ///     let start = Instant::now();
    ///     let mut nap = Box::pin(sleep(Duration::from_secs(60)));
    ///     nap.as_mut().reset(start + Duration::from_secs(1));
    ///     nap.await;
    ///     assert_eq!(start.elapsed(), Duration::from_secs(1));
    /// });
    /// ```
    pub fn reset(self: Pin<&mut Self>, deadline: Instant) {
        match self.project().world.project() {
            WorldProj::Tokio { sleep } => sleep.reset(deadline.to_tokio()),
            WorldProj::Sim { sleep } => sleep.reset(deadline.to_sim()),
        }
    }
}

impl Future for Sleep {
    type Output = ();

    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.project().world.project() {
            WorldProj::Tokio { sleep } => {
                let poll = sleep.poll(cx);
                if poll.is_pending() && in_detsim() {
                    tokio_sleep_in_detsim();
                }
                poll
            }
            WorldProj::Sim { sleep } => Pin::new(sleep).poll(cx),
        }
    }
}

#[cold]
#[track_caller]
fn tokio_sleep_in_detsim() -> ! {
    panic!(
        "a tokio::time::Sleep created outside the detsim run was awaited inside it, where no tokio \
         timer runs; create the sleep (or the timeout or interval holding it) inside the run"
    )
}
