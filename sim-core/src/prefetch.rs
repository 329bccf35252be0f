//! A cache prefetch hint, for structures that know which memory they will
//! touch next (the executor's runnable window, the timer wheel's next due
//! nodes) while the current work still runs.

/// Asks the CPU to load the cache line at `at` (a hint: any address is
/// fine, nothing is read).
#[inline]
pub(crate) fn prefetch(at: *const u8) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        // SAFETY: a prefetch is a hint that never faults and reads nothing
        // the program sees, whatever the address; SSE is part of x86_64.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(at.cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}
