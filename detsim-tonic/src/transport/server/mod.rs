//! gRPC servers: the real `tonic::transport::server`, with [`Server`]
//! and [`Router`] shadowed.
//!
//! Outside detsim, serving is tonic's: every setting and service goes to a
//! real `Server`/`Router`, which serves them. Inside a run the shadow
//! serves the same routes, behind the same user layers, itself: it binds
//! the stand-in's `TcpListener` (or takes the given incoming stream),
//! spawns a task per connection (the stand-in's `tokio::spawn`) and serves
//! it with the hyper-util stand-in's `auto::Builder` (HTTP/2 only unless
//! `accept_http1`), with tonic's per-connection stack rebuilt on the
//! stand-in: errors recovered into `Status` responses, load shedding, the
//! per-connection concurrency limit, deadlines (`grpc-timeout` and
//! `Server::timeout`, on virtual time) and the connection's
//! `Connected::connect_info` in the request extensions (so
//! `Request::remote_addr` works). `max_connection_age` and graceful
//! shutdown behave as tonic's.

pub use tonic::transport::server::*;

mod connection;
mod deadline;
mod incoming;
#[cfg(feature = "router")]
mod router;
#[allow(clippy::module_inception)] // the module of the `Server` type
mod server;
mod settings;
mod sim_serve;

#[cfg(feature = "router")]
pub use router::Router;
pub use server::Server;
