//! The socket options every simulated socket records: `IP_TTL`, checked
//! as Linux checks it, and `TCP_NODELAY`. (They change nothing: the
//! simulation has no hop count and no Nagle delay.)

use std::cell::Cell;
use std::io;

/// A simulated socket's recorded options, with Linux's defaults.
pub(crate) struct SocketOptions {
    nodelay: Cell<bool>,
    ttl: Cell<u32>,
}

impl Default for SocketOptions {
    fn default() -> SocketOptions {
        SocketOptions {
            nodelay: Cell::new(false),
            ttl: Cell::new(DEFAULT_TTL),
        }
    }
}

impl SocketOptions {
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
        self.ttl.set(ttl);
        Ok(())
    }

    pub(crate) fn ttl(&self) -> io::Result<u32> {
        Ok(self.ttl.get())
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
