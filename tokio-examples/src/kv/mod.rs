//! A small key-value service written for tokio, and nothing else.
//!
//! This module names no simulator: it is plain tokio code (a listener, a
//! task per connection, timeouts, a `tokio::sync::Mutex`, `select!` on
//! shutdown, a client that retries). The package builds it against the
//! `detsim-tokio` stand-in (`tokio = { package = "detsim-tokio" }` in
//! Cargo.toml), so the same source runs on tokio's runtime in production
//! and inside detsim's simulation in the tests.
//!
//! The protocol is one line per request and one per reply:
//!
//! | request                  | reply                    |
//! |--------------------------|--------------------------|
//! | `SET key value`          | `OK`                     |
//! | `GET key`                | `VALUE value` or `NONE`  |
//! | `INCR key client:req`    | `VALUE n`                |
//!
//! `INCR` is not idempotent, so it carries a request id: the server
//! remembers the reply to each `client:req` and answers a repeat with it
//! instead of adding again. A client that loses a reply retries with the
//! same id; [`ClientConfig::reuse_request_id_on_retry`] set to `false`
//! plants the classic bug of retrying with a fresh id.

mod client;
mod server;
mod store;

pub use client::{Client, ClientConfig};
pub use server::Server;
pub use store::Store;
