//! Simulated IO devices for testing your own futures, codecs and reactors.
//!
//! - [`duplex`]: an in-memory byte stream pair on the readiness model, with
//!   futures-io `AsyncRead`/`AsyncWrite` and the low-level `try_read`,
//!   `try_write` and registrations underneath. The fault plan's short
//!   reads, partial writes, spurious readiness, `Interrupted` and delayed
//!   readiness all apply.
//! - [`BlockDevice`]: a block device on the completion model: owned-buffer
//!   `read_at`/`write_at` whose completions arrive in a seeded order.
//!
//! The network and filesystem simulations are built on the same kernel
//! mechanisms ([`crate::kernel`]).

mod block_device;
mod duplex;
mod duplex_io;
mod link;
mod pipe;
mod stream_end;
mod wire;

pub use block_device::{BlockDevice, BlockDeviceConfig};
pub use duplex::{DuplexStream, StreamConfig, duplex, stream_pair};
pub use link::Link;
pub use stream_end::StreamEnd;
