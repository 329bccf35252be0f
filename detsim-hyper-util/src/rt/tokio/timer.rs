//! [`TokioTimer`]: hyper's timer over the stand-in's `tokio::time`.
//!
//! hyper speaks `std::time::Instant`s (`Timer::now`, `sleep_until`,
//! `reset`). The stand-in's `Instant` wraps one, so the conversions are
//! exact in both worlds; inside a run the std values are the stand-in's
//! virtual ones (a fixed base plus virtual time), so every deadline hyper
//! computes from `now()` is a virtual deadline.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};
use pin_project_lite::pin_project;

/// A hyper [`Timer`] on `tokio::time`: virtual time inside a detsim run,
/// tokio's timer anywhere else.
///
/// `now()` is the stand-in's `tokio::time::Instant::now()`: hyper's HTTP/2
/// keep-alive and BDP pings, its HTTP/1 header-read timeout and
/// hyper-util's pool idle clock all read it, so inside a run none of them
/// sees the host clock.
#[non_exhaustive]
#[derive(Default, Clone, Debug)]
pub struct TokioTimer;

impl TokioTimer {
    /// A timer on `tokio::time`.
    pub fn new() -> Self {
        Self
    }
}

pin_project! {
    // The stand-in's `Sleep` is `!Unpin`, like tokio's; hyper keeps it
    // boxed and pinned, and `reset` finds it again by downcasting.
    #[derive(Debug)]
    struct TimerSleep {
        #[pin]
        inner: detsim_tokio::time::Sleep,
    }
}

impl Future for TimerSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.project().inner.poll(cx)
    }
}

impl Sleep for TimerSleep {}

impl Timer for TokioTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        Box::pin(TimerSleep {
            inner: detsim_tokio::time::sleep(duration),
        })
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(TimerSleep {
            inner: detsim_tokio::time::sleep_until(deadline.into()),
        })
    }

    fn now(&self) -> Instant {
        detsim_tokio::time::Instant::now().into()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<TimerSleep>() {
            Some(ours) => ours.project().inner.reset(new_deadline.into()),
            // A sleep some other timer made: replace it, as hyper's default.
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}
