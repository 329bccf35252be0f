//! The socket options every simulated socket records: `IP_TTL`, checked
//! as Linux checks it. (They change nothing: the simulation has no hop
//! count.)

use std::io;

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
