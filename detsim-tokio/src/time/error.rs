//! Time errors (`tokio::time::error`).

use std::fmt;
use std::io;

/// tokio's timer error (its timer shut down, or is at capacity),
/// forwarded; never produced under detsim.
pub use tokio::time::error::Error;

/// A [`timeout`](crate::time::timeout) whose deadline passed
/// (`tokio::time::error::Elapsed`).
///
/// ```
/// use detsim_tokio::time::{error::Elapsed, sleep, timeout, Duration};
///
/// detsim::Runtime::sim(1).block_on(async {
///     let err: Elapsed = timeout(Duration::ZERO, sleep(Duration::from_secs(1)))
///         .await
///         .unwrap_err();
///     assert_eq!(err.to_string(), "deadline has elapsed");
/// });
/// ```
#[derive(Debug, PartialEq, Eq)]
pub struct Elapsed(());

impl Elapsed {
    pub(crate) fn new() -> Elapsed {
        Elapsed(())
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for io::Error {
    /// `TimedOut`, like tokio's.
    fn from(e: Elapsed) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, e)
    }
}
