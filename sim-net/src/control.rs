//! Controlling the network from a test: partitions, held links, latency.
//!
//! Simulation only: on `Runtime::os()` each of these panics, naming the
//! call, rather than doing nothing.

use std::net::IpAddr;

use crate::config::{LinkConfig, NetConfig};
use crate::network::{HostIx, Net};

#[track_caller]
fn host(net: &Net, name: &str) -> HostIx {
    net.host_by_name(name).unwrap_or_else(|| {
        panic!("detsim::net: no host named `{name}`; create it with detsim::net::host or detsim::net::client first")
    })
}

/// Cuts the link between `a` and `b` in both directions: packets are
/// dropped (TCP retransmits them after healing; UDP loses them; new
/// connections time out).
///
/// # Panics
///
/// For an unknown host name, outside a detsim runtime, or on the OS
/// runtime (simulation only).
#[track_caller]
pub fn partition(a: &str, b: &str) {
    let _untracked = sim_core::alloc::Untracked::new();
    let net = Net::for_control("detsim::net::partition");
    let (a, b) = (host(&net, a), host(&net, b));
    net.set_cut(a, b, true);
    net.set_cut(b, a, true);
}

/// Cuts only the direction from `from` to `to`.
///
/// # Panics
///
/// For an unknown host name, outside a detsim runtime, or on the OS
/// runtime (simulation only).
#[track_caller]
pub fn partition_oneway(from: &str, to: &str) {
    let _untracked = sim_core::alloc::Untracked::new();
    let net = Net::for_control("detsim::net::partition_oneway");
    net.set_cut(host(&net, from), host(&net, to), true);
}

/// Restores the link between `a` and `b` in both directions.
///
/// # Panics
///
/// For an unknown host name, outside a detsim runtime, or on the OS
/// runtime (simulation only).
#[track_caller]
pub fn heal(a: &str, b: &str) {
    let _untracked = sim_core::alloc::Untracked::new();
    let net = Net::for_control("detsim::net::heal");
    let (a, b) = (host(&net, a), host(&net, b));
    net.set_cut(a, b, false);
    net.set_cut(b, a, false);
}

/// Restores every cut link.
///
/// # Panics
///
/// Outside a detsim runtime, or on the OS runtime (simulation only).
#[track_caller]
pub fn heal_all() {
    let _untracked = sim_core::alloc::Untracked::new();
    Net::for_control("detsim::net::heal_all").heal_all();
}

/// Holds packets from `from` to `to`: they wait, neither lost nor
/// delivered, until [`release`]. Useful to force an ordering. As TCP
/// gives up on a segment after Linux's give-up time (~924.6 s of virtual
/// time), a packet still held then is lost: a connection fails with
/// `TimedOut`, a datagram or handshake packet is dropped.
///
/// # Panics
///
/// For an unknown host name, outside a detsim runtime, or on the OS
/// runtime (simulation only).
#[track_caller]
pub fn hold(from: &str, to: &str) {
    let _untracked = sim_core::alloc::Untracked::new();
    let net = Net::for_control("detsim::net::hold");
    net.set_held(host(&net, from), host(&net, to), true);
}

/// Releases packets held by [`hold`].
///
/// # Panics
///
/// For an unknown host name, outside a detsim runtime, or on the OS
/// runtime (simulation only).
#[track_caller]
pub fn release(from: &str, to: &str) {
    let _untracked = sim_core::alloc::Untracked::new();
    let net = Net::for_control("detsim::net::release");
    net.set_held(host(&net, from), host(&net, to), false);
}

/// Overrides the link from `from` to `to` (one direction).
///
/// # Panics
///
/// For an unknown host name, outside a detsim runtime, or on the OS
/// runtime (simulation only).
#[track_caller]
pub fn set_link(from: &str, to: &str, link: LinkConfig) {
    let _untracked = sim_core::alloc::Untracked::new();
    let net = Net::for_control("detsim::net::set_link");
    net.set_link(host(&net, from), host(&net, to), link);
}

/// Replaces the network's settings; applies to what is sent from now on
/// (buffer sizes and backlogs to sockets created from now on).
///
/// # Panics
///
/// If `latency_max < latency_min` or a buffer size is zero, outside a
/// detsim runtime, or on the OS runtime (simulation only).
#[track_caller]
pub fn configure(config: NetConfig) {
    let _untracked = sim_core::alloc::Untracked::new();
    assert!(
        config.latency_max >= config.latency_min,
        "NetConfig: latency_max must be at least latency_min"
    );
    assert!(
        config.tcp_buffer_bytes > 0,
        "NetConfig: tcp_buffer_bytes must be at least 1"
    );
    assert!(
        config.udp_queue_datagrams > 0,
        "NetConfig: udp_queue_datagrams must be at least 1"
    );
    Net::for_control("detsim::net::configure").set_config(config);
}

/// The address of the host named `name`.
///
/// # Panics
///
/// Outside a detsim runtime, or on the OS runtime (simulation only: it
/// knows simulated host names; real names resolve when connecting).
#[track_caller]
pub fn lookup(name: &str) -> Option<IpAddr> {
    let _untracked = sim_core::alloc::Untracked::new();
    let net = Net::for_control("detsim::net::lookup");
    net.host_by_name(name).map(|h| net.ip(h))
}
