//! [`WritableClears`]: how many times a source lost its `WRITABLE` bit,
//! so a device may cache "that source is writable" and trust the cache
//! while the count has not moved.
//!
//! A stream's read frees room and must tell the writer at the other end
//! (`Source::set(WRITABLE)`), which does nothing when the writer's source
//! is writable already: the usual case. Asking means reading the peer's
//! end and its source, two cache lines that with hundreds of connections
//! busy have left the cache since the last segment. The stream caches
//! the answer in its wire (`stream/wire.rs`) as of this count instead:
//! only [`Source::clear`](crate::kernel::Source::clear) removes readiness
//! bits, and it counts every `WRITABLE` it removes, so an unchanged count
//! proves the cached bit still holds.

use std::cell::Cell;

/// The count; see the module docs. It saturates at
/// [`WritableClears::SATURATED`], which no cache may hold, so it never
/// wraps back to a value a stale cache remembers.
#[derive(Default)]
pub(crate) struct WritableClears(Cell<u32>);

impl WritableClears {
    /// The count at which it stops: a cache never stores it, so after
    /// `2^30 - 1` clears every cache check fails (the caller asks the
    /// source instead), for the rest of the run. 30 bits leave a cache
    /// two bits for flags in a `u32`.
    pub(crate) const SATURATED: u32 = (1 << 30) - 1;

    /// The count now.
    #[inline]
    pub(crate) fn get(&self) -> u32 {
        self.0.get()
    }

    /// A source lost its `WRITABLE` bit: every cache of one is stale.
    #[inline]
    pub(crate) fn bump(&self) {
        let n = self.0.get();
        if n < Self::SATURATED {
            self.0.set(n + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_moves_with_each_clear_and_stops_at_saturation() {
        let clears = WritableClears::default();
        assert_eq!(clears.get(), 0);
        clears.bump();
        assert_eq!(clears.get(), 1);
        clears.0.set(WritableClears::SATURATED - 1);
        clears.bump();
        clears.bump();
        assert_eq!(clears.get(), WritableClears::SATURATED, "never wraps");
    }
}
