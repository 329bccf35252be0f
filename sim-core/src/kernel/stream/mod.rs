//! Simulated byte streams: the device under [`duplex`](crate::io::duplex)
//! and under the simulated network's TCP connections, for writers of
//! other stream devices (a serial line, a pipe with its own latencies).
//!
//! [`stream_pair`] builds two connected [`StreamEnd`]s over two [`Link`]s
//! (one per direction). An end is the readiness layer: operations that
//! never wait, and a [`Source`] to wait on; put it in an
//! [`IoSource`](crate::kernel::IoSource) for the try-then-wait loop.
//!
//! Each end has its own view of the connection; data, FIN and RST cross
//! the [`Link`] as ordered segments (`wire.rs`), so what one end does is
//! observable at the other only after the link's transit time, and is
//! held while the link is down. A pair can be slowed down
//! ([`StreamEnd::slow_down`], [`Trickle`]): tiny receive windows, and
//! writes that leave in tiny paced segments. With [`StreamConfig::tcp`]
//! the pair follows Linux TCP: a close with unread data sends RST; data
//! arriving at a closed socket is answered with RST; the RST's error is
//! reported once (`SO_ERROR`), then reads return 0 and writes
//! `BrokenPipe`.
//!
//! # Divergence from Linux
//!
//! A segment is what one write handed over (no MSS, Nagle or congestion
//! window; a slowed-down pair cuts writes smaller, `trickle.rs`), and
//! bytes in flight count against the same bound as unread ones. Room
//! freed by a read is known to the writer at once: no window update
//! crosses the link. Data that arrived before an RST stays readable, as
//! on Linux; but the sender's not-yet-arrived segments are not purged by
//! its own reset: they all count as already on the wire (a slow pair's
//! queue, not yet on the wire, is). A timed-out end sends nothing, as
//! Linux; its peer learns of it only from the RST its next segment
//! provokes.

mod end;
mod end_slow;
mod link;
mod pipe;
mod trickle;
mod wire;

use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

use crate::kernel::{KernelHandle, Readiness, Source};

pub use end::StreamEnd;
pub(crate) use link::Instant0;
pub use link::Link;
use pipe::Pipe;
pub use trickle::Trickle;
pub(crate) use wire::Transmission;
use wire::{End, EndState, Wire};

/// Settings of a stream pair built with [`stream_pair`].
#[derive(Clone)]
pub struct StreamConfig {
    /// Resource kind in traces and reports, e.g. `"tcp"`.
    pub kind: &'static str,
    /// Bytes each direction buffers (in flight plus unread); at most
    /// 1 GiB, a larger value is taken as 1 GiB.
    pub capacity: usize,
    /// TCP's close semantics: closing an end with unread data resets the
    /// connection (RST) instead of a graceful FIN; data arriving at a
    /// closed end is answered with RST; an end learns of its peer's close
    /// only from the FIN or RST crossing the link, so the first write
    /// after the peer closed succeeds. Without it, the pair behaves like a
    /// socketpair: one kernel holds both ends, so writing to a dropped end
    /// fails with `BrokenPipe` at once.
    pub tcp: bool,
    /// Link from the first end to the second.
    pub link_ab: Rc<dyn Link>,
    /// Link from the second end to the first.
    pub link_ba: Rc<dyn Link>,
}

impl fmt::Debug for StreamConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamConfig")
            .field("kind", &self.kind)
            .field("capacity", &self.capacity)
            .field("tcp", &self.tcp)
            .finish_non_exhaustive()
    }
}

/// Creates a connected stream pair with the given links: the building block
/// of [`duplex`](crate::io::duplex) and of simulated TCP connections. The ends are bare
/// ([`StreamEnd`]): wrap one in a [`DuplexStream`](crate::io::DuplexStream) (or any
/// [`IoSource`](crate::kernel::IoSource)) to wait on it.
///
/// # Panics
///
/// If the capacity is zero, or outside a detsim runtime.
#[track_caller]
pub fn stream_pair(config: StreamConfig) -> (StreamEnd, StreamEnd) {
    assert!(
        config.capacity > 0,
        "a simulated stream needs a capacity of at least 1 byte"
    );
    let end = |inbound_link: Rc<dyn Link>| End {
        source: Source::new(config.kind, Readiness::WRITABLE),
        inbound_link,
        inbound: RefCell::new(Pipe::new(config.capacity)),
        state: RefCell::new(EndState::default()),
    };
    let wire = Rc::new(Wire {
        kernel: KernelHandle::current(),
        tcp: config.tcp,
        slow: Cell::new(false),
        writable_known: Cell::new(0),
        // Each end keeps the link leading to it (`End::inbound_link`).
        // The sources are created first end first, as ever, so resource
        // ids do not change.
        ends: [end(config.link_ba), end(config.link_ab)],
    });
    (StreamEnd::new(Rc::clone(&wire), 0), StreamEnd::new(wire, 1))
}
