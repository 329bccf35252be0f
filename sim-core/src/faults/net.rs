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
        }
    }

    /// Some UDP loss and duplication; no resets, partitions or crashes
    /// (a correct TCP client is not expected to survive those unaided).
    #[allow(clippy::should_implement_trait)] // a preset, named like the others
    pub fn default() -> NetFaults {
        NetFaults {
            packet_loss: Probability::lit(0.01),
            packet_duplicate: Probability::lit(0.01),
            ..NetFaults::none()
        }
    }

    /// Loss, duplication, resets, random partitions and host crashes.
    pub fn chaos() -> NetFaults {
        NetFaults {
            packet_loss: Probability::lit(0.1),
            packet_duplicate: Probability::lit(0.05),
            connection_reset: Probability::lit(0.001),
            partition: Probability::lit(0.05),
            host_crash: Probability::lit(0.02),
            ..NetFaults::none()
        }
    }
}

impl Default for NetFaults {
    fn default() -> NetFaults {
        NetFaults::default()
    }
}
