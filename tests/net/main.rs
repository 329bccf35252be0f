//! The network and the kernel interface under it, as one test binary:
//! TCP, UDP, partitions, causality, framing, resource names in reports,
//! tokio's socket idioms, `TcpSocket`, `Send + Sync` types, epoll
//! semantics, and the conformance suite that runs the same bodies on both
//! kernels, and the kernel's socket contract driven directly on both.
//!
//! Each former test file is a module, so a test's path (and its replay
//! line) is `cargo test -p detsim --test net <module>::<test>`.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod bulk_segments;
mod conformance;
mod edge_triggered_hang;
mod epoll_semantics;
mod kernel_net_conformance;
mod kernel_unconnected_tcp;
mod net_causality;
mod net_digest;
mod net_framing;
mod net_nemesis;
mod net_partitions;
mod net_sim_only;
mod net_tcp;
mod net_tokio_compat;
mod net_tokio_shape;
mod net_udp;
mod resource_names;
mod send_types;
mod slow_peer;
mod slow_peer_stream;
mod tcp_socket;
