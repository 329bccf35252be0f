//! The shared state of a stream pair, and how segments cross its links.
//!
//! Each end keeps its own view of the connection ([`EndState`]), and the
//! only way one end's view changes the other's is a segment arriving over
//! the link: data, FIN and RST all take the link's transit time and wait
//! (retransmitted) while the link is down. Nothing the peer does is known
//! at once.
//!
//! States of one end, and what enters them:
//! - open: the start;
//! - `write_shutdown`: this end sent its FIN (`shutdown(Write)` or close);
//! - `read_shutdown`: this end's reads return 0 once drained
//!   (`shutdown(Read)`); what arrives later is still delivered;
//! - `dead`: the connection is over for this end: it sent an RST (abort,
//!   close with unread data), received one, or gave up retransmitting.
//!   `error` holds what the next read or write reports, once (Linux's
//!   `sk_err`); after it, reads return 0 and writes fail with `BrokenPipe`;
//! - `closed`: the socket was dropped. Under TCP, data arriving at a
//!   closed (or dead) end is answered with one RST, as Linux answers a
//!   segment for a socket that no longer exists.

use std::cell::{Cell, RefCell};
use std::io;
use std::rc::Rc;
use std::time::Duration;

use crate::kernel::event::Action;
use crate::kernel::stream::Link;
use crate::kernel::stream::pipe::{InFlight, Pipe, Segment};
use crate::kernel::stream::trickle::Trickler;
use crate::kernel::{ChangeCount, KernelHandle, Readiness, Source};
use crate::time::Instant;

/// Readiness of an end whose connection is over.
pub(crate) fn closed_readiness() -> Readiness {
    Readiness::ERROR | Readiness::READ_CLOSED | Readiness::WRITE_CLOSED
}

/// In declaration order (`repr(C)`): the flags an arrival reads
/// (`closed`, `dead`) first, right behind the `RefCell`'s borrow flag.
#[derive(Default)]
#[repr(C)]
pub(crate) struct EndState {
    pub(crate) dead: bool,
    pub(crate) closed: bool,
    pub(crate) rst_sent: bool,
    pub(crate) write_shutdown: bool,
    /// Reads return 0 once the buffer is drained (`shutdown(Read)`).
    pub(crate) read_shutdown: bool,
    pub(crate) error: Option<io::Error>,
    /// Set for a slow end: how its writes are cut and paced. Boxed, so
    /// an end that is not slow carries one pointer.
    pub(crate) trickle: Option<Box<Trickler>>,
}

/// One end: its readiness, what the peer sent to it, and the link that
/// carries it there. The link is kept with the end it leads to, not the
/// one it leaves from, so an arrival reads one end only: with hundreds of
/// connections busy, the other end has left the cache by then.
///
/// In declaration order (`repr(C)`), so what an arrival reads (the
/// state's flags, the link, the source, the pipe's counters) lies in the
/// first 72 bytes of the 112, and what the peer's send reads of this end
/// (the link, the source, the pipe) in the last 80: the state, which
/// only this end's own operations read, comes first.
#[repr(C)]
pub(crate) struct End {
    pub(crate) state: RefCell<EndState>,
    /// The link from the peer to this end.
    pub(crate) inbound_link: Rc<dyn Link>,
    pub(crate) source: Source,
    pub(crate) inbound: RefCell<Pipe>,
}

/// Both ends of a stream pair. In declaration order (`repr(C)`): the
/// fields every operation reads first, next to the `Rc`'s counts (which
/// each segment's transmission changes), then the ends.
#[repr(C)]
pub(crate) struct Wire {
    pub(crate) kernel: KernelHandle,
    /// TCP semantics (RST on close with unread data and for data arriving
    /// after close; the peer learns of a close only from FIN/RST), rather
    /// than a socketpair's (the peer's close is known at once: one kernel
    /// holds both ends).
    pub(crate) tcp: bool,
    /// The stream was slowed down (`trickle.rs`): each end has a window
    /// and a queue. The one check a stream that is not slow pays.
    pub(crate) slow: Cell<bool>,
    /// Which ends' sources are known to be `WRITABLE` (bit `side`), as of
    /// the kernel's count of writable clears held in the bits above bit
    /// 1 (see [`Wire::announce_room`]). In the header's padding, on the
    /// line every read reads already.
    pub(super) writable_known: Cell<u32>,
    pub(crate) ends: [End; 2],
}

impl Wire {
    pub(crate) fn end(&self, side: usize) -> &End {
        &self.ends[side]
    }

    pub(crate) fn peer(&self, side: usize) -> &End {
        &self.ends[1 - side]
    }

