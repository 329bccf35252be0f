//! HTTP client utilities: the real `hyper_util::client`, with the
//! [`legacy`] client's builder and connector shadowed.

#[allow(unused_imports)] // empty under some feature sets
pub use hyper_util::client::*;

#[cfg(feature = "client-legacy")]
pub mod legacy;
