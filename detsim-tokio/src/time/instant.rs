//! `Instant`: a `std::time::Instant` that reads virtual time under detsim.
//!
//! Like tokio's, the stand-in's `Instant` wraps a `std::time::Instant`, so
//! `from_std`, `into_std` and the `From` conversions work in both worlds
//! (hyper's `Timer`, for one, speaks std instants). Inside a detsim run,
//! [`Instant::now`] is a base std instant, read once per process, plus the
//! run's virtual time since its start; converting a deadline to detsim
//! subtracts the base again. The base never reaches the trace, so runs stay
//! reproducible; only the absolute values (visible through `Debug`) differ
//! between processes, as a real `Instant`'s do.
//!
//! # Divergence from tokio
//!
//! Every run of a sweep starts its clock at the same base, so instants
//! from two runs are comparable but meaningless together. An instant read
//! from the host clock before a run and used as a deadline inside it is
//! taken as that much virtual time past the run's start.

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::sync::OnceLock;
use std::time::Duration;

use crate::world::in_detsim;

/// A point on tokio's clock (`tokio::time::Instant`): the monotonic clock
/// under tokio (or its paused clock with `test-util`), the run's virtual
/// clock under detsim.
///
/// ```
/// use detsim_tokio::time::{sleep, Duration, Instant};
///
/// detsim::Runtime::sim(1).block_on(async {
///     let start = Instant::now();
///     sleep(Duration::from_secs(3600)).await;
///     assert_eq!(start.elapsed(), Duration::from_secs(3600));
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    std: std::time::Instant,
}

/// The std instant that virtual time zero maps to: read once per process.
fn base() -> std::time::Instant {
    static BASE: OnceLock<std::time::Instant> = OnceLock::new();
    *BASE.get_or_init(std::time::Instant::now)
}

impl Instant {
    /// The current time: virtual inside a detsim run, tokio's clock
    /// anywhere else.
    ///
    /// # Panics
    ///
    /// Never outside a runtime (it then reads the monotonic clock, like
    /// tokio's without a paused clock).
    pub fn now() -> Instant {
        if in_detsim() {
            Instant::from_sim(detsim::time::Instant::now())
        } else {
            Instant {
                std: tokio::time::Instant::now().into_std(),
            }
        }
    }

    /// The stand-in instant of a detsim instant.
    pub(crate) fn from_sim(sim: detsim::time::Instant) -> Instant {
        Instant {
            std: base() + sim.since_start(),
        }
    }

    /// This instant on a detsim run's clock (its time since the base,
    /// zero if earlier).
    pub(crate) fn to_sim(self) -> detsim::time::Instant {
        let since = self.std.saturating_duration_since(base());
        detsim::time::Instant::ZERO
            .checked_add(since)
            .unwrap_or(detsim::time::Instant::ZERO + Duration::from_nanos(u64::MAX))
    }

    /// This instant as tokio's.
    pub(crate) fn to_tokio(self) -> tokio::time::Instant {
        tokio::time::Instant::from_std(self.std)
    }

    /// The stand-in instant of tokio's.
    pub(crate) fn from_tokio(t: tokio::time::Instant) -> Instant {
        Instant { std: t.into_std() }
    }

    /// Wraps a `std::time::Instant`.
    pub fn from_std(std: std::time::Instant) -> Instant {
        Instant { std }
    }

    /// The `std::time::Instant` inside.
    pub fn into_std(self) -> std::time::Instant {
        self.std
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    pub fn duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time from `earlier` to `self`, or `None` if `earlier` is later.
    pub fn checked_duration_since(&self, earlier: Instant) -> Option<Duration> {
        self.std.checked_duration_since(earlier.std)
    }

    /// Time from `earlier` to `self`, zero if `earlier` is later.
    pub fn saturating_duration_since(&self, earlier: Instant) -> Duration {
        self.std.saturating_duration_since(earlier.std)
    }

    /// Time since `self` on the current clock (virtual under detsim).
    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(*self)
    }

    /// `self + duration`, or `None` if it overflows.
    pub fn checked_add(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_add(duration).map(Instant::from_std)
    }

    /// `self - duration`, or `None` if it underflows.
    pub fn checked_sub(&self, duration: Duration) -> Option<Instant> {
        self.std.checked_sub(duration).map(Instant::from_std)
    }
}

impl From<std::time::Instant> for Instant {
    fn from(std: std::time::Instant) -> Instant {
        Instant::from_std(std)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(i: Instant) -> std::time::Instant {
        i.into_std()
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant::from_std(self.std + d)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}

impl Sub for Instant {
    type Output = Duration;
    /// Saturates at zero, like tokio's.
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, d: Duration) -> Instant {
        Instant::from_std(self.std - d)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, d: Duration) {
        *self = *self - d;
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.std, f)
    }
}
