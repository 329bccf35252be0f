//! tokio's glue for hyper: [`TokioExecutor`] and [`TokioTimer`] go through
//! the tokio stand-in (`detsim-tokio`), so they run on detsim inside a
//! simulation and on tokio anywhere else. The IO adapters ([`TokioIo`],
//! [`WithHyperIo`], [`WithTokioIo`]) are the real ones: the stand-in's IO
//! types implement the real tokio's IO traits.

pub use hyper_util::rt::tokio::*;

mod executor;
mod timer;

pub use executor::TokioExecutor;
pub use timer::TokioTimer;
