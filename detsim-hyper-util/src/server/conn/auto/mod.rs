//! Serving HTTP/1 or HTTP/2 on one connection: the real
//! `hyper_util::server::conn::auto`, with [`Builder`] (and its
//! [`Http1Builder`], [`Http2Builder`] views) shadowed.
//!
//! hyper stamps every response with a `date:` header read from the host
//! clock (`SystemTime::now()`, cached per thread and second), so the bytes
//! of a response would depend on when and where a simulation ran. The
//! shadowed builder keeps two real builders with the same settings: the
//! host one, used outside detsim, where hyper's header is kept; and one
//! with hyper's header turned off, used inside a run, where
//! [`DateHeader`] adds a `date:` rendered from virtual time to every
//! response that has none (as hyper would; a `date:` the service set is
//! kept). The choice is made per connection, by where `serve_connection`
//! is called.
//!
//! # Divergence from hyper
//!
//! - The virtual date starts at 2024-01-01 00:00:00 UTC when the run
//!   starts and moves with virtual time, whole seconds.
//! - hyper's automatic responses to requests it cannot parse (400, 431,
//!   505...) carry no `date:` inside a run.

mod builder;
mod date;
#[cfg(feature = "http1")]
mod http1;
#[cfg(feature = "http2")]
mod http2;
mod shared_timer;

pub use hyper_util::server::conn::auto::*;

pub use builder::Builder;
pub use date::{DateFuture, DateHeader};
#[cfg(feature = "http1")]
pub use http1::Http1Builder;
#[cfg(feature = "http2")]
pub use http2::Http2Builder;
