//! The baseline: `workloads.rs` on the real tokio.

pub(crate) use ::tokio as tk;

// The same file is `standin::workloads` too: one source, two `tk`s.
#[allow(clippy::duplicate_mod)]
#[path = "workloads.rs"]
pub(crate) mod workloads;
