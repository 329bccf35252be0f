//! Server utilities: the real `hyper_util::server`, with
//! [`conn::auto::Builder`] shadowed so that the `date:` header is virtual
//! inside a detsim run.

#[allow(unused_imports)] // empty under some feature sets
pub use hyper_util::server::*;

pub mod conn;
