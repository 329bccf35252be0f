//! The connector's error: what failed (the real connector's words) and
//! why.

use std::error::Error as StdError;
use std::fmt;

type BoxError = Box<dyn StdError + Send + Sync>;

/// Why [`HttpConnector`](super::HttpConnector) could not connect. Outside
/// detsim it wraps the real connector's error, whose text it shows.
pub struct ConnectError {
    msg: &'static str,
    cause: Option<BoxError>,
}

impl ConnectError {
    pub(super) fn new(msg: &'static str, cause: impl Into<BoxError>) -> Self {
        Self {
            msg,
            cause: Some(cause.into()),
        }
    }

    pub(super) fn bare(msg: &'static str) -> Self {
        Self { msg, cause: None }
    }

    /// The real connector's error, shown as it shows itself.
    pub(super) fn host(real: impl Into<BoxError>) -> Self {
        Self {
            msg: "",
            cause: Some(real.into()),
        }
    }
}

impl fmt::Debug for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.cause, self.msg) {
            (Some(cause), "") => fmt::Debug::fmt(cause, f),
            (Some(cause), msg) => f
                .debug_tuple("ConnectError")
                .field(&msg)
                .field(cause)
                .finish(),
            (None, msg) => f.debug_tuple("ConnectError").field(&msg).finish(),
        }
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.cause, self.msg) {
            (Some(cause), "") => fmt::Display::fmt(cause, f),
            (_, msg) => f.write_str(msg),
        }
    }
}

impl StdError for ConnectError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match (&self.cause, self.msg) {
            // The wrapped real error is this error; its source comes next.
            (Some(cause), "") => cause.source(),
            (Some(cause), _) => Some(&**cause),
            (None, _) => None,
        }
    }
}
