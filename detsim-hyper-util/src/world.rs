//! Which world a call runs in: inside a detsim runtime, or anywhere else.

/// Whether this thread is inside a detsim runtime right now (one
/// thread-local read).
#[inline]
#[allow(dead_code)] // unused when no shadowing feature is on
pub(crate) fn in_detsim() -> bool {
    detsim::Runtime::in_context()
}

/// Whether this thread runs a detsim *simulation* (not detsim's OS
/// runtime, whose clock is the host's): where hyper's own `date:` would
/// leak the host clock and the virtual one replaces it.
#[inline]
#[allow(dead_code)] // unused when no shadowing feature is on
pub(crate) fn in_simulation() -> bool {
    in_detsim() && !detsim::kernel::KernelHandle::current().is_os()
}
