//! The process's standard streams, as tokio's `stdin`/`stdout`/`stderr`.
//!
//! Outside a detsim runtime they are tokio's (writes go through tokio's
//! blocking pool). Inside one, each call decides again:
//!
//! - **stdout, stderr**: a write is a synchronous write to the process's
//!   stream, complete when the call returns. Output is not part of the
//!   simulation: it does not advance virtual time, draw from the seed or
//!   enter the trace, so the same seed prints the same text.
//! - **stdin**: a read fails with `Unsupported`. The simulation has no
//!   input of its own, and blocking the simulation's thread on the
//!   process's stdin would stall virtual time (and a sweep) for as long
//!   as nobody types; give the service its input through a simulated
//!   socket or file instead.

use std::fmt;
use std::io::{self, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::world::in_detsim;

/// The process's standard input, as tokio's `Stdin`; see the module docs.
pub struct Stdin(tokio::io::Stdin);

/// The process's standard input: tokio's outside a simulation; inside
/// one, reads fail with `Unsupported` (see the module docs).
pub fn stdin() -> Stdin {
    Stdin(tokio::io::stdin())
}

impl AsyncRead for Stdin {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if in_detsim() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "stdin is not simulated: blocking on the process's input would stall \
                 virtual time; feed the service through a simulated socket or file",
            )));
        }
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl fmt::Debug for Stdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Stdin")
    }
}

/// An output stream: tokio's outside a simulation, a synchronous std
/// write inside one.
macro_rules! output_stream {
    ($(#[$doc:meta])* $ty:ident, $ctor:ident, $std:path) => {
        $(#[$doc])*
        pub struct $ty(tokio::io::$ty);

        /// The process's stream: tokio's outside a simulation; inside one,
        /// synchronous writes (see the module docs).
        pub fn $ctor() -> $ty {
            $ty(tokio::io::$ctor())
        }

        impl AsyncWrite for $ty {
            fn poll_write(
                mut self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                if in_detsim() {
                    return Poll::Ready($std().write(buf));
                }
                Pin::new(&mut self.0).poll_write(cx, buf)
            }

            fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                if in_detsim() {
                    return Poll::Ready($std().flush());
                }
                Pin::new(&mut self.0).poll_flush(cx)
            }

            fn poll_shutdown(
                mut self: Pin<&mut Self>,
                cx: &mut Context<'_>,
            ) -> Poll<io::Result<()>> {
                if in_detsim() {
                    return Poll::Ready($std().flush());
                }
                Pin::new(&mut self.0).poll_shutdown(cx)
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(stringify!($ty))
            }
        }
    };
}

output_stream!(
    /// The process's standard output, as tokio's `Stdout`; see the module
    /// docs.
    Stdout, stdout, std::io::stdout
);
output_stream!(
    /// The process's standard error, as tokio's `Stderr`; see the module
    /// docs.
    Stderr, stderr, std::io::stderr
);
