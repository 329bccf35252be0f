//! hyper-util's pooled legacy [`Client`], built so that its connections
//! and its pool clock go through the tokio stand-in.
//!
//! [`Client`] and [`Builder`] are thin wrappers over the real ones: the
//! pool, the HTTP/1 and HTTP/2 dispatch and the retry logic are
//! hyper-util's. What changes is what the real code would take from the
//! real tokio: [`Builder::build_http`] builds the shadowed
//! [`connect::HttpConnector`], and inside a detsim run a client built
//! without a `pool_timer` gets [`TokioTimer`](crate::rt::TokioTimer), so
//! the pool's idle expiry reads virtual time instead of the host's
//! `Instant::now()`.

pub use hyper_util::client::legacy::*;

#[cfg(any(feature = "http1", feature = "http2"))]
mod builder;
#[cfg(any(feature = "http1", feature = "http2"))]
mod client;
pub mod connect;

#[cfg(any(feature = "http1", feature = "http2"))]
pub use builder::Builder;
#[cfg(any(feature = "http1", feature = "http2"))]
pub use client::Client;
