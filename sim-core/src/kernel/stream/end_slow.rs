//! The slow side of [`StreamEnd`]: slowing a stream down
//! ([`StreamEnd::slow_down`]), and the read and write paths of a slow
//! stream (`trickle.rs`), kept apart from the common ones in `end.rs`.

use std::io;

use crate::faults::FaultKind;
use crate::kernel::Readiness;
use crate::kernel::stream::trickle::{self, Trickler};
use crate::kernel::stream::{StreamEnd, Trickle};

impl StreamEnd {
    /// [`StreamEnd::try_read`] on a slow stream, once the bytes are taken:
    /// announces the room freed (`Wire::room_to_announce`), then lets the
    /// writer's queue move on, as the window reopened.
    #[cold]
    pub(super) fn read_slow(&self) {
        if self.wire.room_to_announce(1 - self.side) {
            self.wire.announce_room(1 - self.side);
        }
        trickle::pump(&self.wire, 1 - self.side, std::time::Duration::ZERO);
    }

    /// [`StreamEnd::try_write`] on a slow stream, past the checks: the
    /// same faults, drawn in the same order, but the bytes join the
    /// end's queue, and the room is what the queue leaves of the
    /// capacity (see `trickle.rs`).
    #[cold]
    pub(super) fn try_write_slow(&self, data: &[u8]) -> io::Result<usize> {
        let source = self.source();
        let space = trickle::send_space(&self.wire, self.side);
        if space == 0 {
            source.clear(Readiness::WRITABLE);
            return Err(io::ErrorKind::WouldBlock.into());
        }
        let mut n = data.len().min(space);
        // `Interrupted`'s roll, in `try_write`, checked the runtime.
        if n > 1 && source.fault_again(FaultKind::PartialWrite) {
            n = source.fault_amount(FaultKind::PartialWrite, n);
        }
        source.trace("write", n as i64);
        self.wire.kernel.note_payload(&data[..n]);
        let peer = self.wire.peer(self.side);
        let extra = self
            .wire
            .kernel
            .fault_delay(FaultKind::DelayedReadiness, peer.source.id());
        trickle::queue(&self.wire, self.side, &data[..n], extra);
        if trickle::send_space(&self.wire, self.side) == 0 {
            source.clear(Readiness::WRITABLE);
        }
        Ok(n)
    }

    /// Makes the whole stream slow from now on, both ends, as a slow
    /// peer (or a slow path to it) makes a connection: each end's receive
    /// window is `trickle.segment_max` bytes, reopening only once half of
    /// it is free; what either end writes waits in its queue (within the
    /// stream's capacity, as in a send buffer) and leaves in segments of
    /// `1..=trickle.segment_max` bytes while the window has room, each a
    /// pause of up to `trickle.gap_max` after the one before. So a read
    /// returns at most a window, however late it comes. Sizes and pauses
    /// come from `trickle.seed`, a stream per end. Traced as `slow` on
    /// both ends, with the window; each segment as `segment`.
    ///
    /// ```
    /// use std::{num::NonZeroUsize, rc::Rc};
    /// use detsim::kernel::stream::{Link, StreamConfig, Trickle, stream_pair};
    /// use detsim::time::{Duration, sleep};
    ///
    /// struct Wire;
    /// impl Link for Wire {}
    ///
    /// let mut config = detsim::Config::default();
    /// config.faults = detsim::Faults::none(); // no short reads
    /// detsim::Runtime::with_config(0, config).block_on(async {
    ///     let (a, b) = stream_pair(StreamConfig {
    ///         kind: "pipe", capacity: 1024, tcp: false,
    ///         link_ab: Rc::new(Wire), link_ba: Rc::new(Wire),
    ///     });
    ///     a.slow_down(Trickle { segment_max: NonZeroUsize::new(2).unwrap(),
    ///                           gap_max: Duration::from_micros(10), seed: 1 });
    ///     // The writer's queue takes it all...
    ///     assert_eq!(b.try_write(b"hello").unwrap(), 5);
    ///     // ... and the reader gets at most its 2-byte window per read.
    ///     let (mut got, mut reads, mut buf) = (Vec::new(), 0, [0; 8]);
    ///     while got.len() < 5 {
    ///         sleep(Duration::from_millis(1)).await;
    ///         let n = a.try_read(&mut buf).unwrap();
    ///         assert!(n <= 2, "{n}");
    ///         got.extend_from_slice(&buf[..n]);
    ///         reads += 1;
    ///     }
    ///     assert_eq!((&got[..], reads), (&b"hello"[..], 3));
    /// });
    /// ```
    ///
    pub fn slow_down(&self, trickle: Trickle) {
        let bound = i64::try_from(trickle.segment_max.get()).unwrap_or(i64::MAX);
        for side in [self.side, 1 - self.side] {
            let end = self.wire.end(side);
            end.state.borrow_mut().trickle = Some(Box::new(Trickler::new(trickle, side)));
            end.source.trace("slow", bound);
        }
        self.wire.slow.set(true);
    }
}
