//! One direction of a simulated byte stream: segments in flight (sent, not
//! yet arrived) and the bytes that arrived and wait to be read.
//!
//! Capacity bounds both together, so a writer that outpaces its reader gets
//! partial writes and then `WouldBlock`: backpressure, as a full socket
//! send buffer gives. A writer that saw `WouldBlock` is told of room again
//! only once a batch is free (`Wire::room_to_announce`), so cut segments
//! do not stay cut. A slow stream's sender also keeps a queue, within
//! the same capacity, and respects a receive window, a smaller bound on
//! what is in flight or unread (`trickle.rs`). Each write becomes one segment; FIN and RST are
//! segments too. An arrival event always moves the *oldest* segment, so
//! segments arrive in the order they were sent whatever order their
//! arrival events fire in: a FIN never overtakes data sent before it, and
//! an RST overtakes nothing. So the bytes in flight can wait in the same
//! buffer as the readable ones, right behind them: an arrival moves the
//! boundary, and reads and writes are slice copies.
//!
//! The bytes are a `Vec` read from an offset, not a ring: a read is one
//! copy out of one slice, a write one append, and the usual read (all
//! that arrived, nothing in flight behind it) empties the vector. The
//! prefix already read is dropped when a write would otherwise grow the
//! vector and it is at least as long as what is left, so each byte is
//! moved at most once on average and the vector stays within a small
//! multiple of the capacity.

use std::collections::VecDeque;

/// What a sender hands over to [`Wire::transmit`](super::wire::Wire::transmit)
/// (an RST is only ever sent by the wire itself).
pub(crate) enum Segment {
    /// Bytes one write handed over.
    Data(Vec<u8>),
    /// The sender shut down its write half.
    Fin,
}

/// A segment on the wire. A data segment's bytes are not carried here:
/// they wait in the pipe's bytes, behind the readable ones, so sending
/// and delivering data allocates nothing once the buffer has grown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InFlight {
    /// That many bytes, the oldest of the pipe's bytes in flight.
    Data(usize),
    /// The sender shut down its write half.
    Fin,
    /// The sender reset the connection.
    Rst,
}

/// The most a pipe buffers: larger capacities are taken as this. It keeps
/// the pipe's counters in 32 bits (the bytes, read prefix included, stay
/// within four times the capacity), so a pipe takes 48 bytes, and every
/// idle connection holds two.
pub(crate) const MAX_CAPACITY: usize = 1 << 30;

/// In declaration order (`repr(C)`): the counters an arrival reads and
/// writes (`oldest`, `readable`) come first, right behind the `RefCell`'s
/// borrow flag, so an arrival touches the front of the pipe only.
#[repr(C)]
pub(crate) struct Pipe {
    /// The oldest segment in flight, inline ([`Oldest`]'s encoding), so
    /// sending and delivering the usual lone segment reads no other
    /// object; bit [`MORE_BEHIND`]: `behind` holds more.
    oldest: u32,
    /// How many of the bytes after `head` are readable.
    readable: u32,
    /// Where the unread bytes start.
    head: u32,
    /// At most [`MAX_CAPACITY`]; bit [`FIN_RECEIVED`]: the reader
    /// received the FIN (reads return 0 once drained).
    capacity: u32,
    /// From `head` on: the bytes that arrived and wait to be read (the
    /// first `readable`), then the bytes of the data segments in flight,
    /// in the order sent: segments arrive oldest first, so an arrival
    /// only moves the boundary. Before `head`: bytes already read, not
    /// yet dropped.
    bytes: Vec<u8>,
    /// The segments in flight behind the oldest, oldest first. Boxed on
    /// the first send that finds one in flight already: an idle
    /// connection's pipes carry one pointer each, not a `VecDeque`, and a
    /// connection with one segment in flight at a time (a request and
    /// its response) never reads it.
    #[allow(clippy::box_collection)] // The point: 8 bytes idle, not 32.
    behind: Option<Box<VecDeque<InFlight>>>,
}

/// The bit of [`Pipe::capacity`] that says the FIN was received (a
/// capacity fits in the bits below it).
const FIN_RECEIVED: u32 = 1 << 31;

/// The bit of [`Pipe::oldest`] that says more segments wait behind it (an
/// encoded segment fits in the bits below it).
const MORE_BEHIND: u32 = 1 << 31;

/// How [`Pipe::oldest`] encodes a segment in 31 bits: 0 for none, 1 for a
/// FIN, 2 for an RST, `n + 3` for `n` bytes of data (`n` is at most
/// [`MAX_CAPACITY`]).
struct Oldest;

impl Oldest {
    const NONE: u32 = 0;

    #[inline]
    fn encode(segment: InFlight) -> u32 {
        match segment {
            InFlight::Fin => 1,
            InFlight::Rst => 2,
            // Within the capacity, so below bit 31.
            InFlight::Data(n) => n as u32 + 3,
        }
    }

    #[inline]
    fn decode(code: u32) -> InFlight {
        match code {
            1 => InFlight::Fin,
            2 => InFlight::Rst,
            n => InFlight::Data((n - 3) as usize),
        }
    }
}

impl Pipe {
    /// A pipe buffering `capacity` bytes, at most [`MAX_CAPACITY`].
    pub(crate) fn new(capacity: usize) -> Pipe {
        Pipe {
            bytes: Vec::new(),
            behind: None,
            head: 0,
            readable: 0,
            capacity: capacity.min(MAX_CAPACITY) as u32,
            oldest: Oldest::NONE,
        }
    }

    /// Bytes in flight or unread: what counts against a receive window.
    pub(crate) fn used(&self) -> usize {
        self.bytes.len() - self.head as usize
    }

