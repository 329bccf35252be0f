//! The methods `TcpStream` and its halves share, written once as macros
//! over a newtype whose field `0` is an [`Either`](crate::either::Either)
//! of tokio's and detsim's type with the same method names.
//!
//! Vectored and `BufMut` reads and writes have no simulated syscall: inside
//! a simulation they move one buffer's worth (the first non-empty one),
//! which is what Linux may legally do (a short `readv`/`writev`).

use std::io;

use bytes::BufMut;

/// `try_read_vectored` over a plain `try_read`: reads into the first
/// non-empty buffer.
pub(crate) fn try_read_vectored_with(
    bufs: &mut [io::IoSliceMut<'_>],
    try_read: impl FnOnce(&mut [u8]) -> io::Result<usize>,
) -> io::Result<usize> {
    match bufs.iter_mut().find(|b| !b.is_empty()) {
        Some(buf) => try_read(buf),
        None => Ok(0),
    }
}

/// `try_write_vectored` over a plain `try_write`: writes the first
/// non-empty buffer.
pub(crate) fn try_write_vectored_with(
    bufs: &[io::IoSlice<'_>],
    try_write: impl FnOnce(&[u8]) -> io::Result<usize>,
) -> io::Result<usize> {
    match bufs.iter().find(|b| !b.is_empty()) {
        Some(buf) => try_write(buf),
        None => Ok(0),
    }
}

/// `try_read_buf` over a plain `try_read`: reads into a scratch buffer of
/// the `BufMut`'s next chunk's size and appends what came.
pub(crate) fn try_read_buf_with<B: BufMut>(
    buf: &mut B,
    try_read: impl FnOnce(&mut [u8]) -> io::Result<usize>,
) -> io::Result<usize> {
    if !buf.has_remaining_mut() {
        return Ok(0);
    }
    let mut scratch = vec![0; buf.chunk_mut().len()];
    let n = try_read(&mut scratch)?;
    buf.put_slice(&scratch[..n]);
    Ok(n)
}

/// Address getters and `ready`, which every TCP connection type has.
macro_rules! tcp_common {
    ($ty:ty) => {
        impl $ty {
            /// The local address of the connection.
            ///
            /// # Errors
            ///
            /// What the socket reports; a value of the other world (see
            /// the module docs).
            pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
                $crate::either::both!(self.0.checked()?, |s| s.local_addr())
            }

            /// The peer's address.
            ///
            /// # Errors
            ///
            /// What the socket reports; a value of the other world.
            pub fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
                $crate::either::both!(self.0.checked()?, |s| s.peer_addr())
            }

            /// Waits until the connection may be ready for `interest`, and
            /// says for what, as tokio's `ready`. A hint: the operation may
            /// still say `WouldBlock`.
            ///
            /// # Errors
            ///
            /// A value of the other world; inside a simulation,
            /// `InvalidInput` for an interest without `READABLE` or
            /// `WRITABLE` (see `net::readiness`).
            pub async fn ready(
                &self,
                interest: tokio::io::Interest,
            ) -> std::io::Result<tokio::io::Ready> {
                match self.0.checked()? {
                    $crate::either::Either::Tokio(s) => s.ready(interest).await,
                    $crate::either::Either::Sim(s) => {
                        let interest = $crate::net::readiness::sim_interest(interest)?;
                        Ok($crate::net::readiness::tokio_ready(
                            s.ready(interest).await?,
                        ))
                    }
                }
            }
        }
    };
}

/// The read-side readiness methods (`readable`, `try_read` and kin).
macro_rules! tcp_read_side {
    ($ty:ty) => {
        impl $ty {
            /// Waits until the connection may be readable, for use with
            /// `try_read`; a hint, loop on `WouldBlock`.
            ///
            /// # Errors
            ///
            /// A value of the other world.
            pub async fn readable(&self) -> std::io::Result<()> {
                $crate::either::both!(self.0.checked()?, |s| s.readable().await)
            }

            /// Reads what has arrived without waiting (`WouldBlock` if
            /// nothing has).
            ///
            /// # Errors
            ///
            /// `WouldBlock`, the connection's errors, a value of the other
            /// world.
            pub fn try_read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
                $crate::either::both!(self.0.checked()?, |s| s.try_read(buf))
            }

            /// Reads into several buffers without waiting; inside a
            /// simulation, into the first non-empty one.
            ///
            /// # Errors
            ///
            /// As `try_read`.
            pub fn try_read_vectored(
                &self,
                bufs: &mut [std::io::IoSliceMut<'_>],
            ) -> std::io::Result<usize> {
                match self.0.checked()? {
                    $crate::either::Either::Tokio(s) => s.try_read_vectored(bufs),
                    $crate::either::Either::Sim(s) => {
                        $crate::net::tcp::shared::try_read_vectored_with(bufs, |b| s.try_read(b))
                    }
                }
            }

            /// Reads into a `BufMut` without waiting, advancing it.
            ///
            /// # Errors
            ///
            /// As `try_read`.
            pub fn try_read_buf<B: bytes::BufMut>(&self, buf: &mut B) -> std::io::Result<usize> {
                match self.0.checked()? {
                    $crate::either::Either::Tokio(s) => s.try_read_buf(buf),
                    $crate::either::Either::Sim(s) => {
                        $crate::net::tcp::shared::try_read_buf_with(buf, |b| s.try_read(b))
                    }
                }
            }
        }
    };
}

/// The write-side readiness methods (`writable`, `try_write` and kin).
macro_rules! tcp_write_side {
    ($ty:ty) => {
        impl $ty {
            /// Waits until the connection may be writable, for use with
            /// `try_write`; a hint, loop on `WouldBlock`.
            ///
            /// # Errors
            ///
            /// A value of the other world.
            pub async fn writable(&self) -> std::io::Result<()> {
                $crate::either::both!(self.0.checked()?, |s| s.writable().await)
            }

            /// Writes what fits without waiting (`WouldBlock` if nothing
            /// does).
            ///
            /// # Errors
            ///
            /// `WouldBlock`, the connection's errors, a value of the other
            /// world.
            pub fn try_write(&self, buf: &[u8]) -> std::io::Result<usize> {
                $crate::either::both!(self.0.checked()?, |s| s.try_write(buf))
            }

            /// Writes several buffers without waiting; inside a
            /// simulation, the first non-empty one.
            ///
            /// # Errors
            ///
            /// As `try_write`.
            pub fn try_write_vectored(
                &self,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::io::Result<usize> {
                match self.0.checked()? {
                    $crate::either::Either::Tokio(s) => s.try_write_vectored(bufs),
                    $crate::either::Either::Sim(s) => {
                        $crate::net::tcp::shared::try_write_vectored_with(bufs, |b| s.try_write(b))
                    }
                }
            }
        }
    };
}

pub(crate) use {tcp_common, tcp_read_side, tcp_write_side};
