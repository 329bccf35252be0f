//! tokio services kept as examples of testing unmodified tokio code under
//! detsim. Their source names only tokio; `Cargo.toml` makes `tokio` the
//! `detsim-tokio` stand-in.
//!
//! - [`kv`]: a key-value server and a retrying client; [`kv_world`] is
//!   its simulated world (hosts, clients, the invariant), which uses detsim.

#![deny(missing_docs)]

pub mod kv;
pub mod kv_world;
