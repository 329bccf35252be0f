//! A slow stream: each end's receive window is tiny, and what each end
//! sends leaves in tiny segments, one by one, with pauses between them.
//! The simulated network slows a TCP connection drawn as a slow peer
//! (`FaultKind::SlowPeer`) this way.
//!
//! A write to a slow end's peer is accepted into the writer's queue (its
//! send buffer: the stream's capacity bounds queue, flight and unread
//! bytes together, as it bounds flight and unread ones for any stream),
//! and leaves it as segments of `1..=segment_max` bytes while the
//! reader's window (`segment_max` bytes in flight or unread) has room.
//! Each read reopens the window and moves the queue on; a FIN leaves
//! behind the queue, and an abort (RST, or giving up) discards it, as
//! Linux discards a send queue. So a reader gets at most a window per
//! read however late it reads, and a writer is held back only once its
//! queue is full, as with a peer that advertises a tiny window.
//!
//! The window follows receiver-side silly-window avoidance (RFC 1122
//! 4.2.3.3, as Linux does it): freed room is announced only once it is at
//! least half the window (or an MSS, far larger here), so the queue moves
//! on only then. Without it a window freed one byte at a time would turn
//! every segment into a 1-byte one, whatever the window.
//!
//! The sizes and pauses come from each end's own seeded stream, drawn
//! only when it sends: a stream that is not slow draws nothing, and one
//! slow stream's draws never move another's.

use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::rc::Rc;
use std::time::Duration;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::kernel::stream::pipe::Segment;
use crate::kernel::stream::wire::Wire;
use crate::time::Instant;

/// How the ends of a slow stream send and receive; see
/// [`StreamEnd::slow_down`](crate::kernel::stream::StreamEnd::slow_down).
///
/// ```
/// use std::num::NonZeroUsize;
/// use detsim::kernel::stream::Trickle;
/// use detsim::time::Duration;
///
/// let one_byte_at_a_time = Trickle {
///     segment_max: NonZeroUsize::MIN,
///     gap_max: Duration::from_micros(100),
///     seed: 7,
/// };
/// assert_eq!(one_byte_at_a_time.segment_max.get(), 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Trickle {
    /// Each end's receive window, and the largest segment an end sends,
    /// in bytes: each segment is `1..=segment_max` bytes, and at most
    /// `segment_max` bytes are in flight or unread towards an end.
    pub segment_max: NonZeroUsize,
    /// Longest pause before each segment an end sends: a segment leaves
    /// `0..=gap_max` after the one before it (or after it could leave, if
    /// the end was idle or its peer's window closed).
    pub gap_max: Duration,
    /// Seed of the ends' segment sizes and pauses (one stream per end).
    pub seed: u64,
}

/// A slow end's sending side: its queue, its stream of sizes and pauses,
/// and when its latest segment left.
pub(crate) struct Trickler {
    /// Largest segment, and the peer's receive window.
    segment_max: usize,
    gap_max_nanos: u64,
    rng: ChaCha8Rng,
    /// When the latest segment leaves: the next one leaves after it.
    paced_until: Instant,
    /// Bytes written and not sent yet (the send buffer).
    queue: VecDeque<u8>,
    /// A FIN waits behind `queue`.
    fin_queued: bool,
}

impl Trickler {
    /// The sending side of end `side` (0 or 1) of a stream slowed down
    /// with `trickle`.
    pub(crate) fn new(trickle: Trickle, side: usize) -> Trickler {
        let mut rng = ChaCha8Rng::seed_from_u64(trickle.seed);
        rng.set_stream(side as u64);
        Trickler {
            segment_max: trickle.segment_max.get(),
            gap_max_nanos: u64::try_from(trickle.gap_max.as_nanos()).unwrap_or(u64::MAX),
            rng,
            paced_until: Instant::ZERO,
            queue: VecDeque::new(),
            fin_queued: false,
        }
    }

    /// The FIN is to leave once the queue is empty.
    pub(crate) fn queue_fin(&mut self) {
        self.fin_queued = true;
    }

    /// Forgets what was still to send (an abort).
    pub(crate) fn discard(&mut self) {
        self.queue.clear();
        self.fin_queued = false;
    }

    /// How much may leave now with `room` bytes free in the peer's
    /// window: nothing until half the window is free (silly-window
    /// avoidance; see the module docs), and never more than is queued.
    fn sendable(&self, room: usize) -> usize {
        if room < self.segment_max.div_ceil(2) {
            0
        } else {
            room.min(self.queue.len())
        }
    }

    /// The next segment of at most `left` bytes (at least 1), sent at
    /// `now`: its length, and how long after `now` it leaves.
    fn next(&mut self, left: usize, now: Instant) -> (usize, Duration) {
        debug_assert!(left > 0, "a segment carries at least one byte");
        let len = self.rng.random_range(1..=self.segment_max).min(left);
        let gap = Duration::from_nanos(self.rng.random_range(0..=self.gap_max_nanos));
        let depart = self.paced_until.max(now).saturating_add(gap);
        self.paced_until = depart;
        (len, depart.saturating_duration_since(now))
    }
}

