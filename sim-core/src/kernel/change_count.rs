//! [`ChangeCount`]: how many times something a device may cache changed,
//! so the device trusts its cache while the count has not moved. The
//! kernel keeps two:
//!
//! - `writable_clears`: how many times a source lost its `WRITABLE` bit.
//!   A stream's read frees room and must tell the writer at the other end
//!   (`Source::set(WRITABLE)`), which does nothing when the writer's
//!   source is writable already: the usual case. Asking means reading
//!   the peer's end and its source, two cache lines that with hundreds of
//!   connections busy have left the cache since the last segment. The
//!   stream caches the answer in its wire (`stream/wire.rs`) as of this
//!   count instead: only [`Source::clear`](crate::kernel::Source::clear)
//!   removes readiness bits, and it counts every `WRITABLE` it removes.
//! - `link_changes`: how many times a link's owner said a link may have
//!   gone down ([`KernelHandle::note_link_change`](crate::kernel::KernelHandle::note_link_change)).
//!   A segment whose link promised to stay up until then
//!   ([`Link::delay_if_up`](crate::kernel::stream::Link::delay_if_up)) arrives
//!   without asking the link again (`stream/wire.rs`), which would read
//!   the link, evicted since the send.

use std::cell::Cell;

/// The count; see the module docs. It saturates at
/// [`ChangeCount::SATURATED`], which no cache may hold, so it never
/// wraps back to a value a stale cache remembers.
#[derive(Default)]
pub(crate) struct ChangeCount(Cell<u32>);

impl ChangeCount {
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

    /// The thing counted changed: every cache as of an earlier count is
    /// stale.
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
        let clears = ChangeCount::default();
        assert_eq!(clears.get(), 0);
        clears.bump();
        assert_eq!(clears.get(), 1);
        clears.0.set(ChangeCount::SATURATED - 1);
        clears.bump();
        clears.bump();
        assert_eq!(clears.get(), ChangeCount::SATURATED, "never wraps");
    }
}
