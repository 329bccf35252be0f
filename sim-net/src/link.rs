//! One direction between two hosts, as a stream link: transit times and
//! partitions come from the network's current state.

use std::rc::{Rc, Weak};
use std::time::Duration;

use sim_core::kernel::stream::Link;

use crate::network::{HostIx, Net};

pub(crate) struct NetLink {
    pub(crate) net: Weak<Net>,
    pub(crate) from: HostIx,
    pub(crate) to: HostIx,
}

impl Net {
    /// The stream link from `from` to `to`: one `NetLink` per directed
    /// pair, shared by every connection between them (it holds no state
    /// of its own), so an idle connection does not carry two of them.
    pub(crate) fn stream_link(&self, from: HostIx, to: HostIx) -> Rc<dyn Link> {
        let mut links = self.stream_links.borrow_mut();
        let link = links.entry((from, to)).or_insert_with(|| {
            Rc::new(NetLink {
                net: Rc::downgrade(&self.rc()),
                from,
                to,
            })
        });
        Rc::clone(link) as Rc<dyn Link>
    }
}

impl Link for NetLink {
    fn delay(&self, len: usize) -> Duration {
        self.net
            .upgrade()
            .map_or(Duration::ZERO, |n| n.transit(self.from, self.to, len))
    }

    fn is_up(&self) -> bool {
        // A crashed destination does not stop delivery: its kernel closed
        // the connection's socket when the process died, so a segment
        // arriving there meets a closed socket (data is answered with
        // RST), rather than being retransmitted forever (which would keep
        // a run whose body is stuck from ending in a deadlock).
        self.net
            .upgrade()
            .is_some_and(|n| n.path_open(self.from, self.to))
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
