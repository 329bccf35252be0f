//! Client channels: the real `tonic::transport::channel`, with
//! [`Endpoint`] and [`Channel`] shadowed.
//!
//! Outside detsim an [`Endpoint`] connects exactly as tonic's. Inside a
//! run it connects the real tonic channel machinery (buffer, reconnect,
//! HTTP/2 client) with the hyper-util stand-in's `TokioExecutor` (unless
//! the endpoint was given an executor) and `HttpConnector` (sim-net), and
//! the endpoint's `connect_timeout` and every request's deadline
//! (`Endpoint::timeout`, `Request::set_timeout`) on virtual time.

pub use tonic::transport::channel::*;

#[allow(clippy::module_inception)] // the module of the `Channel` type
mod channel;
mod endpoint;
mod response;
mod timed;
mod world_check;

pub use channel::Channel;
pub use endpoint::Endpoint;
pub use response::ResponseFuture;
