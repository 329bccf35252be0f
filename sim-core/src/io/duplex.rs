//! An in-memory byte stream pair on the simulated readiness model.
//!
//! Each end has its own view of the connection; data, FIN and RST cross
//! the [`Link`] as ordered segments (`wire.rs`), so what one end does is
//! observable at the other only after the link's transit time, and is
//! held while the link is down. With [`StreamConfig::tcp`] the pair
//! follows Linux TCP: a close with unread data sends RST; data arriving at
//! a closed socket is answered with RST; the RST's error is reported once
//! (`SO_ERROR`), then reads return 0 and writes `BrokenPipe`.
//!
//! # Divergence from Linux
//!
//! A segment is what one write handed over (no MSS, Nagle or congestion
//! window), and bytes in flight count against the same bound as unread
//! ones. Data that arrived before an RST stays readable, as on Linux; but
//! the sender's not-yet-arrived segments are not purged by its own reset:
//! they all count as already on the wire. A timed-out end sends nothing,
//! as Linux; its peer learns of it only from the RST its next segment
//! provokes.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::io::StreamEnd;
use crate::io::link::{Instant0, Link};
use crate::io::pipe::Pipe;
use crate::io::wire::{End, EndState, Wire};
use crate::kernel::{Interest, IoSource, KernelHandle, Readiness, Source};

/// Settings of a stream pair built with [`stream_pair`].
#[derive(Clone)]
pub struct StreamConfig {
    /// Resource kind in traces and reports, e.g. `"tcp"`.
    pub kind: &'static str,
    /// Bytes each direction buffers (in flight plus unread).
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
/// of [`duplex`] and of simulated TCP connections. The ends are bare
/// ([`StreamEnd`]): wrap one in a [`DuplexStream`] (or any
/// [`IoSource`]) to wait on it.
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
    let end = |link: Rc<dyn Link>| End {
        source: Source::new(config.kind, Readiness::WRITABLE),
        link,
        inbound: RefCell::new(Pipe::new(config.capacity)),
        state: RefCell::new(EndState::default()),
    };
    let wire = Rc::new(Wire {
        kernel: KernelHandle::current(),
        tcp: config.tcp,
        ends: [end(config.link_ab), end(config.link_ba)],
    });
    (StreamEnd::new(Rc::clone(&wire), 0), StreamEnd::new(wire, 1))
}

/// Creates a connected pair of byte streams; each direction buffers at most
/// `capacity` bytes (in flight plus unread).
///
/// Writes are delivered to the peer through the simulated kernel, so they
/// arrive as segments, after any delay the fault plan adds. The pair
/// behaves like a Unix `socketpair`: shutting down or dropping one end
/// gives the other EOF after the data already sent, and writing to a
/// dropped end fails with `BrokenPipe`.
///
/// ```
/// use futures::{AsyncReadExt, AsyncWriteExt};
///
/// detsim::Sim::new().faults(detsim::Faults::default()).seeds(20).run(|| async {
///     let (mut a, mut b) = detsim::io::duplex(4);
///     detsim::spawn(async move { a.write_all(b"hello, world").await.unwrap() });
///     let mut got = [0; 12];
///     b.read_exact(&mut got).await.unwrap();
///     assert_eq!(&got, b"hello, world");
/// });
/// ```
///
/// # Panics
///
/// If `capacity` is zero, or outside a detsim runtime.
#[track_caller]
pub fn duplex(capacity: usize) -> (DuplexStream, DuplexStream) {
    assert!(
        capacity > 0,
        "detsim::io::duplex: the capacity must be at least 1 byte"
    );
    let link: Rc<dyn Link> = Rc::new(Instant0);
    let (a, b) = stream_pair(StreamConfig {
        kind: "duplex",
        capacity,
        tcp: false,
        link_ab: Rc::clone(&link),
        link_ba: link,
    });
    (DuplexStream::new(a), DuplexStream::new(b))
}

/// One end of a [`duplex`] pair.
///
/// Two layers: the readiness layer (`try_read`, `try_write`,
/// [`DuplexStream::source`] for registering with any
/// [`Trigger`](crate::kernel::Trigger)), where `WouldBlock`, short reads
/// and partial writes are visible to the caller; and futures-io
/// `AsyncRead`/`AsyncWrite` on top, which run the kernel's try-then-wait
/// loop ([`IoSource`]: readiness persists until an operation says
/// `WouldBlock`; `WouldBlock` and `Interrupted` are retried) but pass short
/// reads and partial writes up as the traits allow. A stream that fails on
/// `Interrupted` forever would hang a caller; detsim only injects it at the
/// plan's rate.
pub struct DuplexStream {
    io: IoSource<StreamEnd>,
}

impl DuplexStream {
    /// Registers `end` for the try-then-wait loop.
    pub fn new(end: StreamEnd) -> DuplexStream {
        DuplexStream {
            io: IoSource::new(end),
        }
    }

    pub(crate) fn io(&self) -> &IoSource<StreamEnd> {
        &self.io
    }

    fn end(&self) -> &StreamEnd {
        self.io.get_ref()
    }

    /// This end's readiness source, to register with any trigger.
    pub fn source(&self) -> &Source {
        self.end().source()
    }

    /// Reads what is buffered, without waiting; see
    /// [`StreamEnd::try_read`].
    ///
    /// # Errors
    ///
    /// As [`StreamEnd::try_read`].
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.end().try_read(buf)
    }

    /// Copies what is buffered without consuming it; see
    /// [`StreamEnd::try_peek`].
    ///
    /// # Errors
    ///
    /// As [`StreamEnd::try_peek`].
    pub fn try_peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.end().try_peek(buf)
    }

    /// Writes what fits, without waiting; see [`StreamEnd::try_write`].
    ///
    /// # Errors
    ///
    /// As [`StreamEnd::try_write`].
    pub fn try_write(&self, data: &[u8]) -> io::Result<usize> {
        self.end().try_write(data)
    }

    /// Resets the connection; see [`StreamEnd::reset`].
    pub fn reset(&self) {
        self.end().reset();
    }

    /// Takes the pending error (Linux's `SO_ERROR`).
    pub fn take_error(&self) -> Option<io::Error> {
        self.end().take_error()
    }

    /// Bytes received and not read yet.
    pub fn unread(&self) -> usize {
        self.end().unread()
    }

    /// Shuts down the write half: a FIN follows the data already sent.
    /// Idempotent.
    pub fn shutdown_write(&self) {
        self.end().shutdown_write();
    }

    /// Ready while a read may make progress: readiness persists until a
    /// read says `WouldBlock` (or drains the buffer), and is a hint (the
    /// fault plan injects spurious readiness). Pending registers the
    /// task's waker.
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<Readiness> {
        self.io.poll_ready(cx, Interest::READABLE)
    }

    /// Ready while a write may make progress; see
    /// [`DuplexStream::poll_read_ready`].
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<Readiness> {
        self.io.poll_ready(cx, Interest::WRITABLE)
    }
}

impl fmt::Debug for DuplexStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DuplexStream")
            .field("source", self.source())
            .finish_non_exhaustive()
    }
}
