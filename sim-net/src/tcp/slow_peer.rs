//! The slow-peer fault: a TCP connection drawn slow when it is created.
//!
//! One roll per connection, on `FaultKind::SlowPeer`'s own stream, when
//! the server's end of the connection is created (the first SYN that
//! reaches a listener with room): a hit is one fault occurrence, traced
//! on the client's end with the connection's segment bound. The
//! connection is then slowed down ([`StreamEnd::slow_down`]): each end
//! sends segments of `1..=s` bytes paced by pauses of up to `g`, and each
//! end's receive window is `s` bytes, reopening in halves; `s` and `g`
//! are drawn for the connection from the plan's `slow_peer_segment_max`
//! and `slow_peer_gap_max`, with a seed for the ends' sizes and pauses. Suppressing the
//! occurrence (a shrink, a replay) leaves the connection normal and
//! every other connection as it was. A connection that is not drawn slow
//! is not touched: it never draws again.

use std::num::NonZeroUsize;
use std::time::Duration;

use sim_core::FaultKind;
use sim_core::kernel::stream::{StreamEnd, Trickle};

use crate::network::Net;

/// Rolls the slow-peer fault for the new connection whose client end is
/// `client` (nothing sent yet), and slows the connection down on a hit.
pub(crate) fn maybe_slow_down(net: &Net, client: &StreamEnd) {
    let plan = &net.kernel.fault_plan().net;
    let segment_max = u64::try_from(plan.slow_peer_segment_max).unwrap_or(u64::MAX);
    let gap_max = u64::try_from(plan.slow_peer_gap_max.as_nanos()).unwrap_or(u64::MAX);
    let kind = FaultKind::SlowPeer;
    let drawn = net.kernel.fault_with(kind, client.source().id(), |kernel| {
        let segment = 1 + kernel.fault_pick(kind, segment_max);
        let gap = kernel.fault_pick(kind, gap_max.saturating_add(1));
        let seed = kernel.fault_pick(kind, u64::MAX);
        let value = i64::try_from(segment).unwrap_or(i64::MAX);
        ((segment, gap, seed), value)
    });
    let Some((segment, gap, seed)) = drawn else {
        return;
    };
    client.slow_down(Trickle {
        segment_max: usize::try_from(segment)
            .ok()
            .and_then(NonZeroUsize::new)
            .expect("a segment bound from 1..=slow_peer_segment_max"),
        gap_max: Duration::from_nanos(gap),
        seed,
    });
}
