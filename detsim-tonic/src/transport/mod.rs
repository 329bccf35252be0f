//! tonic's transport: the real `tonic::transport`, with [`Server`],
//! [`Endpoint`] and [`Channel`] shadowed (see the crate docs).

pub use tonic::transport::*;

#[cfg(feature = "channel")]
pub mod channel;
mod error;
mod grpc_timeout;
#[cfg(feature = "server")]
pub mod server;

#[cfg(feature = "channel")]
pub use channel::{Channel, Endpoint};
#[cfg(feature = "server")]
pub use server::Server;
