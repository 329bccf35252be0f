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

use crate::faults::FaultKind;
use crate::io::link::{Instant0, Link};
use crate::io::pipe::{Pipe, Segment};
use crate::io::wire::{End, EndState, Wire, closed_readiness};
use crate::kernel::{Interest, KernelHandle, Readiness, Registration, Source, Trigger};

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
    (
        DuplexStream::new(Rc::clone(&wire), 0),
        DuplexStream::new(wire, 1),
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
        tcp: false,
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
    wire: Rc<Wire>,
    /// Which of the wire's ends this is.
    side: usize,
    read_reg: Registration,
    write_reg: Registration,
}

impl DuplexStream {
    fn new(wire: Rc<Wire>, side: usize) -> DuplexStream {
        let source = &wire.end(side).source;
        let read_reg = source.register(Interest::READABLE, Trigger::Edge);
        let write_reg = source.register(Interest::WRITABLE, Trigger::Edge);
        DuplexStream {
            wire,
            side,
            read_reg,
            write_reg,
        }
    }

    fn end(&self) -> &End {
        self.wire.end(self.side)
    }

    pub(crate) fn read_reg(&self) -> &Registration {
        &self.read_reg
    }

    pub(crate) fn write_reg(&self) -> &Registration {
        &self.write_reg
    }

    /// This end's readiness source, to register with any trigger.
    pub fn source(&self) -> &Source {
        &self.end().source
    }

    /// Reads what is buffered, without waiting.
    ///
    /// `Ok(0)` at EOF (the peer's FIN arrived and everything was read);
    /// `WouldBlock` when nothing is buffered yet. After the connection was
    /// reset or timed out, what arrived before stays readable; then one
    /// read reports the error (unless a write reported it first), and
    /// later reads return 0, as on Linux. Under the fault plan it may
    /// return fewer bytes than buffered, or `Interrupted`.
    pub fn try_read(&self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let source = self.source();
        if source.fault(FaultKind::Interrupted) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let mut pipe = self.end().inbound.borrow_mut();
        if pipe.buffered() == 0 {
            source.note_read(true);
            if pipe.fin_received {
                return Ok(0);
            }
            drop(pipe);
            let mut st = self.end().state.borrow_mut();
            if let Some(e) = st.error.take() {
                return Err(e);
            }
            if st.dead {
                return Ok(0);
            }
            drop(st);
            source.clear(Readiness::READABLE);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let mut n = buf.len().min(pipe.buffered());
        if n > 1 && source.fault(FaultKind::ShortRead) {
            n = source.fault_amount(FaultKind::ShortRead, n);
        }
        let n = pipe.take(&mut buf[..n]);
        let drained = pipe.buffered() == 0;
        drop(pipe);
        if drained {
            source.clear(Readiness::READABLE);
        }
        source.note_read(false);
        source.trace("read", n as i64);
        // Room freed: the writer's side becomes writable (an edge only if
        // it was full).
        self.wire
            .peer(self.side)
            .source
            .set(Readiness::WRITABLE, Readiness::EMPTY);
        Ok(n)
    }

    /// Copies what is buffered without consuming it (`MSG_PEEK`), without
    /// waiting: `Ok(0)` at EOF or after the connection failed (the error
    /// stays for the next read or write to report), `WouldBlock` when
    /// nothing is buffered yet. No faults are injected.
    pub fn try_peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let pipe = self.end().inbound.borrow();
        if pipe.buffered() > 0 {
            return Ok(pipe.peek(buf));
        }
        let st = self.end().state.borrow();
        if pipe.fin_received || st.dead || st.error.is_some() {
            return Ok(0);
        }
        drop((pipe, st));
        self.source().clear(Readiness::READABLE);
        Err(io::ErrorKind::WouldBlock.into())
    }

