//! hyper's runtime glue: the real `hyper_util::rt`, with the tokio
//! executor and timer taken from [`tokio`] (the stand-in's).

#[allow(unused_imports)] // empty under some feature sets
pub use hyper_util::rt::*;

#[cfg(feature = "tokio")]
pub mod tokio;

#[cfg(feature = "tokio")]
pub use self::tokio::{TokioExecutor, TokioTimer};