    /// Whether end `from` has enough room to be reported writable again
    /// after its peer read: room is announced in batches, as Linux does,
    /// so a writer woken by a read writes a large chunk rather than the
    /// few bytes one read freed. Without it, a partial write or a short
    /// read that once cut a segment small would keep every later write
    /// that small (each read frees one segment's bytes, each write fills
    /// exactly that): the silly window syndrome, in the send buffer.
    ///
    /// TCP is writable once the free room is at least half of what is
    /// queued (`sk_stream_is_writeable`: at least a third of the buffer
    /// free); a socketpair once at most a quarter of its buffer is used
    /// (`unix_writable`). Writes that fit are accepted either way; only
    /// the wake-up waits for the batch.
    pub(crate) fn room_to_announce(&self, from: usize) -> bool {
        let pipe = self.peer(from).inbound.borrow();
        let capacity = pipe.capacity();
        let space = if self.slow.get() {
            drop(pipe);
            crate::kernel::stream::trickle::send_space(self, from)
        } else {
            pipe.space()
        };
        self.room_announced(capacity, space)
    }

    /// Makes end `side`'s source writable, an edge only if it was not:
    /// what its peer's read does once the room it freed is worth
    /// announcing. When the source is known to be writable already (the
    /// usual case: a writer that never ran out of room), that would
    /// record and wake nothing, so it is skipped without reading the end
    /// or its source: two cache lines a busy network has evicted since.
    /// It is known when this wire saw it set and no source has lost its
    /// `WRITABLE` bit since (`kernel/change_count.rs`).
    #[inline]
    pub(crate) fn announce_room(&self, side: usize) {
        let known = self.writable_known.get();
        if known & (1 << side) != 0 && known >> 2 == self.kernel.writable_clears() {
            return;
        }
        self.announce_room_asked(side);
    }

    /// [`Wire::announce_room`] when it is not known: sets the bit, then
    /// remembers it as of the count read before (a clear during the
    /// set's wakes leaves that count stale, so nothing wrong is cached).
    #[inline(never)]
    fn announce_room_asked(&self, side: usize) {
        let count = self.kernel.writable_clears();
        self.end(side)
            .source
            .set(Readiness::WRITABLE, Readiness::EMPTY);
        if count < ChangeCount::SATURATED {
            let known = self.writable_known.get();
            // The other end's bit holds only as of the same count.
            let still = if known >> 2 == count { known & 0b11 } else { 0 };
            self.writable_known.set(count << 2 | still | 1 << side);
        }
    }

    /// [`Wire::room_to_announce`] for a writer with `space` bytes of room
    /// out of `capacity`.
    #[inline]
    pub(crate) fn room_announced(&self, capacity: usize, space: usize) -> bool {
        let used = capacity - space;
        if self.tcp {
            used <= 2 * space
        } else {
            4 * used <= capacity
        }
    }

    /// Puts `segment` on the wire from `from` to its peer; it arrives after
    /// the link's transit time plus `extra`, retransmitted while the link
    /// is down, until the link's give-up time.
    pub(crate) fn transmit(self: &Rc<Self>, from: usize, segment: Segment, extra: Duration) {
        match segment {
            Segment::Data(bytes) => self.transmit_data(from, &bytes, extra),
            Segment::Fin => self.transmit_marker(from, InFlight::Fin, extra),
        }
    }

    /// [`Wire::transmit`] for the bytes one write handed over, copied
    /// into the peer's pipe: nothing is allocated once its ring has grown.
    pub(crate) fn transmit_data(self: &Rc<Self>, from: usize, data: &[u8], extra: Duration) {
        let to = 1 - from;
        self.end(to).inbound.borrow_mut().send_data(data);
        self.schedule_arrival(to, data.len(), extra);
    }

    fn transmit_marker(self: &Rc<Self>, from: usize, marker: InFlight, extra: Duration) {
        let to = 1 - from;
        self.end(to).inbound.borrow_mut().send_marker(marker);
        self.schedule_arrival(to, 0, extra);
    }

    /// Schedules the first transmission attempt of the segment of `len`
    /// bytes just put on the wire to `to`.
    fn schedule_arrival(self: &Rc<Self>, to: usize, len: usize, extra: Duration) {
        // Saturating: a link may be "infinitely slow" (`Duration::MAX`);
        // a panic here would repeat in the socket's drop, while unwinding.
        let link = &self.end(to).inbound_link;
        let (delay, up_as_of) = match link.delay_if_up(len) {
            Some(delay) => {
                let changes = self.kernel.link_changes();
                let known = changes < ChangeCount::SATURATED;
                (delay, if known { changes } else { UP_UNKNOWN })
            }
            None => (link.delay(len), UP_UNKNOWN),
        };
        let due = self
            .kernel
            .now()
            .saturating_add(delay.saturating_add(extra));
        let transmission = Transmission {
            wire: Rc::clone(self),
            to: to as u32,
            up_as_of,
            due,
        };
        self.kernel
            .schedule_action_at(due, Action::Segment(transmission));
    }

