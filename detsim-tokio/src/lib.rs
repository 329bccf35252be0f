//! tokio's API, run by detsim inside a simulation and by tokio everywhere
//! else.
//!
//! A service makes this crate its `tokio` in `Cargo.toml`, as a normal
//! dependency, and keeps its source as it is:
//!
//! ```toml
//! [dependencies]
//! tokio = { package = "detsim-tokio", version = "0.1", features = ["full"] }
//! ```
//!
//! Outside a detsim runtime (a production binary on `#[tokio::main]`, a
//! `#[tokio::test]`), every item forwards to the real tokio. Inside one
//! (`detsim::Sim`, `#[detsim::test]`) the same items run on detsim: its
//! seeded executor, virtual time, simulated network and disks, and its
//! fault plan. The choice is made at each call, so there is no cfg flag
//! and nothing to rebuild.
//!
//! All of tokio's feature names are accepted (so an existing feature list
//! keeps working); the items they gate are always built.

#![deny(missing_docs)]

mod either;
pub mod fs;
pub mod io;
mod macros;
pub mod net;
pub mod sync;
mod world;

#[doc(hidden)]
pub use macros::__private;
pub use macros::{join, pin, try_join};
