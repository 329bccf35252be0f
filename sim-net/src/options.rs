//! The socket options every simulated TCP socket records: `IP_TTL`,
//! checked as Linux checks it, `TCP_NODELAY` and `SO_LINGER`. The first
//! two change nothing (the simulation has no hop count and no Nagle
//! delay); a linger of zero makes closing a connection reset it, and any
//! other linger changes nothing (closing never waits).

use std::cell::Cell;
use std::io;
use std::time::Duration;

/// A simulated socket's recorded options, with Linux's defaults.
///
/// Eight bytes: every connection end holds one, and idle connections add
/// up. The TTL is checked to fit a byte, and the linger is whole seconds
/// that fit a C `int`, so `u32::MAX` is free to mean none.
pub(crate) struct SocketOptions {
    nodelay: Cell<bool>,
    ttl: Cell<u8>,
    /// Seconds; [`NO_LINGER`] for none.
    linger: Cell<u32>,
}

/// [`SocketOptions::linger`] when no linger is set.
const NO_LINGER: u32 = u32::MAX;

impl Default for SocketOptions {
    fn default() -> SocketOptions {
        SocketOptions {
            nodelay: Cell::new(false),
            ttl: Cell::new(DEFAULT_TTL as u8),
            linger: Cell::new(NO_LINGER),
        }
    }
}

impl SocketOptions {
    /// Takes `other`'s values, as a connection accepted from a listener
    /// takes the listener's.
    pub(crate) fn inherit(&self, other: &SocketOptions) {
        self.nodelay.set(other.nodelay.get());
        self.ttl.set(other.ttl.get());
        self.linger.set(other.linger.get());
    }

    /// # Errors
    ///
    /// `EINVAL` for more seconds than a C `int` holds, as the OS stack's
    /// `setsockopt` says.
    pub(crate) fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        let secs = match linger {
            Some(linger) => linger_secs(linger)?,
            None => NO_LINGER,
        };
        self.linger.set(secs);
        Ok(())
    }

    pub(crate) fn linger(&self) -> Option<Duration> {
        let secs = self.linger.get();
        (secs != NO_LINGER).then(|| Duration::from_secs(u64::from(secs)))
    }

    pub(crate) fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.nodelay.set(nodelay);
        Ok(())
    }

    pub(crate) fn nodelay(&self) -> io::Result<bool> {
        Ok(self.nodelay.get())
    }

    /// # Errors
    ///
    /// `InvalidInput` outside 1..=255 (the option keeps its value).
    pub(crate) fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        check_ttl(ttl)?;
        self.ttl
            .set(u8::try_from(ttl).expect("a checked TTL fits a byte"));
        Ok(())
    }

    pub(crate) fn ttl(&self) -> io::Result<u32> {
        Ok(u32::from(self.ttl.get()))
    }
}

/// Linux's `ip_default_ttl`.
pub(crate) const DEFAULT_TTL: u32 = 64;

/// `IP_TTL` accepts 1..=255, as Linux's `setsockopt` does.
pub(crate) fn check_ttl(ttl: u32) -> io::Result<()> {
    if (1..=255).contains(&ttl) {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("TTL {ttl} is outside 1..=255"),
        ))
    }
}

/// `SO_LINGER` keeps whole seconds: a linger rounded up to them, as the OS
/// stack (rustix) rounds it.
fn linger_secs(linger: Duration) -> io::Result<u32> {
    let secs = linger
        .as_secs()
        .saturating_add(u64::from(linger.subsec_nanos() != 0));
    match i32::try_from(secs) {
        // Not negative, so below `NO_LINGER`.
        Ok(secs) => Ok(secs.unsigned_abs()),
        Err(_) => Err(sim_core::kernel::net::Errno::EINVAL.into()),
    }
}
