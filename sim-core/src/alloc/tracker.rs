//! [`Tracker`]: the global allocator that does the counting, wrapping the
//! allocator that does the work.

use std::alloc::{GlobalAlloc, Layout, System};

use crate::alloc::{account, refusal};

/// A global allocator that charges each allocation to the detsim task
/// being polled, and checks it against the run's allocation cap; the
/// memory itself comes from the allocator it wraps (`A`, the system
/// allocator for [`Tracker::system`]).
///
/// Install it in the test binary, once:
///
/// ```
/// #[global_allocator]
/// static ALLOC: detsim::alloc::Tracker = detsim::alloc::Tracker::system();
/// # fn main() {}
/// ```
///
/// Outside a tracked poll, an allocation costs one load of a static and
/// one of a thread-local more than `A`'s; inside one, two additions and a
/// comparison. It never panics and never allocates itself. See the
/// [module docs](crate::alloc) for what is charged and what happens above
/// the cap.
#[derive(Debug, Default)]
pub struct Tracker<A = System> {
    inner: A,
}

impl Tracker<System> {
    /// A tracker over [`std::alloc::System`].
    pub const fn system() -> Tracker<System> {
        Tracker { inner: System }
    }
}

impl<A> Tracker<A> {
    /// A tracker over another global allocator (jemalloc, mimalloc...).
    pub const fn new(inner: A) -> Tracker<A> {
        Tracker { inner }
    }

    /// The allocator it wraps.
    pub const fn inner(&self) -> &A {
        &self.inner
    }
}

/// After the wrapped allocator answered a request of `size` bytes.
#[inline(always)]
fn served(ptr: *mut u8, size: usize, over_cap: bool) -> *mut u8 {
    if ptr.is_null() {
        refusal::report(size, over_cap);
    }
    ptr
}

// SAFETY: every method forwards to `A` with the caller's own arguments
// and returns `A`'s answer unchanged; the accounting around it only
// touches this thread's `Cell`s, allocates nothing (the failure line
// printed before a null is returned runs with tracking off, so its own
// allocations go straight to `A`) and cannot unwind.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Tracker<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        account::mark_installed();
        let over = account::charge(layout.size());
        // SAFETY: the caller's contract, passed on.
        served(unsafe { self.inner.alloc(layout) }, layout.size(), over)
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        account::mark_installed();
        let over = account::charge(layout.size());
        // SAFETY: the caller's contract, passed on.
        served(
            unsafe { self.inner.alloc_zeroed(layout) },
            layout.size(),
            over,
        )
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { self.inner.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        account::mark_installed();
        let over = account::charge(new_size);
        // SAFETY: the caller's contract, passed on.
        served(
            unsafe { self.inner.realloc(ptr, layout, new_size) },
            new_size,
            over,
        )
    }
}
