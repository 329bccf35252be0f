//! [`DiskConfig`]: the shape and speed of a node's simulated disk.

use std::time::Duration;

use sim_core::faults::PLAN_DURATION_MAX;

/// Shape and speed of a simulated disk. Build with `DiskConfig::default()`
/// and adjust fields, then install it with [`configure`](crate::configure).
///
/// ```
/// use detsim::fs::DiskConfig;
///
/// let mut config = DiskConfig::default();
/// config.capacity_bytes = 64 * 1024;
/// config.sector_size_bytes = 512;
/// assert_eq!(config.queue_depth, 32);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DiskConfig {
    /// Bytes of file content the disk holds; an operation that would
    /// exceed it fails with `StorageFull` and changes nothing. Files have
    /// no holes and the content lives in the host's memory: keep it below
    /// what the host can hold.
    pub capacity_bytes: u64,
    /// The unit the device writes atomically: a crash tears a larger write
    /// only at these boundaries (offsets that are multiples of it), and a
    /// latent error makes one sector unreadable.
    pub sector_size_bytes: u64,
    /// Fixed cost of a read, write or metadata operation, lower bound
    /// (drawn per operation from the device stream).
    pub latency_min: Duration,
    /// Fixed cost of an operation, upper bound.
    pub latency_max: Duration,
    /// Cost of an fsync, lower bound (a cache flush is slower than a write).
    pub sync_latency_min: Duration,
    /// Cost of an fsync, upper bound.
    pub sync_latency_max: Duration,
    /// Transfer rate: an operation also takes `len / bandwidth`.
    pub bandwidth_bytes_per_sec: u64,
    /// Operations the device serves in parallel (NVMe queues); the rest
    /// wait for a free one.
    pub queue_depth: usize,
}

impl Default for DiskConfig {
    /// 1 GiB, 4 KiB sectors, 20–100 µs per operation, 0.2–2 ms per fsync,
    /// 2 GB/s, 32 operations in parallel: roughly a consumer NVMe drive.
    fn default() -> DiskConfig {
        DiskConfig {
            capacity_bytes: 1 << 30,
            sector_size_bytes: 4096,
            latency_min: Duration::from_micros(20),
            latency_max: Duration::from_micros(100),
            sync_latency_min: Duration::from_micros(200),
            sync_latency_max: Duration::from_millis(2),
            bandwidth_bytes_per_sec: 2_000_000_000,
            queue_depth: 32,
        }
    }
}

impl DiskConfig {
    /// Panics with a message naming the field if the config is unusable
    /// (latencies are bounded as a fault plan's delays are, so that adding
    /// them to the virtual clock cannot overflow it).
    #[track_caller]
    pub(crate) fn validate(&self) {
        assert!(
            self.sector_size_bytes > 0,
            "DiskConfig::sector_size_bytes must be at least 1 (4096 is typical)"
        );
        assert!(
            self.queue_depth > 0,
            "DiskConfig::queue_depth must be at least 1"
        );
        assert!(
            self.bandwidth_bytes_per_sec > 0,
            "DiskConfig::bandwidth_bytes_per_sec must be positive"
        );
        assert!(
            self.latency_min <= self.latency_max,
            "DiskConfig::latency_min must not exceed latency_max"
        );
        assert!(
            self.sync_latency_min <= self.sync_latency_max,
            "DiskConfig::sync_latency_min must not exceed sync_latency_max"
        );
        for (field, value) in [
            ("latency_max", self.latency_max),
            ("sync_latency_max", self.sync_latency_max),
        ] {
            assert!(
                value <= PLAN_DURATION_MAX,
                "DiskConfig::{field} is {value:?}; use a duration from 0ns to 365 days \
                 (detsim::faults::PLAN_DURATION_MAX)"
            );
        }
    }
}
