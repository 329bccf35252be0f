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
//! an RST overtakes nothing.

use std::collections::VecDeque;

/// What travels from one end to the other.
pub(crate) enum Segment {
    /// Bytes one write handed over.
    Data(Vec<u8>),
    /// The sender shut down its write half.
    Fin,
    /// The sender reset the connection.
    Rst,
}

pub(crate) struct Pipe {
    buf: VecDeque<u8>,
    in_flight: VecDeque<Segment>,
    in_flight_bytes: usize,
    capacity: usize,
    /// The reader received the FIN: reads return 0 once drained.
    pub(crate) fin_received: bool,
}

impl Pipe {
    pub(crate) fn new(capacity: usize) -> Pipe {
        Pipe {
            buf: VecDeque::new(),
            in_flight: VecDeque::new(),
            in_flight_bytes: 0,
            capacity,
            fin_received: false,
        }
    }

    /// Bytes in flight or unread: what counts against a receive window.
    pub(crate) fn used(&self) -> usize {
        self.buf.len() + self.in_flight_bytes
    }

    /// Bytes it buffers, in flight and unread together.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Room left for the writer.
    pub(crate) fn space(&self) -> usize {
        self.capacity - self.buf.len() - self.in_flight_bytes
    }

    /// Queues a segment; the caller schedules its arrival.
    pub(crate) fn send(&mut self, segment: Segment) {
        if let Segment::Data(bytes) = &segment {
            debug_assert!(
                bytes.len() <= self.space(),
                "segment larger than the room left"
            );
            self.in_flight_bytes += bytes.len();
        }
        self.in_flight.push_back(segment);
    }

    /// An arrival event: takes the oldest segment off the wire (`None` if
    /// the wire was cleared meanwhile).
    pub(crate) fn arrive(&mut self) -> Option<Segment> {
        let segment = self.in_flight.pop_front()?;
        if let Segment::Data(bytes) = &segment {
            self.in_flight_bytes -= bytes.len();
        }
        Some(segment)
    }

    /// Adds arrived bytes to what the reader can read.
    pub(crate) fn receive(&mut self, bytes: Vec<u8>) {
        self.buf.extend(bytes);
    }

    /// Forgets everything still on the wire: its sender gave up.
    pub(crate) fn clear_in_flight(&mut self) {
        self.in_flight.clear();
        self.in_flight_bytes = 0;
    }

    /// Bytes ready to read.
    pub(crate) fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Copies up to `out.len()` bytes out.
    pub(crate) fn take(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.buf.len());
        for (dst, src) in out[..n].iter_mut().zip(self.buf.drain(..n)) {
            *dst = src;
        }
        n
    }

    /// Copies up to `out.len()` bytes out, leaving them buffered.
    pub(crate) fn peek(&self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.buf.len());
        for (dst, src) in out[..n].iter_mut().zip(self.buf.iter()) {
            *dst = *src;
        }
        n
    }

    /// The reader went away: drop what it never read.
    pub(crate) fn discard_buffered(&mut self) {
        self.buf.clear();
    }
}
