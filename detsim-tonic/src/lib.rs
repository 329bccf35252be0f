//! tonic's API, with its transport run by detsim inside a simulation and
//! by tonic everywhere else.
//!
//! A service makes this crate its `tonic` in `Cargo.toml`, next to the
//! tokio stand-in, and keeps its source (and its generated code) as it is:
//!
//! ```toml
//! [dependencies]
//! tokio = { package = "detsim-tokio", version = "0.1", features = ["full"] }
//! tonic = { package = "detsim-tonic", version = "0.1" }
//! ```
//!
//! Everything is the real tonic (`pub use tonic::*`): codecs, `Status`,
//! `Request`, metadata, interceptors and the generated clients and
//! servers need no runtime. Three items of [`transport`] are shadowed,
//! because the real ones spawn with the real tokio, time with the real
//! tokio's timer and connect with the real hyper-util, none of which can
//! run inside a simulation:
//!
//! | item | outside detsim | inside a detsim run |
//! |---|---|---|
//! | [`transport::Server`] (and its `Router`) | the real `Server`, same settings | an accept loop on the stand-in's `TcpListener`, each connection served over HTTP/2 by the hyper-util stand-in, the routes behind tonic's own layers |
//! | [`transport::Endpoint`] | the real `Endpoint` | the real `Endpoint`, with the stand-in's executor and connector |
//! | [`transport::Channel`] | the real `Channel` | the real `Channel`, built as above |
//!
//! The generated `XClient::connect(dst)` names
//! `tonic::transport::Endpoint` and `Channel`, so it goes through the
//! shadows without a change. The world is chosen when a server starts
//! serving and when an endpoint connects.
//!
//! # Divergence from tonic (inside a run)
//!
//! - TLS is not simulated: the shadows have no `tls_config`.
//! - A client's deadlines (`Endpoint::timeout`, `Request::set_timeout`)
//!   are timed by the shadowed `Channel` on virtual time, failing a call
//!   with `Code::Cancelled` as tonic's do; the server side honours
//!   `grpc-timeout` and `Server::timeout` on virtual time. On the
//!   simulated wire the header travels as `detsim-grpc-timeout` (tonic's
//!   channel would time `grpc-timeout` on the real tokio's timer), and
//!   detsim-tonic's server restores it; any other server sees the alias.
//! - `Endpoint::rate_limit` and HTTP/2 keep-alive pings run on the real
//!   tokio's timer inside tonic's `Channel`: inside a run they fail at
//!   once with a message saying so.
//! - `Server::trace_fn` is not applied; `Channel::balance_list` panics
//!   (its endpoints connect through tonic's own connector).
//!
//! # Missing (a compile error)
//!
//! `tls_config` on `Server` and `Endpoint`, `Channel::balance_channel`
//! and `balance_channel_with_executor`, and `Server::layer` with a layer
//! that is not `Clone` (each world's server gets a copy).
//!
//! All of tonic's feature names are here, with tonic's defaults.

#![deny(missing_docs)]

pub use tonic::*;

#[cfg(any(feature = "server", feature = "channel"))]
pub mod transport;
