//! detsim's simulated network: hosts, TCP and UDP with latency, loss,
//! partitions and crashes, on the simulated kernel.
//!
//! ```
//! use detsim::net::{self, TcpListener, TcpStream};
//! use futures::{AsyncReadExt, AsyncWriteExt};
//!
//! detsim::Sim::new().faults(detsim::Faults::default()).seeds(20).run(|| async {
//!     net::host("echo", || async {
//!         let listener = TcpListener::bind("0.0.0.0:7").await?;
//!         loop {
//!             let (conn, _) = listener.accept().await?;
//!             detsim::spawn(async move {
//!                 let (mut r, mut w) = conn.into_split();
//!                 futures::io::copy(&mut r, &mut w).await
//!             });
//!         }
//!         #[allow(unreachable_code)]
//!         std::io::Result::Ok(())
//!     });
//!     let mut conn = TcpStream::connect("echo:7").await.unwrap();
//!     conn.write_all(b"hello").await.unwrap();
//!     let mut buf = [0; 5];
//!     conn.read_exact(&mut buf).await.unwrap();
//!     assert_eq!(&buf, b"hello");
//! });
//! ```
//!
//! # What is modelled
//!
//! - **Hosts** ([`host`], [`client`]): named machines with an IPv4 address
//!   (`10.0.0.1` is `main`, where the test body runs; later hosts count
//!   up). Each is a detsim node: crashing it stops its tasks.
//! - **TCP** ([`TcpListener`], [`TcpStream`], [`TcpSocket`]): a handshake with SYN
//!   retransmission (1 s, 2 s, 4 s... until `connect_timeout`), where a
//!   connection reaches `accept` only once the client has it; an ordered
//!   byte stream delivered in segments at link latency, with bounded
//!   buffers; FIN and half-close; RST when a socket closes with unread data,
//!   when data arrives for a closed socket, or when a listener drops
//!   unaccepted connections; ephemeral ports from 32768–60999, unique per
//!   destination (`AddrNotAvailable` when all are taken); `bind` before
//!   connecting or listening, with Linux's rules for sharing a port
//!   (`SO_REUSEADDR`, `SO_REUSEPORT`) and a listen backlog.
//! - **Causality**: everything a peer can observe (data, FIN, RST, a
//!   refused connect) crosses the link after its latency, in order, and
//!   waits behind a partition or a held link. So, as on Linux, the first
//!   write after the peer closed succeeds; the RST it provokes fails a
//!   later one.
//! - **UDP** ([`UdpSocket`]): datagrams at link latency (so reordered),
//!   dropped and duplicated by the fault plan, dropped across partitions.
//! - **Links** ([`configure`], [`set_link`]): latency drawn uniformly from
//!   a range per packet, optional bandwidth; partitions (both ways or one
//!   way) and heals; held links that release later.
//! - **Faults** (`Faults::net`): loss, duplication, connection resets,
//!   slow peers, and a nemesis that partitions and crashes hosts at
//!   random; plus every readiness fault of the kernel (short reads,
//!   partial writes, spurious readiness, `Interrupted`, delayed
//!   readiness). When a liveness phase's faults end (`detsim::liveness`),
//!   the network's own faults stop, every cut link heals and every
//!   crashed host with a body restarts.
//! - **Slow peers** (`NetFaults::slow_peer`, off unless the plan says;
//!   `tcp/slow_peer.rs`): a TCP connection drawn slow when it is created
//!   keeps, both ways, a receive window of `s` bytes (`s` drawn per
//!   connection, 1 to 8 by default) that reopens once half of it is
//!   free, and sends what its writers wrote in segments of 1 to `s`
//!   bytes, each paced up to `g` after the one before (`g` drawn per
//!   connection, up to 1 ms). Writes fill the send buffer as usual; a
//!   reader gets at most `s` bytes per read, so a 100-byte request head
//!   takes tens of reads. One `slow_peer` fault per slow connection, on
//!   the client's end: a shrink or a replay that suppresses it leaves
//!   the connection as any other.
//!
//! # One set of types over the kernel's sockets
//!
//! `TcpListener`, `TcpStream` (and its halves), `TcpSocket` and `UdpSocket` are written
//! once, over the kernel's socket contract (`detsim::kernel::net`): each
//! holds a socket of the runtime's network [`stack`] in the kernel's
//! try-then-wait loop (`detsim::kernel::IoSource`), and never asks which
//! kernel it runs on. This crate is the simulation's stack (`stack.rs`,
//! installed on first use): its sockets (`tcp/socket.rs`,
//! `tcp/sim_listener.rs`, `tcp/unconnected.rs`, `udp/sim.rs`) are the simulated hosts' syscalls,
//! failing as Linux fails (the same errno for an operation a socket kind
//! lacks).
//!
//! Under `detsim::Runtime::os()` the stack is the OS kernel's: real
//! non-blocking sockets registered edge-triggered with epoll; names
//! resolve with the system resolver, and host control (`host`, `client`,
//! `partition`, `hold`, `configure`, `lookup`...) belongs to the
//! simulation only: called on the OS runtime, it panics with a message
//! naming the call, instead of doing nothing.
//!
//! # Divergence from Linux
//!
//! A host crash is a process crash: the kernel closes the host's sockets,
//! so peers see EOF (or a reset where data was unread) after one link
//! latency; data arriving for those closed sockets is answered with RST,
//! as a live kernel answers a segment for a socket that no longer exists;
//! new SYNs and datagrams are dropped until it restarts (connects time out
//! rather than being refused). A power loss, where peers hear nothing until they
//! send, is not modelled. There is no congestion control, Nagle delay, MSS segmentation
//! or TIME_WAIT: a segment is what one write handed over, and a closed
//! port is free at once. An established connection across a partition
//! stalls (segments are retransmitted every 200 ms, not with Linux's
//! exponential backoff) and fails with `TimedOut` once a segment went
//! unacknowledged for Linux's give-up time (`tcp_retries2`, ~924.6 s); a
//! connection with nothing to send never times out (no keepalive).
//! UDP to a closed port is dropped silently (no ICMP).
//!
//! A slow connection's tiny segments are what a slow peer's own writes
//! with `TCP_NODELAY`, or a middlebox cutting segments, would put on the
//! wire; Linux itself would coalesce a sender's small writes (Nagle) and
//! never advertise a window below an MSS, so only a peer or a path can
//! make them this small. Its window updates reach the sender at once,
//! with no ACK crossing the link, and never fail: a slow connection
//! stalls only while its reader does not read.

#![deny(missing_docs)]

mod addr;
mod config;
mod control;
mod host;
mod link;
mod nemesis;
mod network;
mod options;
mod packet;
mod ports;
mod stack;
pub mod tcp;
mod udp;

pub use addr::{ToSocketAddr, resolve};
pub use config::{LinkConfig, NetConfig};
pub use control::{
    configure, heal, heal_all, hold, lookup, partition, partition_oneway, release, set_link,
};
pub use host::{HostHandle, client, host};
pub use sim_core::kernel::{Interest, Readiness};
pub use stack::stack;
pub use tcp::{OwnedReadHalf, OwnedWriteHalf, TcpListener, TcpSocket, TcpStream};
pub use udp::UdpSocket;
