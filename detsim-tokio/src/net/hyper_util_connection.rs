//! hyper-util's client `Connection` for the stand-in's [`TcpStream`]
//! (feature `hyper-util`), so a connector may hand out
//! `TokioIo<tokio::net::TcpStream>` as with tokio; and the conversion
//! from a real tokio stream that the hyper-util stand-in's connector uses
//! outside detsim. The trait is hyper-util's and the type is this
//! crate's, so the rule of orphans puts the impl here.

use hyper_util::client::legacy::connect::{Connected, Connection};

use crate::either::Either;
use crate::net::TcpStream;

impl From<tokio::net::TcpStream> for TcpStream {
    /// A real tokio stream, as the stand-in's (its tokio world).
    fn from(stream: tokio::net::TcpStream) -> Self {
        TcpStream(Either::Tokio(stream))
    }
}

impl Connection for TcpStream {
    /// A real tokio stream's metadata is hyper-util's, with its
    /// `HttpInfo` (addresses); a simulated one has none (`HttpInfo`'s
    /// fields are private to hyper-util).
    fn connected(&self) -> Connected {
        match &self.0 {
            Either::Tokio(stream) => stream.connected(),
            Either::Sim(_) => Connected::new(),
        }
    }
}
