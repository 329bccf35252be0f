use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

use crate::runtime::context;

/// A point on the runtime's clock: virtual under the simulation, the
/// monotonic clock on the OS backend.
///
/// Internally the time elapsed since the runtime started, in nanoseconds, so
/// two runs of the same seed see the same values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    nanos: u64,
}

impl Instant {
    /// The runtime start.
    pub const ZERO: Instant = Instant { nanos: 0 };

    /// The current time of the runtime this task runs on.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime, with a message saying where to call it from.
    pub fn now() -> Instant {
        context::with_runtime("detsim::time::Instant::now", |rt| rt.now())
    }

    pub(crate) const fn from_nanos(nanos: u64) -> Instant {
        Instant { nanos }
    }

    /// Nanoseconds since the runtime started.
    pub const fn as_nanos(self) -> u64 {
        self.nanos
    }

    /// Time since the runtime started.
    pub const fn since_start(self) -> Duration {
        Duration::from_nanos(self.nanos)
    }

    /// Time elapsed from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_nanos(self.nanos.saturating_sub(earlier.nanos))
    }

    /// Time elapsed from `earlier` to `self`.
    ///
    /// Saturates at zero like `std::time::Instant` does since Rust 1.60.
    pub fn duration_since(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }

    /// Time elapsed since `self`, on the current runtime's clock.
    pub fn elapsed(self) -> Duration {
        Instant::now().saturating_duration_since(self)
    }

    /// `self + d`, or `None` on overflow (past about 584 years).
    pub fn checked_add(self, d: Duration) -> Option<Instant> {
        let d = u64::try_from(d.as_nanos()).ok()?;
        self.nanos.checked_add(d).map(Instant::from_nanos)
    }

    /// `self - d`, or `None` before the runtime start.
    pub fn checked_sub(self, d: Duration) -> Option<Instant> {
        let d = u64::try_from(d.as_nanos()).ok()?;
        self.nanos.checked_sub(d).map(Instant::from_nanos)
    }

    /// `self + d`, saturating at the far future instead of overflowing.
    pub(crate) fn saturating_add(self, d: Duration) -> Instant {
        self.checked_add(d).unwrap_or(Instant { nanos: u64::MAX })
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        self.checked_add(d)
            .expect("overflow when adding a Duration to a detsim Instant")
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, d: Duration) -> Instant {
        self.checked_sub(d)
            .expect("detsim Instant minus Duration went before the runtime start")
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, d: Duration) {
        *self = *self - d;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

impl fmt::Display for Instant {
    /// Milliseconds with microsecond precision, e.g. `12.004ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let micros = self.nanos / 1_000;
        write!(f, "{}.{:03}ms", micros / 1_000, micros % 1_000)
    }
}
