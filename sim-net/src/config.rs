use std::time::Duration;

/// The network's shape: latency, bandwidth, buffer sizes and timeouts.
/// Set with [`configure`](crate::configure); per-link overrides with
/// [`set_link`](crate::set_link).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetConfig {
    /// Default link: latency of one segment or datagram, lower bound.
    pub latency_min: Duration,
    /// Default link: latency, upper bound (uniform between the two).
    pub latency_max: Duration,
    /// Default link: bytes per second, if bandwidth is modelled.
    pub bandwidth_bytes_per_sec: Option<u64>,
    /// Bytes each direction of a TCP connection buffers (send plus receive
    /// buffer): a writer that outpaces its reader sees backpressure.
    pub tcp_buffer_bytes: usize,
    /// How long `TcpStream::connect` retries SYNs before `TimedOut`.
    ///
    /// Simulation only: on `Runtime::os()` a connect has no timeout of its
    /// own and gives up when the kernel does (`tcp_syn_retries = 6`, about
    /// 127 s); wrap it in `detsim::time::timeout` for a bound that holds
    /// on both.
    pub connect_timeout: Duration,
    /// Connections a listener queues before `accept`; SYNs beyond are
    /// dropped (the client retries), as a full Linux backlog does. The
    /// default, 1024, is the backlog the OS runtime's listeners ask for
    /// (tokio's), so both queue the same burst.
    pub listen_backlog: usize,
    /// Datagrams a UDP socket queues; more are dropped.
    pub udp_queue_datagrams: usize,
}

impl Default for NetConfig {
    /// A data-centre LAN: 50–150 µs, unlimited bandwidth, 64 KiB buffers,
    /// 5 s connect timeout, backlog 1024, 256 queued datagrams.
    fn default() -> NetConfig {
        NetConfig {
            latency_min: Duration::from_micros(50),
            latency_max: Duration::from_micros(150),
            bandwidth_bytes_per_sec: None,
            tcp_buffer_bytes: 64 * 1024,
            connect_timeout: Duration::from_secs(5),
            listen_backlog: 1024,
            udp_queue_datagrams: 256,
        }
    }
}

/// One direction of one link, overriding [`NetConfig`]'s defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct LinkConfig {
    /// Latency lower bound.
    pub latency_min: Duration,
    /// Latency upper bound.
    pub latency_max: Duration,
    /// Bytes per second, if bandwidth is modelled.
    pub bandwidth_bytes_per_sec: Option<u64>,
}

impl LinkConfig {
    /// A link with this latency range and no bandwidth limit.
    pub fn latency(min: Duration, max: Duration) -> LinkConfig {
        LinkConfig {
            latency_min: min,
            latency_max: max.max(min),
            bandwidth_bytes_per_sec: None,
        }
    }

    /// The same link with a bandwidth limit.
    pub fn with_bandwidth(mut self, bytes_per_sec: u64) -> LinkConfig {
        self.bandwidth_bytes_per_sec = Some(bytes_per_sec);
        self
    }
}
