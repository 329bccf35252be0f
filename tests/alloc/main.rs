//! The allocation tracker (`detsim::alloc`), in a binary of its own: a
//! global allocator is per binary, and this one installs the tracker.
//! Its charges per task and per poll, what detsim leaves out of them, the
//! cap that turns one oversized allocation into a replayable failure, and
//! what happens when the allocator cannot serve it.
//!
//! A test's path (and its replay line) is `cargo test -p detsim --test
//! alloc <module>::<test>`.

#[path = "../common/mod.rs"]
mod common;

mod bookkeeping;
mod cap;
mod counts;
mod refused;

#[global_allocator]
static ALLOC: detsim::alloc::Tracker = detsim::alloc::Tracker::system();
