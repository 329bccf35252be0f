//! [`StreamEnd`]: one end of a simulated byte stream, at the readiness
//! layer: operations that never wait, and the end's [`Source`].
//!
//! A [`DuplexStream`](crate::io::DuplexStream) is a `StreamEnd` in the
//! try-then-wait loop of [`IoSource`](crate::kernel::IoSource); the
//! simulated network's TCP sockets are `StreamEnd`s behind the kernel's
//! socket contract. See `duplex.rs` for what the pair models and where it
//! diverges from Linux.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::rc::Rc;

use crate::faults::FaultKind;
use crate::kernel::net::Errno;
use crate::kernel::stream::pipe::Segment;
use crate::kernel::stream::trickle;
use crate::kernel::stream::wire::{End, Wire, closed_readiness};
use crate::kernel::{AsSource, Readiness, Source};

/// One end of a stream pair built by
/// [`stream_pair`](crate::kernel::stream::stream_pair), without registrations: the
/// readiness layer, where `WouldBlock`, short reads and partial writes
/// are the caller's to handle. Dropping it closes the end (FIN, or RST
/// under TCP when unread data remains).
pub struct StreamEnd {
    pub(super) wire: Rc<Wire>,
    /// Which of the wire's ends this is.
    pub(super) side: usize,
}

impl StreamEnd {
    pub(crate) fn new(wire: Rc<Wire>, side: usize) -> StreamEnd {
        StreamEnd { wire, side }
    }

    fn end(&self) -> &End {
        self.wire.end(self.side)
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
            if pipe.fin_received() {
                return Ok(0);
            }
            drop(pipe);
            let mut st = self.end().state.borrow_mut();
            if let Some(e) = st.error.take() {
                return Err(e);
            }
            if st.dead || st.read_shutdown {
                return Ok(0);
            }
            drop(st);
            source.clear(Readiness::READABLE);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let mut n = buf.len().min(pipe.buffered());
        // `Interrupted`'s roll checked the runtime.
        if n > 1 && source.fault_again(FaultKind::ShortRead) {
            n = source.fault_amount(FaultKind::ShortRead, n);
        }
        let n = pipe.take(&mut buf[..n]);
        let drained = pipe.buffered() == 0;
        let slow = self.wire.slow.get();
        // The room the writer (writing into this pipe) has now; a slow
        // stream's is what its queue leaves, asked below.
        let announce = !slow && self.wire.room_announced(pipe.capacity(), pipe.space());
        drop(pipe);
        source.note_read_bytes(drained);
        source.trace("read", n as i64);
        if slow {
            self.read_slow();
        } else if announce {
            // Room freed: the writer's side becomes writable (an edge only
            // if it was not), once the room is worth announcing.
            self.wire.announce_room(1 - self.side);
        }
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
        if pipe.fin_received() || st.dead || st.read_shutdown || st.error.is_some() {
            return Ok(0);
        }
        drop((pipe, st));
        self.source().clear(Readiness::READABLE);
        Err(io::ErrorKind::WouldBlock.into())
    }

    /// Writes what fits, without waiting.
    ///
    /// `WouldBlock` when the direction is full; `BrokenPipe` after
    /// [`StreamEnd::shutdown_write`]. A peer's close is learned
    /// over the link: the first write after it succeeds, and once the RST
    /// it provokes has come back, one write reports `ConnectionReset` (or
    /// `BrokenPipe` if the peer's FIN came first) and later ones
    /// `BrokenPipe`. (A [`duplex`](crate::io::duplex) pair is a socketpair: writing to a
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
        if self.wire.slow.get() {
            return self.try_write_slow(data);
        }
        let space = peer.inbound.borrow().space();
        if space == 0 {
            source.clear(Readiness::WRITABLE);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let mut n = data.len().min(space);
        // `Interrupted`'s roll checked the runtime.
        if n > 1 && source.fault_again(FaultKind::PartialWrite) {
            n = source.fault_amount(FaultKind::PartialWrite, n);
        }
        source.trace("write", n as i64);
        self.wire.kernel.note_payload(&data[..n]);
        let extra = self
            .wire
            .kernel
            .fault_delay(FaultKind::DelayedReadiness, peer.source.id());
        self.wire.transmit_data(self.side, &data[..n], extra);
        // The segment took `n` of the `space` bytes of room.
        if n == space {
            source.clear(Readiness::WRITABLE);
        }
        Ok(n)
    }

    /// Resets the connection (TCP's RST, as `SO_LINGER` 0 then close
    /// sends): this end's next read or write fails with
    /// `ConnectionReset`, and the RST travels to the peer behind what was
    /// already sent, over the link like data.
    pub fn reset(&self) {
        let _untracked = crate::alloc::Untracked::new();
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
        if let Some(trickle) = st.trickle.as_mut() {
            // An abort discards what was still to send.
            trickle.discard();
        }
        let rst_sent = st.rst_sent;
        drop(st);
        end.source
            .set_traced(closed_readiness(), closed_readiness(), "reset", 0);
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
        let _untracked = crate::alloc::Untracked::new();
        let mut st = self.end().state.borrow_mut();
        if st.dead || st.write_shutdown {
            return;
        }
        st.write_shutdown = true;
        let slow = st.trickle.as_mut().map(|t| t.queue_fin()).is_some();
        drop(st);
        self.source().trace("shutdown", 0);
        if slow {
            // The FIN leaves behind what the end still has to send.
            trickle::pump(&self.wire, self.side, std::time::Duration::ZERO);
        } else {
            self.wire
                .transmit(self.side, Segment::Fin, std::time::Duration::ZERO);
        }
    }

    /// `shutdown(2)` with Linux's answers: `Write` as
    /// [`StreamEnd::shutdown_write`]; `Read` makes reads return 0 once
    /// what is buffered is read (data that arrives later is still
    /// delivered, as on Linux).
    ///
    /// # Errors
    ///
    /// `ENOTCONN` once the connection is over (reset or timed out).
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        if self.end().state.borrow().dead {
            return Err(Errno::ENOTCONN.into());
        }
        if matches!(how, Shutdown::Read | Shutdown::Both) {
            self.end().state.borrow_mut().read_shutdown = true;
            let eof = Readiness::READABLE | Readiness::READ_CLOSED;
            self.source().set_traced(eof, eof, "shutdown read", 0);
        }
        if matches!(how, Shutdown::Write | Shutdown::Both) {
            self.shutdown_write();
        }
        Ok(())
    }
}

impl AsSource for StreamEnd {
    fn source(&self) -> &Source {
        &self.end().source
    }
}

impl Drop for StreamEnd {
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

impl fmt::Debug for StreamEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamEnd")
            .field("source", self.source())
            .finish_non_exhaustive()
    }
}