    /// The oldest segment from `1 - to` arrives at `to`.
    fn arrive(self: &Rc<Self>, to: usize) {
        let end = self.end(to);
        let Some(segment) = end.inbound.borrow_mut().arrive() else {
            return;
        };
        let (closed, dead) = {
            let st = end.state.borrow();
            (st.closed, st.dead)
        };
        match segment {
            InFlight::Data(n) if closed || dead => {
                end.inbound.borrow_mut().drop_arrived(n);
                // Room freed on the wire: the sender may write again (and
                // will hear of the RST below).
                self.peer(to)
                    .source
                    .set(Readiness::WRITABLE, Readiness::EMPTY);
                if self.tcp && !end.state.borrow().rst_sent {
                    end.source.trace("rst (segment for a closed socket)", 0);
                    self.send_rst(to);
                }
            }
            InFlight::Data(n) => {
                end.inbound.borrow_mut().receive(n);
                end.source.set_traced(
                    Readiness::READABLE,
                    Readiness::READABLE,
                    "delivered",
                    n as i64,
                );
            }
            InFlight::Fin if closed || dead => {}
            InFlight::Fin => {
                end.inbound.borrow_mut().receive_fin();
                let fin = Readiness::READABLE | Readiness::READ_CLOSED;
                end.source.set_traced(fin, fin, "fin", 0);
            }
            InFlight::Rst if closed || dead => {}
            InFlight::Rst => {
                // Linux: ECONNRESET, or EPIPE once the peer's FIN came
                // (CLOSE_WAIT); what arrived before stays readable.
                let error = if end.inbound.borrow().fin_received() {
                    io::Error::new(
                        io::ErrorKind::BrokenPipe,
                        "broken pipe: the peer closed, then reset the connection",
                    )
                } else {
                    io::Error::new(io::ErrorKind::ConnectionReset, "connection reset by peer")
                };
                let mut st = end.state.borrow_mut();
                st.dead = true;
                st.error = Some(error);
                drop(st);
                end.source
                    .set_traced(closed_readiness(), closed_readiness(), "reset received", 0);
            }
        }
    }

    /// `from` sends its one RST.
    pub(crate) fn send_rst(self: &Rc<Self>, from: usize) {
        self.end(from).state.borrow_mut().rst_sent = true;
        self.transmit_marker(from, InFlight::Rst, Duration::ZERO);
    }

    /// A segment from `from` went unacknowledged for the link's give-up
    /// time: `from` fails with `TimedOut` (Linux's `ETIMEDOUT` after
    /// `tcp_retries2`) and sends nothing more. The peer is not told: it
    /// finds out when its own segments are answered with RST, or time out.
    fn give_up(&self, from: usize) {
        let end = self.end(from);
        let mut st = end.state.borrow_mut();
        if st.dead {
            // Already over (an earlier segment gave up, or this end reset):
            // what is left on the wire may be the RST it owes a late
            // segment, which must not be cleared.
            return;
        }
        self.peer(from).inbound.borrow_mut().clear_in_flight();
        if let Some(trickle) = st.trickle.as_mut() {
            trickle.discard();
        }
        st.dead = true;
        st.error = Some(io::Error::new(
            io::ErrorKind::TimedOut,
            "connection timed out: segments went unacknowledged for the link's give-up time",
        ));
        drop(st);
        end.source
            .set_traced(closed_readiness(), closed_readiness(), "timed out", 0);
    }
}

/// A transmission attempt of the oldest segment to `to`, the typed
/// kernel event of the steady path: when due, the segment arrives if the
/// link is up; otherwise it is sent again after the link's
/// retransmission time, until the link's give-up time has passed since
/// the first attempt was `due` (computed only then: the steady path,
/// whose first attempt gets through, never asks the link for it).
pub(crate) struct Transmission {
    wire: Rc<Wire>,
    /// The end the segment goes to (kept rather than the sender: the
    /// attempt reads this end only).
    to: u32,
    /// The kernel's count of link changes when the link promised to stay
    /// up until the next ([`Link::delay_if_up`]), or [`UP_UNKNOWN`]: while
    /// the count has not moved, the link is up without asking it.
    up_as_of: u32,
    due: Instant,
}

/// [`Transmission::up_as_of`] when the link promised nothing: above any
/// count the kernel keeps (they stop at [`ChangeCount::SATURATED`]).
const UP_UNKNOWN: u32 = u32::MAX;

impl Transmission {
    /// The attempt is due.
    pub(crate) fn attempt(mut self) {
        let wire = &self.wire;
        let to = self.to as usize;
        let link = &wire.end(to).inbound_link;
        if self.up_as_of == wire.kernel.link_changes() || link.is_up() {
            wire.arrive(to);
        } else if wire.kernel.now() >= self.due.saturating_add(link.give_up_after()) {
            wire.give_up(1 - to);
        } else {
            let retry = link.retransmit_after();
            let at = wire.kernel.now().saturating_add(retry);
            let kernel = wire.kernel.clone();
            self.up_as_of = UP_UNKNOWN;
            kernel.schedule_action_at(at, Action::Segment(self));
        }
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
