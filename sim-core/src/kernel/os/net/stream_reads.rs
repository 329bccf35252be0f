//! [`StreamReads`]: what a TCP socket's reads and writes tell about its
//! readiness, so that it does not ask the kernel a question epoll already
//! answered.
//!
//! Every descriptor is registered edge-triggered, and on Linux every
//! arrival of data on a TCP socket is a new edge (a new epoll event), even
//! when earlier data was not read. So once a read has seen the receive
//! queue empty, nothing more is to be read until the next event, which
//! the kernel hands out only after this read (the source's readiness is
//! set from events in `OsKernel::park`, between polls). The read can then
//! forget `READABLE` itself, and the reader's next try waits for that
//! event instead of making a `recv` that can only say `EAGAIN`, which is
//! what tokio (and detsim before this) pays on every message of a
//! request/response protocol.
//!
//! A read sees the queue empty when it gets fewer bytes than it asked for
//! (a non-blocking TCP `recv` copies until the queue runs dry). The rule
//! alone is tokio's, and it never applies to a reader whose buffer is
//! exactly as large as the message (the 1-byte echo; a fixed-size header
//! read with `read_exact`). So a read of fewer than [`READ_AHEAD_BYTES`]
//! asks the kernel for that many into a small read-ahead buffer: a short
//! answer then says the queue is empty even when it filled the caller's
//! buffer, and what the caller did not take is served from the buffer by
//! the next reads (and by `peek`), before the kernel is asked again.
//! Larger reads go straight into the caller's buffer, with the short-read
//! rule only.
//!
//! What would make a short read lie, and what is done about it:
//!
//! - **Urgent data** (`MSG_OOB`): Linux stops a read at the urgent mark,
//!   so the read is short while data waits behind the mark. The urgent
//!   byte's arrival is an event with `EPOLLPRI`: either it was handed out
//!   before the read (the socket's urgent flag is then set and short reads
//!   no longer clear anything, for the socket's whole life) or it is still
//!   queued in epoll and sets the readiness again.
//! - **EOF** (`EPOLLRDHUP`): a read is short when it stops at the FIN;
//!   `READ_CLOSED` is never cleared, so the next read still runs and
//!   returns 0. A FIN that arrives later is an event of its own.
//! - **RST and errors**: `ERROR` (and the closed bits `EPOLLHUP` sets) are
//!   never cleared either, so the next read runs and reports the error.
//! - **A peer writing between the syscalls**: its data either came before
//!   the read took the queue (then the read was not short, or took it) or
//!   after (then its event is still in epoll, and sets `READABLE` again at
//!   the next `epoll_wait`). Clearing happens right after the `recv`,
//!   before the runtime can next look at epoll, so it cannot erase a
//!   newer event.
//!
//! A partial write says the reverse for the send buffer (Linux then marks
//! the socket `SOCK_NOSPACE` and reports `EPOLLOUT` when room frees), so
//! it forgets `WRITABLE`, as tokio does.
//!
//! # Divergence from Linux
//!
//! Bytes in the read-ahead buffer have left the kernel's receive queue:
//! the kernel's window opens up to [`READ_AHEAD_BYTES`] earlier than the
//! reader reads. Closing a socket whose read-ahead still holds unread
//! bytes resets the connection (`SO_LINGER` 0), as Linux resets one closed
//! with unread data in its queue.

use std::cell::{Cell, RefCell};
use std::io;
use std::os::fd::BorrowedFd;
use std::rc::Rc;

use rustix::net::RecvFlags;

use crate::kernel::{Readiness, Source};

/// The read-ahead buffer's size: reads smaller than this ask the kernel for
/// this many bytes. Large enough for the headers and small messages of
/// request/response protocols; bounded, so a socket costs at most this
/// much more memory.
pub(crate) const READ_AHEAD_BYTES: usize = 64;

/// A stream socket's read-ahead buffer and urgent-data flag. See the
/// module docs.
pub(crate) struct StreamReads {
    ahead: RefCell<ReadAhead>,
    /// Set by the OS kernel once an event reported urgent data.
    urgent: Rc<Cell<bool>>,
}

/// Bytes taken from the kernel and not yet given to the reader:
/// `buf[start..end]`.
struct ReadAhead {
    buf: [u8; READ_AHEAD_BYTES],
    start: usize,
    end: usize,
}

impl ReadAhead {
    fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Copies what fits of the unread bytes into `out`; consumes them if
    /// `consume`.
    fn copy_out(&mut self, out: &mut [u8], consume: bool) -> usize {
        let n = out.len().min(self.end - self.start);
        out[..n].copy_from_slice(&self.buf[self.start..self.start + n]);
        if consume {
            self.start += n;
        }
        n
    }
}

impl StreamReads {
    /// A connected stream socket's, with the kernel's urgent flag for it.
    pub(crate) fn new(urgent: Rc<Cell<bool>>) -> StreamReads {
        StreamReads {
            ahead: RefCell::new(ReadAhead {
                buf: [0; READ_AHEAD_BYTES],
                start: 0,
                end: 0,
            }),
            urgent,
        }
    }

    /// `recv(2)` as the reader sees it: unread read-ahead first, then the
    /// kernel; forgets `READABLE` on `source` when the kernel's queue was
    /// seen empty and nothing is left in the read-ahead.
    pub(crate) fn read(
        &self,
        fd: BorrowedFd<'_>,
        source: &Source,
        buf: &mut [u8],
    ) -> io::Result<usize> {
        let mut ahead = self.ahead.borrow_mut();
        if !ahead.is_empty() {
            // The source stayed readable since these bytes were read
            // ahead: nothing clears it while they wait.
            return Ok(ahead.copy_out(buf, true));
        }
        if buf.is_empty() || buf.len() >= READ_AHEAD_BYTES {
            drop(ahead);
            let n = recv(fd, buf)?;
            if n > 0 && n < buf.len() {
                self.drained(source);
            }
            return Ok(n);
        }
        let n = recv(fd, &mut ahead.buf)?;
        ahead.start = 0;
        ahead.end = n;
        let given = ahead.copy_out(buf, true);
        if n > 0 && n < READ_AHEAD_BYTES && ahead.is_empty() {
            self.drained(source);
        }
        Ok(given)
    }

    /// `recv(2)` with `MSG_PEEK`: the read-ahead if it holds anything (a
    /// short peek, which Linux may give too), else the kernel's queue.
    pub(crate) fn peek(&self, fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
        let mut ahead = self.ahead.borrow_mut();
        if !ahead.is_empty() && !buf.is_empty() {
            return Ok(ahead.copy_out(buf, false));
        }
        drop(ahead);
        Ok(rustix::net::recv(fd, buf, RecvFlags::PEEK)?.0)
    }

    /// Whether bytes the reader has not read wait in the read-ahead.
    pub(crate) fn has_unread(&self) -> bool {
        !self.ahead.borrow().is_empty()
    }

    /// After a send that took `n` of `len` bytes: a partial write means the
    /// send buffer is full, and `EPOLLOUT` will say when it is not.
    pub(crate) fn wrote(&self, source: &Source, n: usize, len: usize) {
        if n > 0 && n < len {
            source.clear(Readiness::WRITABLE);
        }
    }

    /// The receive queue was seen empty: wait for the next event instead of
    /// asking again. Not after urgent data, which makes reads short early.
    fn drained(&self, source: &Source) {
        if !self.urgent.get() {
            source.clear(Readiness::READABLE);
        }
    }
}

fn recv(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    Ok(rustix::net::recv(fd, buf, RecvFlags::empty())?.0)
}
