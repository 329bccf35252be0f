//! [`duplex`]: an in-memory byte stream pair for tests of your own
//! readers, writers and codecs, on the simulated readiness model.
//!
//! Each [`DuplexStream`] is one end of a
//! [`kernel::stream`](crate::kernel::stream) pair with an instantaneous
//! link and socketpair close semantics; what the pair models, and where it
//! diverges from Linux, is written there.

use std::fmt;
use std::io;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::kernel::stream::{Instant0, Link, StreamConfig, StreamEnd, stream_pair};
use crate::kernel::{Interest, IoSource, Readiness, Source};

/// Creates a connected pair of byte streams; each direction buffers at most
/// `capacity` bytes (in flight plus unread; a capacity above 1 GiB is
/// taken as 1 GiB).
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
