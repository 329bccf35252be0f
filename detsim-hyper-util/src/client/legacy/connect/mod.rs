//! Connectors for the legacy client: the real
//! `hyper_util::client::legacy::connect`, with [`HttpConnector`] and
//! [`dns::GaiResolver`] going through the tokio stand-in.

pub use hyper_util::client::legacy::connect::*;

#[cfg(feature = "tokio")]
pub mod dns;
#[cfg(feature = "tokio")]
mod error;
#[cfg(feature = "tokio")]
mod http;
#[cfg(feature = "tokio")]
mod sim_connect;

#[cfg(feature = "tokio")]
pub use self::http::HttpConnector;
