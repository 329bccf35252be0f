//! An in-memory byte stream pair on the simulated readiness model.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};

use futures::io::{AsyncRead, AsyncWrite};

use crate::faults::FaultKind;
use crate::io::pipe::Pipe;
use crate::kernel::{Interest, KernelHandle, Readiness, Registration, Source, Trigger};

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
    let kernel = KernelHandle::current();
    let ab = Rc::new(RefCell::new(Pipe::new(capacity)));
    let ba = Rc::new(RefCell::new(Pipe::new(capacity)));
    let a = Source::new("duplex", Readiness::WRITABLE);
    let b = Source::new("duplex", Readiness::WRITABLE);
    (
        DuplexStream::new(
            kernel.clone(),
            a.clone(),
            b.clone(),
            Rc::clone(&ba),
            Rc::clone(&ab),
        ),
        DuplexStream::new(kernel, b, a, ab, ba),
    )
}

/// One end of a [`duplex`] pair.
///
/// Two layers: the readiness layer (`try_read`, `try_write`,
/// [`DuplexStream::source`] for registering with any [`Trigger`]), where
/// `WouldBlock`, short reads and partial writes are visible to the caller;
/// and futures-io `AsyncRead`/`AsyncWrite` on top, which wait for readiness
/// (edge-triggered, as tokio does) and retry `WouldBlock` and
/// `Interrupted`, but pass short reads and partial writes up as the
/// traits allow. A stream that fails on `Interrupted` forever would hang a
/// caller; detsim only injects it at the plan's rate.
pub struct DuplexStream {
    kernel: KernelHandle,
    source: Source,
    peer: Source,
    inbound: Rc<RefCell<Pipe>>,
    outbound: Rc<RefCell<Pipe>>,
    read_reg: Registration,
    write_reg: Registration,
}

impl DuplexStream {
    fn new(
        kernel: KernelHandle,
        source: Source,
        peer: Source,
        inbound: Rc<RefCell<Pipe>>,
        outbound: Rc<RefCell<Pipe>>,
    ) -> DuplexStream {
        let read_reg = source.register(Interest::READABLE, Trigger::Edge);
        let write_reg = source.register(Interest::WRITABLE, Trigger::Edge);
        DuplexStream {
            kernel,
            source,
            peer,
            inbound,
            outbound,
            read_reg,
            write_reg,
        }
    }

    /// This end's readiness source, to register with any trigger.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Reads what is buffered, without waiting.
    ///
    /// `Ok(0)` at EOF (the peer shut down and everything was read);
    /// `WouldBlock` when nothing is buffered yet. Under the fault plan it
    /// may return fewer bytes than buffered, or `Interrupted`.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.source.fault(FaultKind::Interrupted) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let mut pipe = self.inbound.borrow_mut();
        if pipe.buffered() == 0 {
            self.source.note_read(true);
            if pipe.at_eof() {
                return Ok(0);
            }
            self.source.clear(Readiness::READABLE);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let mut n = buf.len().min(pipe.buffered());
        if n > 1 && self.source.fault(FaultKind::ShortRead) {
            n = self.source.fault_amount(FaultKind::ShortRead, n);
        }
        let n = pipe.take(&mut buf[..n]);
        let (drained, writer_open) = (pipe.buffered() == 0, !pipe.reader_gone);
        drop(pipe);
        if drained {
            self.source.clear(Readiness::READABLE);
        }
        self.source.note_read(false);
        self.source.trace("read", n as i64);
        if writer_open {
            // Room freed: the writer's side becomes writable (an edge only
            // if it was full).
            self.peer.set(Readiness::WRITABLE, Readiness::EMPTY);
        }
        Ok(n)
    }

    /// Writes what fits, without waiting.
    ///
    /// `WouldBlock` when the direction is full; `BrokenPipe` after
    /// [`shutdown`](AsyncWrite::poll_close) or when the peer was dropped.
    /// Under the fault plan it may accept fewer bytes than fit (a partial
    /// write: the caller must write the rest), or fail with `Interrupted`.
    pub fn try_write(&self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        let mut pipe = self.outbound.borrow_mut();
        if pipe.write_shutdown {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "write after shutdown",
            ));
        }
        if pipe.reader_gone {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the peer end was dropped",
            ));
        }
        if self.source.fault(FaultKind::Interrupted) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let space = pipe.space();
        if space == 0 {
            self.source.clear(Readiness::WRITABLE);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let mut n = data.len().min(space);
        if n > 1 && self.source.fault(FaultKind::PartialWrite) {
            n = self.source.fault_amount(FaultKind::PartialWrite, n);
        }
        pipe.send(&data[..n]);
        if pipe.space() == 0 {
            self.source.clear(Readiness::WRITABLE);
        }
        drop(pipe);
        self.source.trace("write", n as i64);
        let delay = self
            .kernel
            .fault_delay(FaultKind::DelayedReadiness, self.peer.id());
        let (pipe, peer) = (Rc::clone(&self.outbound), self.peer.clone());
        self.kernel
            .schedule_after(delay, move || pipe.borrow_mut().deliver(&peer));
        Ok(n)
    }

    /// Shuts down the write half: the peer reads the data already sent,
    /// then EOF. Idempotent.
    pub fn shutdown_write(&self) {
        let mut pipe = self.outbound.borrow_mut();
        if pipe.write_shutdown {
            return;
        }
        pipe.write_shutdown = true;
        drop(pipe);
        self.source.trace("shutdown", 0);
        let (pipe, peer) = (Rc::clone(&self.outbound), self.peer.clone());
        self.kernel
            .schedule_after(std::time::Duration::ZERO, move || {
                pipe.borrow_mut().deliver_fin(&peer)
            });
    }

    /// Waits until a read may make progress (edge-triggered).
    pub fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<Readiness> {
        self.read_reg.poll_ready(cx)
    }

    /// Waits until a write may make progress (edge-triggered).
    pub fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<Readiness> {
        self.write_reg.poll_ready(cx)
    }
}

/// Runs `op`, waiting on `ready` whenever it would block, and retrying
/// `Interrupted` (as std's `read_exact` does).
///
/// The operation is tried before readiness is awaited: an edge-triggered
/// registration only reports changes, so readiness is sticky until an
/// operation says `WouldBlock` (what tokio's `clear_readiness` achieves).
/// A spurious readiness event costs one more `WouldBlock` and a new wait.
fn poll_io(
    cx: &mut Context<'_>,
    mut ready: impl FnMut(&mut Context<'_>) -> Poll<Readiness>,
    mut op: impl FnMut() -> io::Result<usize>,
) -> Poll<io::Result<usize>> {
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                ready!(ready(cx));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            result => return Poll::Ready(result),
        }
    }
}

impl AsyncRead for DuplexStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        poll_io(cx, |cx| this.read_reg.poll_ready(cx), || this.try_read(buf))
    }
}

impl AsyncWrite for DuplexStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        poll_io(
            cx,
            |cx| this.write_reg.poll_ready(cx),
            || this.try_write(buf),
        )
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Written bytes are already on their way; there is nothing to flush.
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.shutdown_write();
        Poll::Ready(Ok(()))
    }
}

impl Drop for DuplexStream {
    fn drop(&mut self) {
        self.shutdown_write();
        self.inbound.borrow_mut().close_reader();
        // The peer's writes now fail: wake its writers so they find out.
        self.peer
            .set(Readiness::WRITE_CLOSED, Readiness::WRITE_CLOSED);
    }
}

impl fmt::Debug for DuplexStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DuplexStream")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}
