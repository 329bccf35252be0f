//! What carries a stream's segments: a [`Link`] decides transit times,
//! whether the way is open, and how long TCP keeps retransmitting.

use std::time::Duration;

/// How segments travel from one end of a stream to the other: what a
/// network link decides for a TCP connection. The default link (used by
/// [`duplex`](crate::io::duplex)) is instantaneous and never down.
pub trait Link {
    /// Transit time of a segment of `len` bytes sent now.
    fn delay(&self, len: usize) -> Duration {
        let _ = len;
        Duration::ZERO
    }

    /// [`Link::delay`] when the link is up and promises to stay up until
    /// its owner calls
    /// [`KernelHandle::note_link_change`](crate::kernel::KernelHandle::note_link_change):
    /// then a segment sent now is delivered when due without asking
    /// [`Link::is_up`], unless a change (of any link) was noted
    /// meanwhile. `None` promises nothing, and must draw nothing: the
    /// caller asks [`Link::delay`] then. The default.
    fn delay_if_up(&self, len: usize) -> Option<Duration> {
        let _ = len;
        None
    }

    /// Whether a segment due now gets through. When not, the sender
    /// retransmits it after [`Link::retransmit_after`], as TCP does across
    /// a partition, so the stream stalls without breaking.
    fn is_up(&self) -> bool {
        true
    }

    /// How long until an undelivered segment is sent again.
    fn retransmit_after(&self) -> Duration {
        Duration::from_millis(200)
    }

    /// How long a segment may go undelivered before the connection fails
    /// with `TimedOut`, counted from when its first attempt was due; asked
    /// only when an attempt finds the link down. The default is Linux's:
    /// `tcp_retries2 = 15` retransmissions, about 924.6 s.
    fn give_up_after(&self) -> Duration {
        Duration::from_millis(924_600)
    }
}

/// The instantaneous link of [`duplex`].
pub(crate) struct Instant0;

impl Link for Instant0 {}
