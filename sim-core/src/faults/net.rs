use std::time::Duration;

use crate::faults::Probability;

/// Network faults, applied by `detsim::net`. Each is a [`FaultKind`] with
/// its own random stream.
///
/// [`FaultKind`]: crate::FaultKind
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct NetFaults {
    /// Chance that a UDP datagram is dropped.
    pub packet_loss: Probability,
    /// Chance that a UDP datagram is delivered twice.
    pub packet_duplicate: Probability,
    /// Chance, per segment sent, that the connection is reset instead.
    pub connection_reset: Probability,
    /// Chance, per nemesis tick, that two random hosts are partitioned
    /// (healed after up to `partition_duration_max`).
    pub partition: Probability,
    /// Chance, per nemesis tick, that a random host crashes (restarted
    /// after up to `crash_downtime_max`).
    pub host_crash: Probability,
    /// How often the nemesis draws partitions and crashes.
    pub nemesis_tick: Duration,
    /// Longest random partition.
    pub partition_duration_max: Duration,
    /// Longest downtime of a randomly crashed host.
    pub crash_downtime_max: Duration,
    /// The nemesis stops drawing faults at this virtual time, so a test
    /// that waits forever is still reported as a deadlock; or earlier, when
    /// a liveness phase's faults end ([`crate::liveness`]).
    pub nemesis_until: Duration,
    /// Chance, per TCP connection (drawn once, when the server creates
    /// its end), that the connection is slow for its whole life: a slow
    /// peer, or a slow path to it. A slow connection draws a window `s`
    /// from `1..=slow_peer_segment_max` bytes and a pace `g` from
    /// `0..=slow_peer_gap_max`; then, both ways, at most `s` bytes are in
    /// flight or unread (the window reopens once half of it is free, as
    /// Linux's silly-window avoidance has it), what a writer writes waits
    /// in its send buffer and leaves in segments of `1..=s` bytes, each up
    /// to `g` after the one before, and so a reader gets at most `s`
    /// bytes per read however late it reads. A 109-byte request head then
    /// takes tens of reads (from 20 to 109 over 200 seeds, where
    /// [`Faults::legal`] alone splits it into at most 5). Writes are
    /// accepted as usual until the send buffer is full.
    ///
    /// Each slow connection is one [`FaultKind::SlowPeer`] fault, traced
    /// on the client's end with `s` as its value, that shrinking and
    /// replays can switch off; a connection not drawn slow costs nothing
    /// more than the draw. Off in every preset but [`Faults::chaos`]
    /// (one connection in ten): besides splitting reads, it stretches
    /// transfers in virtual time, which a correct server with a read
    /// timeout may rightly refuse, as it should refuse a slowloris client.
    ///
    /// [`FaultKind::SlowPeer`]: crate::FaultKind::SlowPeer
    /// [`Faults::chaos`]: crate::Faults::chaos
    /// [`Faults::legal`]: crate::Faults::legal
    pub slow_peer: Probability,
    /// Largest window (and segment) of a slow connection, in bytes (at
    /// least 1, at most [`SLOW_PEER_SEGMENT_MAX`]): each slow connection
    /// draws its own from `1..=slow_peer_segment_max`. 8 in every preset.
    ///
    /// [`SLOW_PEER_SEGMENT_MAX`]: crate::faults::SLOW_PEER_SEGMENT_MAX
    pub slow_peer_segment_max: usize,
    /// Longest pause between two segments of a slow connection: each
    /// slow connection draws its own bound from `0..=slow_peer_gap_max`,
    /// then each segment leaves up to that bound after the one before.
    /// 1 ms in every preset.
    pub slow_peer_gap_max: Duration,
}

impl NetFaults {
    /// A perfect network.
    pub fn none() -> NetFaults {
        NetFaults {
            packet_loss: Probability::NEVER,
            packet_duplicate: Probability::NEVER,
            connection_reset: Probability::NEVER,
            partition: Probability::NEVER,
            host_crash: Probability::NEVER,
            nemesis_tick: Duration::from_millis(100),
            partition_duration_max: Duration::from_secs(1),
            crash_downtime_max: Duration::from_secs(1),
            nemesis_until: Duration::from_secs(30),
            slow_peer: Probability::NEVER,
            slow_peer_segment_max: 8,
            slow_peer_gap_max: Duration::from_millis(1),
        }
    }

    /// Some UDP loss and duplication; no resets, partitions or crashes
    /// (a correct TCP client is not expected to survive those unaided),
    /// and no slow peers (see [`NetFaults::slow_peer`] for why).
    #[allow(clippy::should_implement_trait)] // a preset, named like the others
    pub fn default() -> NetFaults {
        NetFaults {
            packet_loss: Probability::lit(0.01),
            packet_duplicate: Probability::lit(0.01),
            ..NetFaults::none()
        }
    }

    /// Loss, duplication, resets, random partitions and host crashes, and
    /// one TCP connection in ten slow.
    pub fn chaos() -> NetFaults {
        NetFaults {
            packet_loss: Probability::lit(0.1),
            packet_duplicate: Probability::lit(0.05),
            connection_reset: Probability::lit(0.001),
            partition: Probability::lit(0.05),
            host_crash: Probability::lit(0.02),
            slow_peer: Probability::lit(0.1),
            ..NetFaults::none()
        }
    }
}

impl Default for NetFaults {
    fn default() -> NetFaults {
        NetFaults::default()
    }
}
