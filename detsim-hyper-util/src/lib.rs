//! hyper-util's API, with its tokio glue run by detsim inside a simulation
//! and by tokio everywhere else.
//!
//! A service makes this crate its `hyper-util` in `Cargo.toml`, next to the
//! tokio stand-in, and keeps its source as it is:
//!
//! ```toml
//! [dependencies]
//! tokio = { package = "detsim-tokio", version = "0.1", features = ["full"] }
//! hyper-util = { package = "detsim-hyper-util", version = "0.1", features = ["full"] }
//! ```
//!
//! Every module re-exports the real hyper-util's items, and shadows, with
//! an item of the same name, only those that reach the runtime through
//! the real tokio (which cannot run inside a simulation) or read the host's
//! clock:
//!
//! | item | why it is shadowed |
//! |---|---|
//! | [`rt::TokioExecutor`] | spawns with `tokio::spawn`: the stand-in's, so hyper's connection tasks are detsim tasks inside a run |
//! | [`rt::TokioTimer`] | sleeps and reads `now()` through the stand-in's `tokio::time`, so hyper's timers and the pool's clock are virtual inside a run |
//! | [`client::legacy::Client`], [`client::legacy::Builder`] | `build_http` builds the shadowed `HttpConnector`; inside a run the pool's idle clock defaults to the virtual one |
//! | [`client::legacy::connect::HttpConnector`] | connects with the stand-in's `TcpStream` (sim-net inside a run) |
//! | [`client::legacy::connect::dns::GaiResolver`] | resolves with the stand-in's `lookup_host` inside a run (real tokio's blocking pool outside) |
//! | [`server::conn::auto::Builder`] (and its `Http1Builder`, `Http2Builder`) | hyper's own `date:` header reads the host clock; inside a run it is rendered from virtual time instead |
//!
//! [`rt::TokioIo`] is not shadowed: the stand-in's IO types implement the
//! real tokio's `AsyncRead`/`AsyncWrite`, so the real adapter works for
//! both worlds.
//!
//! The world is chosen at each call (spawn, sleep, connect, response), not
//! when a value is built, so an executor, timer, connector or builder made
//! outside a run works inside one. Outside a run every shadowed item does
//! what the real one does, with one thread-local read added per call.
//!
//! # Divergence from hyper-util
//!
//! - Inside a run, the `date:` header of a response a service returned
//!   without one is the virtual clock rendered as a date: the run starts at
//!   2024-01-01 00:00:00 UTC and the date moves with virtual time
//!   ([`server::conn::auto`]). hyper's automatic error responses (400,
//!   431...) carry no `date:` inside a run.
//! - Inside a run, `HttpConnector` tries the resolved addresses one after
//!   the other (no happy eyeballs) and ignores the socket options sim-net
//!   does not model (buffer sizes, keep-alive, interface, mark,
//!   `TCP_USER_TIMEOUT`, local address); the connection carries no
//!   `HttpInfo` (its fields are private to hyper-util).
//! - Under hyper, h2 forgets locally reset HTTP/2 streams after 30 s of
//!   the host's clock (`Instant::now`, not a hyper timer): a run that
//!   takes less host time than that never sees it happen.
//! - `server::graceful` and `client::pool` are the real ones: they need no
//!   runtime, but `graceful` waits on real tokio's `watch`, whose waiter
//!   order is not seeded.
//!
//! All of hyper-util's feature names are here and turn on the same feature
//! of the real crate.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "client")]
pub mod client;
pub mod rt;
#[cfg(feature = "server")]
pub mod server;
#[cfg(any(feature = "service", feature = "client-legacy"))]
pub use hyper_util::service;

mod world;