    /// Writes what fits, without waiting.
    ///
    /// `WouldBlock` when the direction is full; `BrokenPipe` after
    /// [`shutdown`](futures::io::AsyncWrite::poll_close). A peer's close is learned
    /// over the link: the first write after it succeeds, and once the RST
    /// it provokes has come back, one write reports `ConnectionReset` (or
    /// `BrokenPipe` if the peer's FIN came first) and later ones
    /// `BrokenPipe`. (A [`duplex`] pair is a socketpair: writing to a
    /// dropped end fails at once.) Under the fault plan it may accept
    /// fewer bytes than fit (a partial write: the caller must write the
    /// rest), or fail with `Interrupted`.
    pub fn try_write(&self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        {
            let mut st = self.end().state.borrow_mut();
            if let Some(e) = st.error.take() {
                return Err(e);
            }
            if st.dead {
                return Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "broken pipe: the connection was reset",
                ));
            }
            if st.write_shutdown {
                return Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    "write after shutdown",
                ));
            }
        }
        let peer = self.wire.peer(self.side);
        if !self.wire.tcp && peer.state.borrow().closed {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the peer end was dropped",
            ));
        }
        let source = self.source();
        if source.fault(FaultKind::Interrupted) {
            return Err(io::ErrorKind::Interrupted.into());
        }
        let space = peer.inbound.borrow().space();
        if space == 0 {
            source.clear(Readiness::WRITABLE);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let mut n = data.len().min(space);
        if n > 1 && source.fault(FaultKind::PartialWrite) {
            n = source.fault_amount(FaultKind::PartialWrite, n);
        }
        source.trace("write", n as i64);
        self.wire.kernel.note_payload(&data[..n]);
        let extra = self
            .wire
            .kernel
            .fault_delay(FaultKind::DelayedReadiness, peer.source.id());
        self.wire
            .transmit(self.side, Segment::Data(data[..n].to_vec()), extra);
        if peer.inbound.borrow().space() == 0 {
            source.clear(Readiness::WRITABLE);
        }
        Ok(n)
    }

    /// Resets the connection (TCP's RST, as `SO_LINGER` 0 then close
    /// sends): this end's next read or write fails with
    /// `ConnectionReset`, and the RST travels to the peer behind what was
    /// already sent, over the link like data.
    pub fn reset(&self) {
        let end = self.end();
        let mut st = end.state.borrow_mut();
        if st.dead {
            return;
        }
        st.dead = true;
        st.error = Some(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "connection reset (this end reset it)",
        ));
        let rst_sent = st.rst_sent;
        drop(st);
        end.source.trace("reset", 0);
        end.source.set(closed_readiness(), closed_readiness());
        if !rst_sent {
            self.wire.send_rst(self.side);
        }
    }

    /// Takes the pending error (Linux's `SO_ERROR`): after a reset or a
    /// timeout, the error the next read or write would report.
    pub fn take_error(&self) -> Option<io::Error> {
        self.end().state.borrow_mut().error.take()
    }

    /// Bytes received and not read yet.
    pub fn unread(&self) -> usize {
        self.end().inbound.borrow().buffered()
    }

    /// Shuts down the write half: a FIN follows the data already sent, so
    /// the peer reads that data, then EOF. Idempotent.
    pub fn shutdown_write(&self) {
        let mut st = self.end().state.borrow_mut();
        if st.dead || st.write_shutdown {
            return;
        }
        st.write_shutdown = true;
        drop(st);
        self.source().trace("shutdown", 0);
        self.wire
            .transmit(self.side, Segment::Fin, std::time::Duration::ZERO);
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

impl Drop for DuplexStream {
    fn drop(&mut self) {
        let unread = self.unread() > 0;
        if self.wire.tcp && unread {
            // Linux sends RST, not FIN, when a socket closes with unread
            // data.
            self.reset();
        } else {
            self.shutdown_write();
        }
        self.end().state.borrow_mut().closed = true;
        self.end().inbound.borrow_mut().discard_buffered();
        if !self.wire.tcp {
            // A socketpair's peer learns at once: wake its writers.
            let peer = &self.wire.peer(self.side).source;
            peer.set(Readiness::WRITE_CLOSED, Readiness::WRITE_CLOSED);
        }
    }
}

impl fmt::Debug for DuplexStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DuplexStream")
            .field("source", self.source())
            .finish_non_exhaustive()
    }
}
