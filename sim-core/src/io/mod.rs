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
//! Both are built on the kernel's mechanisms ([`crate::kernel`]); the
//! stream device under `duplex` (and under simulated TCP) is
//! [`kernel::stream`](crate::kernel::stream).

mod block_device;
mod duplex;
mod duplex_io;

pub use block_device::{BlockDevice, BlockDeviceConfig};
pub use duplex::{DuplexStream, duplex};
