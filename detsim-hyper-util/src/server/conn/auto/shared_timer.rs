//! One timer given to both of the builder's real builders.

use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};

/// A timer shared by the host and the simulation builder: hyper's
/// `timer()` takes its timer by value, and need not be `Clone`.
#[derive(Clone)]
pub(super) struct SharedTimer(Arc<dyn Timer + Send + Sync>);

impl SharedTimer {
    pub(super) fn new<M: Timer + Send + Sync + 'static>(timer: M) -> Self {
        Self(Arc::new(timer))
    }
}

impl Timer for SharedTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.0.sleep(duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        self.0.sleep_until(deadline)
    }

    fn now(&self) -> Instant {
        self.0.now()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        self.0.reset(sleep, new_deadline)
    }
}
