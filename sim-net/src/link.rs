//! One direction between two hosts, as a stream link: transit times and
//! partitions come from the network's current state, which the network
//! copies into the link whenever it changes (a partition, a held or
//! released path, a link's or the network's configuration), so a segment
//! asks the link alone.

use std::cell::Cell;
use std::num::NonZeroU64;
use std::rc::{Rc, Weak};
use std::time::Duration;

use sim_core::kernel::stream::Link;
use sim_core::kernel::{DelaySpan, KernelHandle};

use crate::network::{HostIx, Net};

/// In declaration order (`repr(C)`): what a segment reads (the kernel,
/// then the path) comes first, in 48 bytes, so a send and an arrival
/// each read one or two cache lines of the link, not two or three. With
/// hundreds of connections busy, the link has left the cache between
/// two segments.
#[repr(C)]
pub(crate) struct NetLink {
    /// The kernel its latencies are drawn from.
    kernel: KernelHandle,
    /// The network's state for this direction, as of its last change.
    path: Cell<Path>,
    pub(crate) net: Weak<Net>,
    pub(crate) from: HostIx,
    pub(crate) to: HostIx,
}

/// What a segment on a [`NetLink`] needs of the network's state: whether
/// the path is open, and the link's latency range and bandwidth. 40
/// bytes, in declaration order: what a send's draw reads first, then
/// what an arrival reads.
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct Path {
    pub(crate) latency_min: Duration,
    /// The width of the latency range, kept for the draw.
    pub(crate) latency_span: DelaySpan,
    /// At least 1 (a configured 0 is taken as 1 byte per second, as
    /// before); 8 bytes where an `Option<u64>` takes 16.
    pub(crate) bandwidth_bytes_per_sec: Option<NonZeroU64>,
    /// Neither cut nor held (whether or not the destination is up).
    pub(crate) open: bool,
}

impl Path {
    /// The transit time of `len` bytes over this path, drawn now from
    /// `kernel`: a latency in the link's range, plus the time the bytes
    /// take to leave at its bandwidth.
    #[inline]
    pub(crate) fn transit(&self, kernel: &KernelHandle, len: usize) -> Duration {
        let latency = kernel.device_delay_span(self.latency_min, self.latency_span);
        match self.bandwidth_bytes_per_sec {
            None => latency,
            Some(bw) => latency.saturating_add(Duration::from_nanos(
                (len as u128 * 1_000_000_000 / u128::from(bw.get())) as u64,
            )),
        }
    }

    /// The path of a network that is gone (the run ended): nothing gets
    /// through, and nothing takes time or draws a latency.
    const GONE: Path = Path {
        latency_min: Duration::ZERO,
        latency_span: DelaySpan::ZERO,
        bandwidth_bytes_per_sec: None,
        open: false,
    };
}

impl Net {
    /// The stream link from `from` to `to`: one `NetLink` per directed
    /// pair, shared by every connection between them, so an idle
    /// connection does not carry two of them.
    pub(crate) fn stream_link(&self, from: HostIx, to: HostIx) -> Rc<dyn Link> {
        self.net_link(from, to) as Rc<dyn Link>
    }

    /// [`Net::stream_link`], as its own type.
    pub(crate) fn net_link(&self, from: HostIx, to: HostIx) -> Rc<NetLink> {
        let mut links = self.stream_links.borrow_mut();
        let link = links.entry((from, to)).or_insert_with(|| {
            Rc::new(NetLink {
                kernel: self.kernel.clone(),
                path: Cell::new(self.path(from, to)),
                net: Rc::downgrade(&self.rc()),
                from,
                to,
            })
        });
        Rc::clone(link)
    }

    /// Copies the network's state for `from` to `to` into its stream
    /// link, if there is one: after a change to it.
    pub(crate) fn refresh_link(&self, from: HostIx, to: HostIx) {
        if let Some(link) = self.stream_links.borrow().get(&(from, to)) {
            // Segments in flight may no longer be up (`Link::delay_if_up`).
            self.kernel.note_link_change();
            link.path.set(self.path(from, to));
        }
    }

    /// [`Net::refresh_link`] for every stream link: after a change that
    /// may touch any of them.
    pub(crate) fn refresh_links(&self) {
        self.kernel.note_link_change();
        for link in self.stream_links.borrow().values() {
            link.path.set(self.path(link.from, link.to));
        }
    }

    /// The network is going away: its links carry nothing any more, as
    /// a link whose network is gone answers.
    pub(crate) fn close_links(&self) {
        self.kernel.note_link_change();
        for link in self.stream_links.borrow().values() {
            link.path.set(Path::GONE);
        }
    }
}

/// Linux's give-up time for a segment or a retransmitted packet
/// (`tcp_retries2`), which every `NetLink` answers: the [`Link`] default.
pub(crate) fn give_up_after() -> Duration {
    struct Linux;
    impl Link for Linux {}
    Linux.give_up_after()
}

impl Link for NetLink {
    fn delay(&self, len: usize) -> Duration {
        self.path.get().transit(&self.kernel, len)
    }

    fn delay_if_up(&self, len: usize) -> Option<Duration> {
        // Every change of `path` is noted first (`Net::refresh_link`,
        // `refresh_links`, `close_links`), so an open path stays open
        // until a change is noted. A closed one draws nothing here.
        let path = self.path.get();
        if path.open {
            Some(path.transit(&self.kernel, len))
        } else {
            None
        }
    }

    fn is_up(&self) -> bool {
        // A crashed destination does not stop delivery: its kernel closed
        // the connection's socket when the process died, so a segment
        // arriving there meets a closed socket (data is answered with
        // RST), rather than being retransmitted forever (which would keep
        // a run whose body is stuck from ending in a deadlock).
        self.path.get().open
    }

    fn retransmit_after(&self) -> Duration {
        // Held packets go as soon as the link is released; dropped ones wait
        // for TCP's retransmission timeout (Linux's minimum RTO is 200 ms).
        match self.net.upgrade() {
            Some(n) if n.is_held(self.from, self.to) => Duration::from_millis(1),
            _ => Duration::from_millis(200),
        }
    }
}
