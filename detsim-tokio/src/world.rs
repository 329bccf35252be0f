//! Which world a call runs in, decided in one place.
//!
//! Every item of the stand-in that does IO, spawns or reads the clock asks
//! [`in_detsim`] at the moment it acts (not when a value is created: a
//! value made outside a run, say in `main` before the runtime starts, may
//! well be used inside one). Inside a detsim runtime, simulated or OS, it
//! goes to detsim; anywhere else, to tokio.

/// Whether this thread is inside a detsim runtime right now.
///
/// One thread-local read: cheap enough to ask on every call of the
/// production path.
#[inline]
pub(crate) fn in_detsim() -> bool {
    detsim::Runtime::in_context()
}
