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
//! ring as the readable ones, right behind them: an arrival moves the
//! boundary, and reads and writes are slice copies.

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
/// they wait in the pipe's byte ring, behind the readable ones, so
/// sending and delivering data allocates nothing once the ring has grown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InFlight {
    /// That many bytes, the oldest of the ring's bytes in flight.
    Data(usize),
    /// The sender shut down its write half.
    Fin,
    /// The sender reset the connection.
    Rst,
}

pub(crate) struct Pipe {
    /// The bytes that arrived and wait to be read (the first `readable`),
    /// then the bytes of the data segments in flight, in the order sent:
    /// segments arrive oldest first, so an arrival only moves the
    /// boundary.
    bytes: VecDeque<u8>,
    /// How many of `bytes` are readable.
    readable: usize,
    in_flight: VecDeque<InFlight>,
    capacity: usize,
    /// The reader received the FIN: reads return 0 once drained.
    pub(crate) fin_received: bool,
}

impl Pipe {
    pub(crate) fn new(capacity: usize) -> Pipe {
        Pipe {
            bytes: VecDeque::new(),
            readable: 0,
            in_flight: VecDeque::new(),
            capacity,
            fin_received: false,
        }
    }

    /// Bytes in flight or unread: what counts against a receive window.
    pub(crate) fn used(&self) -> usize {
        self.bytes.len()
    }

    /// Bytes it buffers, in flight and unread together.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Room left for the writer.
    pub(crate) fn space(&self) -> usize {
        self.capacity - self.bytes.len()
    }

    /// Puts a data segment on the wire; the caller schedules its arrival.
    pub(crate) fn send_data(&mut self, data: &[u8]) {
        debug_assert!(
            data.len() <= self.space(),
            "segment larger than the room left"
        );
        self.bytes.extend(data.iter());
        self.in_flight.push_back(InFlight::Data(data.len()));
    }

    /// Puts a FIN or an RST on the wire; the caller schedules its arrival.
    pub(crate) fn send_marker(&mut self, marker: InFlight) {
        debug_assert!(
            !matches!(marker, InFlight::Data(_)),
            "data goes through send_data"
        );
        self.in_flight.push_back(marker);
    }

    /// An arrival event: takes the oldest segment off the wire (`None` if
    /// the wire was cleared meanwhile). A data segment's bytes are then
    /// either [received](Pipe::receive) or [dropped](Pipe::drop_arrived).
    pub(crate) fn arrive(&mut self) -> Option<InFlight> {
        self.in_flight.pop_front()
    }

    /// The `n` bytes of the data segment that just arrived become readable.
    pub(crate) fn receive(&mut self, n: usize) {
        self.readable += n;
        debug_assert!(self.readable <= self.bytes.len(), "received more than sent");
    }

    /// The `n` bytes of the data segment that just arrived are dropped
    /// (its reader is gone): they leave the ring unread.
    pub(crate) fn drop_arrived(&mut self, n: usize) {
        self.bytes.drain(self.readable..self.readable + n);
    }

    /// Forgets everything still on the wire: its sender gave up.
    pub(crate) fn clear_in_flight(&mut self) {
        self.in_flight.clear();
        self.bytes.truncate(self.readable);
    }

    /// Bytes ready to read.
    pub(crate) fn buffered(&self) -> usize {
        self.readable
    }

    /// Copies up to `out.len()` bytes out.
    pub(crate) fn take(&mut self, out: &mut [u8]) -> usize {
        let n = self.peek(out);
        if n == self.bytes.len() {
            // The usual read: everything that arrived, nothing in flight
            // behind it. Emptying the ring is a store; a drain is not.
            self.bytes.clear();
        } else {
            self.bytes.drain(..n);
        }
        self.readable -= n;
        n
    }

    /// Copies up to `out.len()` bytes out, leaving them buffered.
    pub(crate) fn peek(&self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.readable);
        let (front, back) = self.bytes.as_slices();
        if n <= front.len() {
            out[..n].copy_from_slice(&front[..n]);
        } else {
            let (head, tail) = out[..n].split_at_mut(front.len());
            head.copy_from_slice(front);
            tail.copy_from_slice(&back[..tail.len()]);
        }
        n
    }

    /// The reader went away: drop what it never read.
    pub(crate) fn discard_buffered(&mut self) {
        self.bytes.drain(..self.readable);
        self.readable = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_become_readable_only_as_their_segments_arrive_in_order() {
        let mut pipe = Pipe::new(16);
        pipe.send_data(b"abc");
        pipe.send_marker(InFlight::Fin);
        pipe.send_data(b"de");
        assert_eq!((pipe.used(), pipe.space(), pipe.buffered()), (5, 11, 0));
        assert_eq!(pipe.arrive(), Some(InFlight::Data(3)));
        pipe.receive(3);
        let mut out = [0; 8];
        assert_eq!(pipe.peek(&mut out), 3);
        assert_eq!(pipe.take(&mut out[..2]), 2);
        assert_eq!(&out[..2], b"ab");
        assert_eq!(pipe.arrive(), Some(InFlight::Fin));
        assert_eq!(pipe.arrive(), Some(InFlight::Data(2)));
        pipe.receive(2);
        assert_eq!(pipe.take(&mut out), 3);
        assert_eq!(&out[..3], b"cde");
        assert_eq!((pipe.used(), pipe.arrive()), (0, None));
    }

    #[test]
    fn a_read_across_the_rings_wrap_point_copies_both_halves() {
        let mut pipe = Pipe::new(8);
        let mut out = [0; 8];
        for round in 0..20u8 {
            let data = [round, round.wrapping_add(1), round.wrapping_add(2)];
            pipe.send_data(&data);
            let Some(InFlight::Data(n)) = pipe.arrive() else {
                panic!("a data segment");
            };
            pipe.receive(n);
            assert_eq!(pipe.take(&mut out), 3);
            assert_eq!(out[..3], data, "round {round}");
        }
    }

    #[test]
    fn dropped_and_cleared_bytes_leave_the_readable_ones_alone() {
        let mut pipe = Pipe::new(16);
        pipe.send_data(b"keep");
        pipe.arrive();
        pipe.receive(4);
        pipe.send_data(b"lost");
        pipe.send_data(b"gone");
        assert_eq!(pipe.arrive(), Some(InFlight::Data(4)));
        pipe.drop_arrived(4);
        pipe.clear_in_flight();
        assert_eq!((pipe.used(), pipe.buffered(), pipe.arrive()), (4, 4, None));
        let mut out = [0; 8];
        assert_eq!(pipe.take(&mut out), 4);
        assert_eq!(&out[..4], b"keep");
        pipe.send_data(b"xy");
        pipe.arrive();
        pipe.receive(2);
        pipe.discard_buffered();
        assert_eq!((pipe.used(), pipe.buffered()), (0, 0));
    }
}
