//! tokio's `net`: TCP and UDP sockets and name resolution, on detsim's
//! simulated network inside a simulation and on real tokio everywhere
//! else.
//!
//! Every type holds the value of the world it was made in: a
//! `detsim::net` socket when created inside a detsim runtime (a simulated
//! host's socket under `detsim::Sim`, a real one on detsim's OS runtime),
//! a real tokio socket otherwise. Each call asks which world it runs in;
//! a socket used in the other world (made by tokio in `main` and polled
//! inside a simulation, or leaked out of one) fails with an `io::Error`
//! that says so, instead of hanging on a reactor nobody drives.
//!
//! # What is simulated
//!
//! Inside a simulation, names resolve to simulated hosts
//! (`detsim::net::host`), `localhost` and `0.0.0.0` are the calling host,
//! and connections and datagrams cross simulated links with latency,
//! loss, partitions, resets and readiness faults: see `detsim::net`'s
//! docs ("Divergence from Linux": no congestion control, Nagle,
//! TIME_WAIT or keepalive; TTL, `TCP_NODELAY` and buffer sizes are
//! recorded, not modelled).
//!
//! # Divergence from tokio
//!
//! - `ToSocketAddrs` is the stand-in's own sealed trait (tokio's is
//!   sealed too), implemented for the same types.
//! - `from_std`/`into_std` fail inside a simulation: its sockets are not
//!   OS sockets.
//! - Not provided (compile errors): `net::unix` (Unix sockets have no
//!   simulated model, and forwarding them would hand a simulation a
//!   socket detsim cannot see), raw descriptors (`AsRawFd`/`AsFd`),
//!   `try_io`/`async_io`, `TcpStream::{linger, set_linger,
//!   set_zero_linger, quickack, set_quickack}`,
//!   `OwnedWriteHalf::forget`, `TcpSocket`'s keepalive/TOS/device
//!   options and `from_std_stream`, and the UDP items listed in
//!   [`UdpSocket`]'s module.
//! - Vectored and `BufMut` reads and writes move one buffer at a time
//!   inside a simulation (a legal short `readv`/`writev`).
//! - Readiness interests other than readable/writable are refused inside
//!   a simulation (see `ready`).

pub(crate) mod addrs;
pub(crate) mod readiness;
pub mod tcp;
mod udp;

// The ecosystem's traits on this crate's types (the orphan rule puts
// them here), one file per crate, each behind its feature.
#[cfg(feature = "axum")]
mod axum_listener;
#[cfg(feature = "hyper-util")]
mod hyper_util_connection;
#[cfg(feature = "tonic")]
mod tonic_connected;

pub use addrs::{ToSocketAddrs, lookup_host};
pub use tcp::{TcpListener, TcpSocket, TcpStream};
pub use udp::UdpSocket;
