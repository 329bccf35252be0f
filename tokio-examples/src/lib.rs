//! Services written for tokio, hyper, axum and tonic, with no `detsim`
//! import: their `Cargo.toml` makes `tokio`, `hyper-util`, `axum` and
//! `tonic` detsim's stand-ins, and that is all. The tests run them on
//! the real tokio over loopback and inside detsim's simulation.
//!
//! - [`hello`]: a hyper 1.x server (hyper-util's auto builder) and a
//!   client on hyper-util's pooled legacy `Client`, HTTP/1 or HTTP/2.
//! - [`notes`]: an axum router, served with `axum::serve`.
//! - [`counter`]: a tonic service with a unary and a server-streaming
//!   RPC, its code generated at build time from `proto/counter.proto`.

pub mod counter;
pub mod hello;
pub mod notes;