    /// Bytes it buffers, in flight and unread together.
    #[inline]
    pub(crate) fn capacity(&self) -> usize {
        (self.capacity & !FIN_RECEIVED) as usize
    }

    /// Whether the reader received the FIN: reads return 0 once drained.
    #[inline]
    pub(crate) fn fin_received(&self) -> bool {
        self.capacity & FIN_RECEIVED != 0
    }

    /// The FIN arrived.
    pub(crate) fn receive_fin(&mut self) {
        self.capacity |= FIN_RECEIVED;
    }

    /// Room left for the writer.
    pub(crate) fn space(&self) -> usize {
        self.capacity() - self.used()
    }

    /// Puts a data segment on the wire; the caller schedules its arrival.
    #[inline]
    pub(crate) fn send_data(&mut self, data: &[u8]) {
        debug_assert!(
            data.len() <= self.space(),
            "segment larger than the room left"
        );
        if self.bytes.capacity() - self.bytes.len() < data.len() {
            self.make_room();
        }
        self.bytes.extend_from_slice(data);
        self.queue(InFlight::Data(data.len()));
    }

    /// The vector is full: drops the prefix already read if that frees at
    /// least as much as it moves; otherwise the vector grows.
    #[cold]
    fn make_room(&mut self) {
        if self.head > 0 && self.head as usize >= self.used() {
            self.bytes.drain(..self.head as usize);
            self.head = 0;
        }
    }

    /// Puts a FIN or an RST on the wire; the caller schedules its arrival.
    pub(crate) fn send_marker(&mut self, marker: InFlight) {
        debug_assert!(
            !matches!(marker, InFlight::Data(_)),
            "data goes through send_data"
        );
        self.queue(marker);
    }

    /// Queues `segment` behind those in flight.
    #[inline(always)]
    fn queue(&mut self, segment: InFlight) {
        if self.oldest == Oldest::NONE {
            self.oldest = Oldest::encode(segment);
        } else {
            self.queue_behind(segment);
        }
    }

    /// A segment sent while another is in flight: it waits in `behind`,
    /// boxed at the first one.
    #[cold]
    #[inline(never)]
    fn queue_behind(&mut self, segment: InFlight) {
        self.behind
            .get_or_insert_with(Box::default)
            .push_back(segment);
        self.oldest |= MORE_BEHIND;
    }

    /// An arrival event: takes the oldest segment off the wire (`None` if
    /// the wire was cleared meanwhile). A data segment's bytes are then
    /// either [received](Pipe::receive) or [dropped](Pipe::drop_arrived).
    #[inline]
    pub(crate) fn arrive(&mut self) -> Option<InFlight> {
        let oldest = self.oldest;
        if oldest == Oldest::NONE {
            return None;
        }
        if oldest & MORE_BEHIND == 0 {
            self.oldest = Oldest::NONE;
        } else {
            self.next_behind();
        }
        Some(Oldest::decode(oldest & !MORE_BEHIND))
    }

    /// The oldest segment arrived and others wait behind it: the next
    /// one becomes the oldest.
    #[cold]
    #[inline(never)]
    fn next_behind(&mut self) {
        let behind = self.behind.as_mut().expect("MORE_BEHIND: a queue");
        let next = behind.pop_front().expect("MORE_BEHIND: a segment");
        let more = if behind.is_empty() { 0 } else { MORE_BEHIND };
        self.oldest = Oldest::encode(next) | more;
    }

    /// The `n` bytes of the data segment that just arrived become readable.
    pub(crate) fn receive(&mut self, n: usize) {
        // Within the capacity, so within 32 bits.
        self.readable += n as u32;
        debug_assert!(self.buffered() <= self.used(), "received more than sent");
    }

    /// The `n` bytes of the data segment that just arrived are dropped
    /// (its reader is gone): they leave the buffer unread.
    pub(crate) fn drop_arrived(&mut self, n: usize) {
        let at = self.readable_end();
        self.bytes.drain(at..at + n);
    }

    /// Forgets everything still on the wire: its sender gave up.
    pub(crate) fn clear_in_flight(&mut self) {
        self.oldest = Oldest::NONE;
        if let Some(behind) = self.behind.as_mut() {
            behind.clear();
        }
        self.bytes.truncate(self.readable_end());
    }

    /// Where the readable bytes end (and the bytes in flight start).
    fn readable_end(&self) -> usize {
        self.head as usize + self.readable as usize
    }

    /// Bytes ready to read.
    pub(crate) fn buffered(&self) -> usize {
        self.readable as usize
    }

    /// Copies up to `out.len()` bytes out.
    #[inline]
    pub(crate) fn take(&mut self, out: &mut [u8]) -> usize {
        let n = self.peek(out);
        self.consume(n);
        n
    }

    /// `n` readable bytes were read.
    fn consume(&mut self, n: usize) {
        // At most `readable`, so within 32 bits.
        self.readable -= n as u32;
        self.head += n as u32;
        if self.head as usize == self.bytes.len() {
            // The usual read: everything that arrived, nothing in flight
            // behind it. Emptying the vector is a store.
            self.bytes.clear();
            self.head = 0;
        }
    }

    /// Copies up to `out.len()` bytes out, leaving them buffered.
    #[inline]
    pub(crate) fn peek(&self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.buffered());
        let head = self.head as usize;
        out[..n].copy_from_slice(&self.bytes[head..head + n]);
        n
    }

    /// The reader went away: drop what it never read.
    pub(crate) fn discard_buffered(&mut self) {
        self.consume(self.buffered());
    }
}

#[cfg(test)]
#[path = "pipe_tests.rs"]
mod tests;
