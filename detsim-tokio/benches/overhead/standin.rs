//! `workloads.rs` through the stand-in (`detsim_tokio`, what a service's
//! `tokio` becomes after the `Cargo.toml` rename), outside any detsim
//! runtime: the production path.

pub(crate) use ::detsim_tokio as tk;

// The same file is `plain::workloads` too: one source, two `tk`s.
#[allow(clippy::duplicate_mod)]
#[path = "workloads.rs"]
pub(crate) mod workloads;
