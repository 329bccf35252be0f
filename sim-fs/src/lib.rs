//! detsim's simulated fs: not implemented yet.
//!
//! This crate is a placeholder in the workspace layout; it exposes no API
//! until its issue lands.

#![deny(missing_docs)]
