//! axum's API, with [`serve`](serve()) run by detsim inside a simulation and by
//! axum everywhere else.
//!
//! A service makes this crate its `axum` in `Cargo.toml`, next to the
//! tokio and hyper-util stand-ins, and keeps its source as it is:
//!
//! ```toml
//! [dependencies]
//! tokio = { package = "detsim-tokio", version = "0.1", features = ["full"] }
//! axum = { package = "detsim-axum", version = "0.1" }
//! ```
//!
//! Everything is the real axum (`pub use axum::*`): routers, handlers,
//! extractors and middleware need no runtime. One item is shadowed:
//! [`serve`](serve()) (the function and [its module](mod@serve)), because
//! the real one spawns with the real tokio and serves with the real
//! hyper-util, which cannot run inside a simulation. Outside a detsim run
//! the shadow hands over to `axum::serve` itself; inside one it runs its
//! own accept loop, spawning each connection with the stand-in's
//! `tokio::spawn` and serving it with the hyper-util stand-in's
//! `auto::Builder` (so the `date:` header is virtual). The choice is made
//! when the server future starts.
//!
//! `axum::serve::Listener` is implemented for the stand-in's
//! `tokio::net::TcpListener` by `detsim-tokio` (its `axum` feature, which
//! this crate's `tokio` feature turns on).
//!
//! # Divergence from axum
//!
//! - `serve` accepts the make-services axum's own types give:
//!   [`Router`], `MethodRouter`, `HandlerService`,
//!   `into_make_service()` and `into_make_service_with_connect_info::<SocketAddr>()`
//!   ([`serve::SimMakeService`]). Another make-service type is a compile
//!   error, not a runtime surprise.
//! - `ConnectInfo<SocketAddr>` with the stand-in's `TcpListener` needs
//!   `listener.tap_io(|_| {})`: axum implements that connect info only for
//!   the real `tokio::net::TcpListener` and for `TapIo`, and the rule of
//!   orphans keeps anyone else from adding it.
//!
//! All of axum's feature names are here, with axum's defaults, and turn on
//! the same feature of the real crate.

#![deny(missing_docs)]

pub use axum::*;

#[cfg(all(feature = "tokio", any(feature = "http1", feature = "http2")))]
pub mod serve;

#[cfg(all(feature = "tokio", any(feature = "http1", feature = "http2")))]
pub use serve::serve;
