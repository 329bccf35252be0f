//! tokio services kept as examples of testing unmodified tokio code under
//! detsim. Their source names only tokio, hyper, axum and tonic:
//! `Cargo.toml` makes `tokio`, `hyper-util`, `axum` and `tonic` detsim's
//! stand-ins, and that is all.
//!
//! - [`kv`]: a key-value server and a retrying client; [`kv_world`] is
//!   its simulated world (hosts, clients, the invariant), which uses detsim.
//! - [`hello`]: a hyper 1.x server (hyper-util's auto builder) and a
//!   client on hyper-util's pooled legacy `Client`, HTTP/1 or HTTP/2.
//! - [`notes`]: an axum router, served with `axum::serve`.
//! - [`counter`]: a tonic service with a unary and a server-streaming
//!   RPC, its code generated at build time from `proto/counter.proto`.
//!
//! The tests run each on the real tokio over loopback and inside detsim's
//! simulation.

#![deny(missing_docs)]

pub mod counter;
pub mod hello;
pub mod kv;
pub mod kv_world;
pub mod notes;
