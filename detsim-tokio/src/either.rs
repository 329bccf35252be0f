//! A value that belongs to one world: made by real tokio outside a detsim
//! runtime, or by detsim inside one.
//!
//! Sockets and files carry their world in an [`Either`]. Every use asks
//! [`in_detsim`](crate::world::in_detsim) again and refuses a value of the
//! other world with an `io::Error` that says what happened: a tokio socket
//! polled inside a simulation would wait on a reactor detsim cannot see
//! (a hang reported as a deadlock), and a detsim socket used outside its
//! run has no runtime to serve it.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};

use crate::world::in_detsim;

/// One value of either world: `Tokio` for real tokio's, `Sim` for detsim's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Either<T, S> {
    /// Made outside any detsim runtime, by real tokio.
    Tokio(T),
    /// Made inside a detsim runtime.
    Sim(S),
}

impl<T, S> Either<T, S> {
    /// Both sides by reference, if this thread is in the value's world.
    #[inline]
    pub(crate) fn checked(&self) -> io::Result<Either<&T, &S>> {
        match (self, in_detsim()) {
            (Either::Tokio(t), false) => Ok(Either::Tokio(t)),
            (Either::Sim(s), true) => Ok(Either::Sim(s)),
            (Either::Tokio(_), true) => Err(wrong_world::<T>(true)),
            (Either::Sim(_), false) => Err(wrong_world::<T>(false)),
        }
    }

    /// Both sides by mutable reference, if this thread is in the value's
    /// world.
    #[inline]
    pub(crate) fn checked_mut(&mut self) -> io::Result<Either<&mut T, &mut S>> {
        match (self, in_detsim()) {
            (Either::Tokio(t), false) => Ok(Either::Tokio(t)),
            (Either::Sim(s), true) => Ok(Either::Sim(s)),
            (Either::Tokio(_), true) => Err(wrong_world::<T>(true)),
            (Either::Sim(_), false) => Err(wrong_world::<T>(false)),
        }
    }

    /// Both sides by value, if this thread is in the value's world.
    #[inline]
    pub(crate) fn checked_into(self) -> io::Result<Either<T, S>> {
        match (&self, in_detsim()) {
            (Either::Tokio(_), false) | (Either::Sim(_), true) => Ok(self),
            (Either::Tokio(_), true) => Err(wrong_world::<T>(true)),
            (Either::Sim(_), false) => Err(wrong_world::<T>(false)),
        }
    }
}

/// The error for a value used in the other world; `T` is tokio's type of
/// the value, which names it.
#[cold]
pub(crate) fn wrong_world<T>(used_in_detsim: bool) -> io::Error {
    let what = std::any::type_name::<T>();
    let message = if used_in_detsim {
        format!(
            "a {what} made outside a detsim runtime (by real tokio) was used inside one; \
             the simulation cannot see tokio's reactor: create it inside the run \
             (in the test body or a task it spawns)"
        )
    } else {
        format!(
            "a {what} made inside a detsim runtime was used outside it; \
             detsim's sockets and files live only in the run that made them"
        )
    };
    io::Error::other(message)
}

/// Runs `$body` with `$v` bound to whichever side `$e` (an `Either` of
/// two types with the same method) holds.
macro_rules! both {
    ($e:expr, |$v:ident| $body:expr) => {
        match $e {
            $crate::either::Either::Tokio($v) => $body,
            $crate::either::Either::Sim($v) => $body,
        }
    };
}
pub(crate) use both;

impl<T: AsyncRead + Unpin, S: AsyncRead + Unpin> AsyncRead for Either<T, S> {
    #[inline]
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        both!(self.get_mut().checked_mut()?, |io| Pin::new(io)
            .poll_read(cx, buf))
    }
}

impl<T: AsyncWrite + Unpin, S: AsyncWrite + Unpin> AsyncWrite for Either<T, S> {
    #[inline]
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        both!(self.get_mut().checked_mut()?, |io| Pin::new(io)
            .poll_write(cx, buf))
    }

    #[inline]
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        both!(self.get_mut().checked_mut()?, |io| Pin::new(io)
            .poll_write_vectored(cx, bufs))
    }

    #[inline]
    fn is_write_vectored(&self) -> bool {
        both!(self, |io| io.is_write_vectored())
    }

    #[inline]
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        both!(self.get_mut().checked_mut()?, |io| Pin::new(io)
            .poll_flush(cx))
    }

    #[inline]
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        both!(self.get_mut().checked_mut()?, |io| Pin::new(io)
            .poll_shutdown(cx))
    }
}

impl<T: AsyncSeek + Unpin, S: AsyncSeek + Unpin> AsyncSeek for Either<T, S> {
    fn start_seek(self: Pin<&mut Self>, position: io::SeekFrom) -> io::Result<()> {
        both!(self.get_mut().checked_mut()?, |io| Pin::new(io)
            .start_seek(position))
    }

    fn poll_complete(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        both!(self.get_mut().checked_mut()?, |io| Pin::new(io)
            .poll_complete(cx))
    }
}

/// Implements tokio's `AsyncRead`/`AsyncWrite` for a newtype over an
/// [`Either`] (field `0`) by forwarding to it.
macro_rules! forward_async_read {
    ($ty:ty) => {
        impl tokio::io::AsyncRead for $ty {
            #[inline]
            fn poll_read(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &mut tokio::io::ReadBuf<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.0).poll_read(cx, buf)
            }
        }
    };
}

/// See [`forward_async_read`].
macro_rules! forward_async_write {
    ($ty:ty) => {
        impl tokio::io::AsyncWrite for $ty {
            #[inline]
            fn poll_write(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
            }

            #[inline]
            fn poll_write_vectored(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                std::pin::Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
            }

            #[inline]
            fn is_write_vectored(&self) -> bool {
                self.0.is_write_vectored()
            }

            #[inline]
            fn poll_flush(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.0).poll_flush(cx)
            }

            #[inline]
            fn poll_shutdown(
                mut self: std::pin::Pin<&mut Self>,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
            }
        }
    };
}
pub(crate) use {forward_async_read, forward_async_write};
