//! tokio's `io`: real tokio's traits and utilities, with the standard
//! streams made honest inside a simulation.
//!
//! Forwarded unchanged (they need no runtime, and driven by detsim they
//! are as deterministic as the IO under them): `AsyncRead`, `AsyncWrite`,
//! `AsyncBufRead`, `AsyncSeek` and their `*Ext` traits, `ReadBuf`,
//! `Interest`, `Ready`, `BufReader`, `BufWriter`, `BufStream`, `copy`,
//! `copy_buf`, `copy_bidirectional(_with_sizes)`, `duplex`/`DuplexStream`,
//! `simplex`, `split`/`ReadHalf`/`WriteHalf`/`Join`/`join`, `empty`,
//! `sink`, `repeat`, `Take`, `Chain`, `Lines`, `Split`, and the rest of
//! tokio's `io` module.
//!
//! Simulated: [`stdin`], [`stdout`], [`stderr`] (see [`std_streams`]'s
//! docs for what they do inside a simulation).
//!
//! Missing: `io::unix` (`AsyncFd`): a simulated socket has no file
//! descriptor, and forwarding would let a simulation wait on an OS
//! descriptor detsim cannot see; the module is empty, so using
//! `AsyncFd` is a compile error.

pub use tokio::io::*;

pub mod std_streams;
pub mod unix;

pub use std_streams::{Stderr, Stdin, Stdout, stderr, stdin, stdout};
