//! Which world a call runs in: inside a detsim runtime, or anywhere else.

/// Whether this thread is inside a detsim runtime right now (one
/// thread-local read).
#[inline]
#[allow(dead_code)] // unused when no shadowing feature is on
pub(crate) fn in_detsim() -> bool {
    detsim::Runtime::in_context()
}
