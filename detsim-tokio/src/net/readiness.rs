//! tokio's `Interest` and `Ready` in terms of the simulation's
//! `Interest` and `Readiness`.
//!
//! # Divergence from tokio
//!
//! The simulated kernel has readable and writable interests only: an
//! interest in `ERROR` or `PRIORITY` alone is refused with
//! `InvalidInput` inside a simulation (outside, tokio takes it as usual).
//! Error and closed readiness is reported with any interest.

use std::io;

use detsim::net::{Interest as SimInterest, Readiness};
use tokio::io::{Interest, Ready};

/// The simulation's interest for tokio's.
pub(crate) fn sim_interest(interest: Interest) -> io::Result<SimInterest> {
    match (interest.is_readable(), interest.is_writable()) {
        (true, true) => Ok(SimInterest::BOTH),
        (true, false) => Ok(SimInterest::READABLE),
        (false, true) => Ok(SimInterest::WRITABLE),
        (false, false) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the simulation waits for READABLE or WRITABLE readiness only; \
             add one of them to the interest",
        )),
    }
}

/// tokio's `Ready` for the simulation's readiness.
pub(crate) fn tokio_ready(readiness: Readiness) -> Ready {
    [
        (Readiness::READABLE, Ready::READABLE),
        (Readiness::WRITABLE, Ready::WRITABLE),
        (Readiness::READ_CLOSED, Ready::READ_CLOSED),
        (Readiness::WRITE_CLOSED, Ready::WRITE_CLOSED),
        (Readiness::ERROR, Ready::ERROR),
    ]
    .into_iter()
    .filter(|(sim, _)| readiness.contains(*sim))
    .fold(Ready::EMPTY, |ready, (_, bit)| ready | bit)
}
