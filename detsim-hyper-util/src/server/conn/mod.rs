//! Connection utilities: hyper-util's `server::conn` holds only [`auto`],
//! which is shadowed.

#[cfg(any(feature = "http1", feature = "http2"))]
pub mod auto;
