use std::fmt;
use std::sync::Arc;

use sim_core::kernel::Resident;
use sim_core::kernel::net::SocketIo;

use crate::tcp::io_traits::{impl_async_read, impl_async_write};

/// The read half of a [`TcpStream`](crate::TcpStream), from `into_split`.
pub struct OwnedReadHalf {
    pub(crate) inner: Arc<Resident<SocketIo>>,
}

/// The write half of a [`TcpStream`](crate::TcpStream), from `into_split`.
/// Dropping it shuts the write direction down (FIN), as tokio's
/// `OwnedWriteHalf` does; the read half keeps working.
pub struct OwnedWriteHalf {
    pub(crate) inner: Arc<Resident<SocketIo>>,
    /// False once [`OwnedReadHalf::reunite`] took the connection back:
    /// the stream lives on, so this half's drop must not send FIN.
    pub(crate) shutdown_on_drop: bool,
}

/// The two halves [`OwnedReadHalf::reunite`] was given, back, because
/// they came from different streams (as tokio's `ReuniteError`).
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
    /// [`TcpStream::into_split`](crate::TcpStream::into_split), as tokio's
    /// `reunite`; nothing is sent.
    ///
    /// ```
    /// use detsim::net::{self, TcpListener, TcpStream};
    ///
    /// detsim::Runtime::sim(0).block_on(async {
    ///     let _listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
    ///     net::client("c", async {
    ///         let (r, w) = TcpStream::connect("main:80").await.unwrap().into_split();
    ///         let conn = r.reunite(w).unwrap();
    ///         assert_eq!(conn.peer_addr().unwrap().port(), 80);
    ///     })
    ///     .await
    ///     .unwrap();
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReuniteError`], holding both halves, when they belong to
    /// different streams.
    pub fn reunite(self, mut other: OwnedWriteHalf) -> Result<crate::TcpStream, ReuniteError> {
        if !Arc::ptr_eq(&self.inner, &other.inner) {
            return Err(ReuniteError(self, other));
        }
        other.shutdown_on_drop = false;
        Ok(crate::TcpStream {
            inner: Arc::clone(&self.inner),
        })
    }
}

/// The read half of a [`TcpStream`](crate::TcpStream) that borrows it,
/// from [`split`](crate::TcpStream::split).
pub struct ReadHalf<'a> {
    pub(crate) inner: &'a Resident<SocketIo>,
}

/// The write half of a [`TcpStream`](crate::TcpStream) that borrows it,
/// from [`split`](crate::TcpStream::split). Closing it (`close` or tokio's
/// `shutdown`) sends FIN; dropping it does not, as with tokio's `WriteHalf`.
pub struct WriteHalf<'a> {
    pub(crate) inner: &'a Resident<SocketIo>,
}

/// The address and `ready` methods every half shares with
/// [`TcpStream`](crate::TcpStream).
macro_rules! impl_addrs {
    ($ty:ty) => {
        impl $ty {
            /// The local address of the connection.
            ///
            /// # Errors
            ///
            /// On the OS runtime, what `getsockname` reports; none in the
            /// simulation.
            pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
                self.inner.get().get_ref().local_addr()
            }

            /// The peer's address.
            ///
            /// # Errors
            ///
            /// On the OS runtime, what `getpeername` reports (e.g.
            /// `NotConnected` once the peer is gone); none in the simulation.
            pub fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
                self.inner.get().get_ref().peer_addr()
            }

            /// Waits until the connection may be ready for `interest`;
            /// see [`TcpStream::ready`](crate::TcpStream::ready).
            ///
            /// # Errors
            ///
            /// None today; the signature is tokio's.
            pub async fn ready(
                &self,
                interest: sim_core::kernel::Interest,
            ) -> std::io::Result<sim_core::kernel::Readiness> {
                crate::tcp::ops::ready(&*self.inner, interest).await
            }
        }
    };
}

/// The readiness methods of a read half, as tokio's: the same contract as
/// [`TcpStream::readable`](crate::TcpStream::readable) and its siblings,
/// on the half's direction only.
macro_rules! impl_read_ready {
    ($ty:ty) => {
        impl $ty {
            /// Waits until the connection may be readable; see
            /// [`TcpStream::readable`](crate::TcpStream::readable).
            ///
            /// # Errors
            ///
            /// None today; the signature is tokio's.
            pub async fn readable(&self) -> std::io::Result<()> {
                self.ready(sim_core::kernel::Interest::READABLE)
                    .await
                    .map(drop)
            }

            /// Reads what has arrived without waiting; see
            /// [`TcpStream::try_read`](crate::TcpStream::try_read).
            ///
            /// # Errors
            ///
            /// As [`TcpStream::try_read`](crate::TcpStream::try_read).
            pub fn try_read(&self, buf: &mut [u8]) -> std::io::Result<usize> {
                crate::tcp::ops::try_read(&self.inner.get(), buf)
            }

            /// Polls for read readiness; see
            /// [`TcpStream::poll_read_ready`](crate::TcpStream::poll_read_ready).
            ///
            /// # Errors
            ///
            /// None today; the signature is tokio's.
            pub fn poll_read_ready(
                &self,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                crate::tcp::ops::poll_ready(
                    &self.inner.get(),
                    cx,
                    sim_core::kernel::Interest::READABLE,
                )
                .map_ok(drop)
            }

            /// Waits for data and copies it without consuming it; see
            /// [`TcpStream::peek`](crate::TcpStream::peek).
            ///
            /// # Errors
            ///
            /// As [`TcpStream::peek`](crate::TcpStream::peek).
            pub async fn peek(&self, buf: &mut [u8]) -> std::io::Result<usize> {
                crate::tcp::ops::peek(&*self.inner, buf).await
            }
        }
    };
}

/// The readiness methods of a write half, as tokio's; see
/// [`TcpStream::writable`](crate::TcpStream::writable).
macro_rules! impl_write_ready {
    ($ty:ty) => {
        impl $ty {
            /// Waits until the connection may be writable; see
            /// [`TcpStream::writable`](crate::TcpStream::writable).
            ///
            /// # Errors
            ///
            /// None today; the signature is tokio's.
            pub async fn writable(&self) -> std::io::Result<()> {
                self.ready(sim_core::kernel::Interest::WRITABLE)
                    .await
                    .map(drop)
            }

            /// Writes what fits without waiting; see
            /// [`TcpStream::try_write`](crate::TcpStream::try_write).
            ///
            /// # Errors
            ///
            /// As [`TcpStream::try_write`](crate::TcpStream::try_write).
            pub fn try_write(&self, buf: &[u8]) -> std::io::Result<usize> {
                crate::tcp::ops::try_write(&self.inner.get(), buf)
            }

            /// Polls for write readiness; see
            /// [`TcpStream::poll_write_ready`](crate::TcpStream::poll_write_ready).
            ///
            /// # Errors
            ///
            /// None today; the signature is tokio's.
            pub fn poll_write_ready(
                &self,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                crate::tcp::ops::poll_ready(
                    &self.inner.get(),
                    cx,
                    sim_core::kernel::Interest::WRITABLE,
                )
                .map_ok(drop)
            }
        }
    };
}

impl_addrs!(OwnedReadHalf);
impl_addrs!(OwnedWriteHalf);
impl_addrs!(ReadHalf<'_>);
impl_addrs!(WriteHalf<'_>);
impl_async_read!(OwnedReadHalf);
impl_async_write!(OwnedWriteHalf);
impl_async_read!(ReadHalf<'_>);
impl_async_write!(WriteHalf<'_>);
impl_read_ready!(OwnedReadHalf);
impl_read_ready!(ReadHalf<'_>);
impl_write_ready!(OwnedWriteHalf);
impl_write_ready!(WriteHalf<'_>);

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        // Errors have no one to go to; `close` reports them.
        // Dropped where the runtime is not running, the half cannot reach
        // the connection: the FIN goes out when the connection itself is
        // released, at the runtime's next turn.
        if let Some(io) = self.inner.try_get() {
            let _ = crate::tcp::ops::shutdown_write(io);
        }
    }
}

impl fmt::Debug for OwnedReadHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnedReadHalf")
    }
}

impl fmt::Debug for OwnedWriteHalf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnedWriteHalf")
    }
}

impl fmt::Debug for ReadHalf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReadHalf")
    }
}

impl fmt::Debug for WriteHalf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WriteHalf")
    }
}
