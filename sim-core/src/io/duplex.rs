//! An in-memory byte stream pair on the simulated readiness model.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};

use futures::io::{AsyncRead, AsyncWrite};

use std::time::Duration;

use crate::faults::FaultKind;
use crate::io::pipe::Pipe;
use crate::kernel::{Interest, KernelHandle, Readiness, Registration, Source, Trigger};

/// How segments travel from one end of a stream to the other: what a
/// network link decides for a TCP connection. The default link (used by
/// [`duplex`]) is instantaneous and never down.
pub trait Link {
    /// Transit time of a segment of `len` bytes sent now.
    fn delay(&self, len: usize) -> Duration {
        let _ = len;
        Duration::ZERO
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
    /// with `TimedOut`. The default is Linux's: `tcp_retries2 = 15`
    /// retransmissions, about 924.6 s.
    fn give_up_after(&self) -> Duration {
        Duration::from_millis(924_600)
    }
}

/// The instantaneous link of [`duplex`].
struct Instant0;

impl Link for Instant0 {}

/// Settings of a stream pair built with [`stream_pair`].
#[derive(Clone)]
pub struct StreamConfig {
    /// Resource kind in traces and reports, e.g. `"tcp"`.
    pub kind: &'static str,
    /// Bytes each direction buffers (in flight plus unread).
    pub capacity: usize,
    /// Closing an end with unread data resets the connection (TCP's RST)
    /// instead of a graceful FIN.
    pub reset_on_unread_close: bool,
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
            .field("reset_on_unread_close", &self.reset_on_unread_close)
            .finish_non_exhaustive()
    }
}

/// Creates a connected stream pair with the given links: the building block
/// of [`duplex`] and of simulated TCP connections.
///
/// # Panics
///
/// If the capacity is zero, or outside a detsim runtime.
#[track_caller]
pub fn stream_pair(config: StreamConfig) -> (DuplexStream, DuplexStream) {
    assert!(
        config.capacity > 0,
        "a simulated stream needs a capacity of at least 1 byte"
    );
    let kernel = KernelHandle::current();
    let ab = Rc::new(RefCell::new(Pipe::new(config.capacity)));
    let ba = Rc::new(RefCell::new(Pipe::new(config.capacity)));
    let a = Source::new(config.kind, Readiness::WRITABLE);
    let b = Source::new(config.kind, Readiness::WRITABLE);
    let end = |source: &Source,
               peer: &Source,
               inbound: &Rc<RefCell<Pipe>>,
               outbound: &Rc<RefCell<Pipe>>,
               link: &Rc<dyn Link>,
               peer_link: &Rc<dyn Link>| {
        DuplexStream::new(
            kernel.clone(),
            source.clone(),
            peer.clone(),
            Rc::clone(inbound),
            Rc::clone(outbound),
            Rc::clone(link),
            Rc::clone(peer_link),
            config.reset_on_unread_close,
        )
    };
    (
        end(&a, &b, &ba, &ab, &config.link_ab, &config.link_ba),
        end(&b, &a, &ab, &ba, &config.link_ba, &config.link_ab),
    )
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
    stream_pair(StreamConfig {
        kind: "duplex",
        capacity,
        reset_on_unread_close: false,
        link_ab: Rc::clone(&link),
        link_ba: link,
    })
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
    /// Carries what this end sends.
    link: Rc<dyn Link>,
    /// Carries what the peer sends (our close reaches the peer's writers
    /// over it).
    peer_link: Rc<dyn Link>,
    reset_on_unread_close: bool,
}

impl DuplexStream {
    #[allow(clippy::too_many_arguments)] // private constructor of both ends
    fn new(
        kernel: KernelHandle,
        source: Source,
        peer: Source,
        inbound: Rc<RefCell<Pipe>>,
        outbound: Rc<RefCell<Pipe>>,
        link: Rc<dyn Link>,
        peer_link: Rc<dyn Link>,
        reset_on_unread_close: bool,
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
            link,
            peer_link,
            reset_on_unread_close,
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
        if let Some(kind) = pipe.broken {
            return Err(broken_error(kind));
        }
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
        if let Some(kind) = pipe.broken {
            return Err(broken_error(kind));
        }
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
        self.kernel.note_payload(&data[..n]);
        let delay = self.link.delay(n)
            + self
                .kernel
                .fault_delay(FaultKind::DelayedReadiness, self.peer.id());
        let (pipe, peer) = (Rc::clone(&self.outbound), self.peer.clone());
        send_over(
            &self.kernel,
            &self.link,
            delay,
            move || pipe.borrow_mut().deliver(&peer),
            self.time_out_later(),
        );
        Ok(n)
    }

    /// Resets the connection (TCP's RST): both ends fail every further read
    /// and write with `ConnectionReset`, and data buffered or in flight is
    /// discarded. The peer learns of it after the link's transit time.
    pub fn reset(&self) {
        if self.outbound.borrow().broken.is_some() {
            return;
        }
        self.outbound
            .borrow_mut()
            .break_with(io::ErrorKind::ConnectionReset);
        self.inbound
            .borrow_mut()
            .break_with(io::ErrorKind::ConnectionReset);
        self.source.trace("reset", 0);
        self.source.set(Readiness::ERROR, Readiness::ERROR);
        let peer = self.peer.clone();
        let (inbound, outbound) = (Rc::clone(&self.inbound), Rc::clone(&self.outbound));
        send_over(
            &self.kernel,
            &self.link,
            self.link.delay(0),
            move || {
                // The peer's view: both of its directions are gone.
                inbound
                    .borrow_mut()
                    .break_with(io::ErrorKind::ConnectionReset);
                outbound
                    .borrow_mut()
                    .break_with(io::ErrorKind::ConnectionReset);
                peer.trace("reset received", 0);
                let closed = Readiness::ERROR | Readiness::READ_CLOSED | Readiness::WRITE_CLOSED;
                peer.set(closed, closed);
            },
            || {
                // An RST that never gets through: the peer finds out by its own
                // retransmissions timing out.
            },
        );
    }

