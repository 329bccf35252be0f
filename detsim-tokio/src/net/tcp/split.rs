//! The halves of a [`TcpStream`](crate::net::TcpStream): borrowed
//! ([`ReadHalf`], [`WriteHalf`]) and owned ([`OwnedReadHalf`],
//! [`OwnedWriteHalf`], put back together by `reunite`).

use std::fmt;
use std::io;
use std::task::{Context, Poll};

use tokio::io::ReadBuf;

use crate::either::{Either, both, forward_async_read, forward_async_write};
use crate::net::tcp::TcpStream;
use crate::net::tcp::shared::{tcp_common, tcp_read_side, tcp_write_side};

/// The read half of [`TcpStream::split`], borrowing the stream.
pub struct ReadHalf<'a>(
    pub(crate) Either<tokio::net::tcp::ReadHalf<'a>, detsim::net::tcp::ReadHalf<'a>>,
);

/// The write half of [`TcpStream::split`], borrowing the stream. Shutting
/// it down sends FIN; dropping it does not.
pub struct WriteHalf<'a>(
    pub(crate) Either<tokio::net::tcp::WriteHalf<'a>, detsim::net::tcp::WriteHalf<'a>>,
);

/// The read half of [`TcpStream::into_split`].
pub struct OwnedReadHalf(
    pub(crate) Either<tokio::net::tcp::OwnedReadHalf, detsim::net::tcp::OwnedReadHalf>,
);

/// The write half of [`TcpStream::into_split`]. Dropping it shuts the
/// write direction down (FIN), as tokio's does.
pub struct OwnedWriteHalf(
    pub(crate) Either<tokio::net::tcp::OwnedWriteHalf, detsim::net::tcp::OwnedWriteHalf>,
);

/// The two halves [`OwnedReadHalf::reunite`] was given, back, because they
/// came from different streams (or from different worlds).
#[derive(Debug)]
pub struct ReuniteError(pub OwnedReadHalf, pub OwnedWriteHalf);

impl fmt::Display for ReuniteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same socket")
    }
}

impl std::error::Error for ReuniteError {}

impl OwnedReadHalf {
    /// Puts the stream back together from the two halves of one
    /// `into_split`.
    ///
    /// # Errors
    ///
    /// [`ReuniteError`], holding both halves, when they are not the two
    /// halves of one stream.
    pub fn reunite(self, other: OwnedWriteHalf) -> Result<TcpStream, ReuniteError> {
        match (self.0, other.0) {
            (Either::Tokio(r), Either::Tokio(w)) => r
                .reunite(w)
                .map(|s| TcpStream(Either::Tokio(s)))
                .map_err(|e| {
                    ReuniteError(
                        OwnedReadHalf(Either::Tokio(e.0)),
                        OwnedWriteHalf(Either::Tokio(e.1)),
                    )
                }),
            (Either::Sim(r), Either::Sim(w)) => r
                .reunite(w)
                .map(|s| TcpStream(Either::Sim(s)))
                .map_err(|e| {
                    ReuniteError(
                        OwnedReadHalf(Either::Sim(e.0)),
                        OwnedWriteHalf(Either::Sim(e.1)),
                    )
                }),
            (r, w) => Err(ReuniteError(OwnedReadHalf(r), OwnedWriteHalf(w))),
        }
    }
}

impl OwnedWriteHalf {
    /// Puts the stream back together; see [`OwnedReadHalf::reunite`].
    ///
    /// # Errors
    ///
    /// As [`OwnedReadHalf::reunite`].
    pub fn reunite(self, other: OwnedReadHalf) -> Result<TcpStream, ReuniteError> {
        other.reunite(self)
    }
}

/// `peek` and `poll_peek` for a read half (which take `&mut self`, as
/// tokio's do).
macro_rules! half_peek {
    ($ty:ty) => {
        impl $ty {
            /// Waits for data and copies it into `buf` without consuming
            /// it; `Ok(0)` at EOF.
            ///
            /// # Errors
            ///
            /// The connection's errors; a value of the other world.
            pub async fn peek(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                both!(self.0.checked_mut()?, |s| s.peek(buf).await)
            }

            /// Polls for data, copying it into `buf` without consuming it.
            ///
            /// # Errors
            ///
            /// As `peek`.
            pub fn poll_peek(
                &mut self,
                cx: &mut Context<'_>,
                buf: &mut ReadBuf<'_>,
            ) -> Poll<io::Result<usize>> {
                match self.0.checked_mut()? {
                    Either::Tokio(s) => s.poll_peek(cx, buf),
                    Either::Sim(s) => {
                        // The halves hold no `poll_peek`; one peek future,
                        // polled once, is the same try-then-wait step.
                        let fut = s.peek(buf.initialize_unfilled());
                        let n = std::task::ready!(std::pin::pin!(fut).poll(cx))?;
                        buf.advance(n);
                        Poll::Ready(Ok(n))
                    }
                }
            }
        }
    };
}

use std::future::Future as _;

half_peek!(ReadHalf<'_>);
half_peek!(OwnedReadHalf);
tcp_common!(ReadHalf<'_>);
tcp_common!(WriteHalf<'_>);
tcp_common!(OwnedReadHalf);
tcp_common!(OwnedWriteHalf);
tcp_read_side!(ReadHalf<'_>);
tcp_read_side!(OwnedReadHalf);
tcp_write_side!(WriteHalf<'_>);
tcp_write_side!(OwnedWriteHalf);
forward_async_read!(ReadHalf<'_>);
forward_async_read!(OwnedReadHalf);
forward_async_write!(WriteHalf<'_>);
forward_async_write!(OwnedWriteHalf);

macro_rules! debug_via_inner {
    ($($ty:ty),*) => {$(
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                both!(&self.0, |s| s.fmt(f))
            }
        }
    )*};
}

debug_via_inner!(ReadHalf<'_>, WriteHalf<'_>, OwnedReadHalf, OwnedWriteHalf);