/// Room for a write at slow end `from`: the stream's capacity less its
/// queue and what is in flight or unread at the peer.
pub(crate) fn send_space(wire: &Wire, from: usize) -> usize {
    let queued = wire
        .end(from)
        .state
        .borrow()
        .trickle
        .as_ref()
        .map_or(0, |t| t.queue.len());
    wire.peer(from)
        .inbound
        .borrow()
        .space()
        .saturating_sub(queued)
}

/// A write at slow end `from`: `data` joins its queue, which then moves
/// on as far as the peer's window allows, the segments sent now `extra`
/// late (a delayed-readiness fault).
pub(crate) fn queue(wire: &Rc<Wire>, from: usize, data: &[u8], extra: Duration) {
    let mut st = wire.end(from).state.borrow_mut();
    let trickle = st.trickle.as_mut().expect("a slow end keeps its trickle");
    trickle.queue.extend(data);
    drop(st);
    pump(wire, from, extra);
}

/// Sends what slow end `from` has queued while the peer's window has
/// room, each segment paced after the one before; then its FIN, if it
/// waits and the queue is empty. Does nothing for an end that is not slow.
#[cold]
pub(crate) fn pump(wire: &Rc<Wire>, from: usize, extra: Duration) {
    let now = wire.kernel.now();
    loop {
        let mut st = wire.end(from).state.borrow_mut();
        let Some(trickle) = st.trickle.as_mut() else {
            return;
        };
        if trickle.queue.is_empty() {
            let fin = std::mem::take(&mut trickle.fin_queued);
            drop(st);
            if fin {
                wire.transmit(from, Segment::Fin, Duration::ZERO);
            }
            return;
        }
        let used = wire.peer(from).inbound.borrow().used();
        let sendable = trickle.sendable(trickle.segment_max.saturating_sub(used));
        if sendable == 0 {
            return;
        }
        let (len, wait) = trickle.next(sendable, now);
        let segment: Vec<u8> = trickle.queue.drain(..len).collect();
        drop(st);
        wire.end(from).source.trace("segment", len as i64);
        wire.transmit(from, Segment::Data(segment), wait.saturating_add(extra));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trickler(segment_max: usize, gap_max: Duration) -> Trickler {
        let trickle = Trickle {
            segment_max: NonZeroUsize::new(segment_max).unwrap(),
            gap_max,
            seed: 3,
        };
        Trickler::new(trickle, 0)
    }

    #[test]
    fn segments_cover_a_write_in_order_and_leave_paced() {
        let mut t = trickler(4, Duration::from_micros(10));
        let now = Instant::from_nanos(1_000_000);
        let (mut left, mut last) = (100, Duration::ZERO);
        let mut segments = 0;
        while left > 0 {
            let (len, wait) = t.next(left, now);
            assert!((1..=4).contains(&len), "{len}");
            assert!(wait >= last, "segments leave in order");
            assert!(wait - last <= Duration::from_micros(10), "a gap is bounded");
            (left, last) = (left - len, wait);
            segments += 1;
        }
        assert!(
            segments >= 25,
            "100 bytes in segments of at most 4: {segments}"
        );
        let (_, next) = t.next(1, now);
        assert!(
            next >= last,
            "the next write queues behind the last segment"
        );
    }

    #[test]
    fn the_window_reopens_once_half_of_it_is_free() {
        let mut t = trickler(8, Duration::ZERO);
        t.queue.extend([0; 100]);
        assert_eq!(t.sendable(3), 0);
        assert_eq!(t.sendable(4), 4);
        assert_eq!(t.sendable(8), 8);
        let mut odd = trickler(5, Duration::ZERO);
        odd.queue.extend([0; 2]);
        assert_eq!(
            (odd.sendable(2), odd.sendable(3)),
            (0, 2),
            "no more than queued"
        );
        let mut one = trickler(1, Duration::ZERO);
        one.queue.push_back(0);
        assert_eq!((one.sendable(0), one.sendable(1)), (0, 1));
    }

    #[test]
    fn the_two_ends_draw_from_streams_of_their_own() {
        let trickle = Trickle {
            segment_max: NonZeroUsize::new(64).unwrap(),
            gap_max: Duration::ZERO,
            seed: 9,
        };
        let (mut a, mut b) = (Trickler::new(trickle, 0), Trickler::new(trickle, 1));
        let sizes = |t: &mut Trickler| {
            (0..8)
                .map(|_| t.next(64, Instant::ZERO).0)
                .collect::<Vec<_>>()
        };
        assert_ne!(sizes(&mut a), sizes(&mut b));
    }

    #[test]
    fn one_byte_segments_without_gaps_leave_at_once() {
        let mut t = trickler(1, Duration::ZERO);
        let now = Instant::from_nanos(5);
        assert_eq!(t.next(10, now), (1, Duration::ZERO));
        assert_eq!(t.next(9, now), (1, Duration::ZERO));
    }
}