    /// What happens when a segment or FIN is never acknowledged within the
    /// link's give-up time: the connection fails on both ends with
    /// `TimedOut` (Linux's `ETIMEDOUT` after `tcp_retries2`).
    fn time_out_later(&self) -> impl FnOnce() + 'static {
        let (inbound, outbound) = (Rc::clone(&self.inbound), Rc::clone(&self.outbound));
        let (source, peer) = (self.source.clone(), self.peer.clone());
        move || {
            inbound.borrow_mut().break_with(io::ErrorKind::TimedOut);
            outbound.borrow_mut().break_with(io::ErrorKind::TimedOut);
            source.trace("timed out", 0);
            let closed = Readiness::ERROR | Readiness::READ_CLOSED | Readiness::WRITE_CLOSED;
            source.set(closed, closed);
            peer.set(closed, closed);
        }
    }

    /// Bytes received and not read yet.
    pub fn unread(&self) -> usize {
        self.inbound.borrow().buffered()
    }

    /// Shuts down the write half: the peer reads the data already sent,
    /// then EOF. Idempotent.
    pub fn shutdown_write(&self) {
        let mut pipe = self.outbound.borrow_mut();
        if pipe.broken.is_some() || pipe.write_shutdown {
            return;
        }
        pipe.write_shutdown = true;
        drop(pipe);
        self.source.trace("shutdown", 0);
        let (pipe, peer) = (Rc::clone(&self.outbound), self.peer.clone());
        send_over(
            &self.kernel,
            &self.link,
            self.link.delay(0),
            move || pipe.borrow_mut().deliver_fin(&peer),
            self.time_out_later(),
        );
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

fn broken_error(kind: io::ErrorKind) -> io::Error {
    match kind {
        io::ErrorKind::TimedOut => io::Error::new(
            kind,
            "connection timed out: segments went unacknowledged for the link's give-up time",
        ),
        _ => io::Error::new(kind, "connection reset by peer"),
    }
}

/// Delivers `action` after `delay` if the link is up then; otherwise
/// retransmits until it is, or runs `give_up` once the link's give-up time
/// has passed without delivery.
fn send_over(
    kernel: &KernelHandle,
    link: &Rc<dyn Link>,
    delay: Duration,
    action: impl FnOnce() + 'static,
    give_up: impl FnOnce() + 'static,
) {
    let deadline = kernel.now().saturating_add(delay + link.give_up_after());
    retransmit(kernel, link, delay, deadline, action, give_up);
}

fn retransmit(
    kernel: &KernelHandle,
    link: &Rc<dyn Link>,
    delay: Duration,
    deadline: crate::time::Instant,
    action: impl FnOnce() + 'static,
    give_up: impl FnOnce() + 'static,
) {
    let (k, l) = (kernel.clone(), Rc::clone(link));
    kernel.schedule_after(delay, move || {
        if l.is_up() {
            action();
        } else if k.now() >= deadline {
            give_up();
        } else {
            let retry = l.retransmit_after();
            retransmit(&k, &l, retry, deadline, action, give_up);
        }
    });
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
    reg: &Registration,
    mut op: impl FnMut() -> io::Result<usize>,
) -> Poll<io::Result<usize>> {
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                reg.clear_pending();
                ready!(reg.poll_ready(cx));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            result => return Poll::Ready(result),
        }
    }
}

impl DuplexStream {
    /// Reads into `buf`, waiting for readiness as needed; what
    /// `AsyncRead::poll_read` does, through a shared reference (for halves
    /// of a split stream).
    pub fn poll_recv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        poll_io(cx, &self.read_reg, || self.try_read(buf))
    }

    /// Writes from `buf`, waiting for readiness as needed; what
    /// `AsyncWrite::poll_write` does, through a shared reference.
    pub fn poll_send(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        poll_io(cx, &self.write_reg, || self.try_write(buf))
    }
}

impl AsyncRead for DuplexStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_recv(cx, buf)
    }
}

impl AsyncWrite for DuplexStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_send(cx, buf)
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
        if self.outbound.borrow().broken.is_some() {
            return;
        }
        let unread = {
            let pipe = self.inbound.borrow();
            pipe.buffered() + pipe.in_flight() > 0
        };
        if self.reset_on_unread_close && unread {
            // Linux sends RST, not FIN, when a socket closes with unread data.
            self.reset();
            return;
        }
        self.shutdown_write();
        self.inbound.borrow_mut().close_reader();
        // The peer's writes now fail: tell its writers, over its own link.
        let peer = self.peer.clone();
        send_over(
            &self.kernel,
            &self.peer_link,
            self.peer_link.delay(0),
            move || peer.set(Readiness::WRITE_CLOSED, Readiness::WRITE_CLOSED),
            || {},
        );
    }
}

impl fmt::Debug for DuplexStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DuplexStream")
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}
