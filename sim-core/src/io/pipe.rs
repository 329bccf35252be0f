//! One direction of a simulated byte stream: bytes in flight (written, not
//! yet delivered) and bytes buffered at the reader.
//!
//! Capacity bounds both together, so a writer that outpaces its reader gets
//! partial writes and then `WouldBlock`: backpressure, as a full socket
//! send buffer gives. Each write becomes one segment; a delivery event
//! always moves the *oldest* segment, so segments arrive in order whatever
//! order their delivery events fire in.

use std::collections::VecDeque;

use crate::kernel::{Readiness, Source};

pub(crate) struct Pipe {
    buf: VecDeque<u8>,
    in_flight: VecDeque<Vec<u8>>,
    in_flight_bytes: usize,
    capacity: usize,
    /// The writer shut down its half: no more segments, FIN follows them.
    pub(crate) write_shutdown: bool,
    /// The reader has seen the FIN: reads return 0 once drained.
    fin_delivered: bool,
    /// The reading end was dropped: writes fail with `BrokenPipe`.
    pub(crate) reader_gone: bool,
    /// The connection broke (reset, or timed out retransmitting): both
    /// ends fail every read and write with this kind.
    pub(crate) broken: Option<std::io::ErrorKind>,
}

impl Pipe {
    pub(crate) fn new(capacity: usize) -> Pipe {
        Pipe {
            buf: VecDeque::new(),
            in_flight: VecDeque::new(),
            in_flight_bytes: 0,
            capacity,
            write_shutdown: false,
            fin_delivered: false,
            reader_gone: false,
            broken: None,
        }
    }

    /// Room left for the writer.
    pub(crate) fn space(&self) -> usize {
        self.capacity - self.buf.len() - self.in_flight_bytes
    }

    /// Queues a written segment; the caller schedules its delivery.
    pub(crate) fn send(&mut self, bytes: &[u8]) {
        debug_assert!(
            bytes.len() <= self.space(),
            "segment larger than the room left"
        );
        self.in_flight_bytes += bytes.len();
        self.in_flight.push_back(bytes.to_vec());
    }

    /// A delivery event: moves the oldest segment into the reader's buffer
    /// and reports the change on the reader's source.
    pub(crate) fn deliver(&mut self, reader: &Source) {
        let Some(segment) = self.in_flight.pop_front() else {
            return;
        };
        self.in_flight_bytes -= segment.len();
        if self.reader_gone {
            return;
        }
        let n = segment.len();
        self.buf.extend(segment);
        reader.trace("delivered", n as i64);
        let fin = self.take_fin();
        reader.set(Readiness::READABLE | fin, Readiness::READABLE);
    }

    /// A FIN event: takes effect once every segment before it is delivered.
    pub(crate) fn deliver_fin(&mut self, reader: &Source) {
        let fin = self.take_fin();
        if !fin.is_empty() {
            reader.trace("fin", 0);
            reader.set(Readiness::READABLE | fin, fin);
        }
    }

    fn take_fin(&mut self) -> Readiness {
        if self.write_shutdown && self.in_flight.is_empty() && !self.fin_delivered {
            self.fin_delivered = true;
            Readiness::READ_CLOSED
        } else {
            Readiness::EMPTY
        }
    }

    /// Bytes ready to read.
    pub(crate) fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Whether the reader has seen EOF.
    pub(crate) fn at_eof(&self) -> bool {
        self.fin_delivered && self.buf.is_empty()
    }

    /// Copies up to `out.len()` bytes out.
    pub(crate) fn take(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.buf.len());
        for (dst, src) in out[..n].iter_mut().zip(self.buf.drain(..n)) {
            *dst = src;
        }
        n
    }

    /// Bytes written but not yet delivered.
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight_bytes
    }

    /// The connection broke: everything buffered or in flight is gone.
    /// The first cause sticks.
    pub(crate) fn break_with(&mut self, kind: std::io::ErrorKind) {
        self.broken.get_or_insert(kind);
        self.buf.clear();
    }

    /// The reader went away: drop what it never read.
    pub(crate) fn close_reader(&mut self) {
        self.reader_gone = true;
        self.buf.clear();
    }
}
