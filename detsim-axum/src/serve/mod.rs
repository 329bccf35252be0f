//! Serving a router: the real `axum::serve` module, with [`serve`],
//! [`Serve`] and [`WithGracefulShutdown`] shadowed.
//!
//! Outside a detsim run, awaiting a [`Serve`] awaits `axum::serve` with the
//! same listener and make-service. Inside one, it runs its own accept
//! loop: one task per connection (the stand-in's `tokio::spawn`),
//! each served by the hyper-util stand-in's `auto::Builder` with HTTP
//! upgrades and the extended CONNECT protocol, as axum does. Graceful
//! shutdown follows axum: when the signal fires, the loop stops accepting,
//! drops the listener, asks every connection to finish gracefully and
//! waits for them all.

pub use axum::serve::*;

mod make;
mod serving;
mod sim_loop;

pub use make::{SimIncomingStream, SimMakeService};
pub use serving::{Serve, ServeFuture, WithGracefulShutdown, serve};
