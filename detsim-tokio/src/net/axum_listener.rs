//! axum's `serve::Listener` for the stand-in's [`TcpListener`] (feature
//! `axum`), so `axum::serve(listener, router)` takes it as it takes
//! tokio's. The trait is axum's and the type is this crate's, so the
//! rule of orphans puts the impl here.
//!
//! As axum's own impl: an accept error that is about one connection
//! (refused, aborted, reset) is skipped; any other (out of file
//! descriptors, say) waits a second before the next try.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use crate::net::{TcpListener, TcpStream};

impl axum::serve::Listener for TcpListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            match TcpListener::accept(self).await {
                Ok(accepted) => return accepted,
                Err(e) if is_connection_error(&e) => {}
                Err(_) => crate::time::sleep(Duration::from_secs(1)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        TcpListener::local_addr(self)
    }
}

fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}
