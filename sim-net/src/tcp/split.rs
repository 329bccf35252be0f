use std::fmt;
use std::rc::Rc;

use crate::tcp::conn::Conn;
use crate::tcp::io_traits::{impl_async_read, impl_async_write};

/// The read half of a [`TcpStream`](crate::TcpStream), from `into_split`.
pub struct OwnedReadHalf {
    pub(crate) inner: Rc<Conn>,
}

/// The write half of a [`TcpStream`](crate::TcpStream), from `into_split`.
/// Dropping it shuts the write direction down (FIN), as tokio's
/// `OwnedWriteHalf` does; the read half keeps working.
pub struct OwnedWriteHalf {
    pub(crate) inner: Rc<Conn>,
}

/// The read half of a [`TcpStream`](crate::TcpStream) that borrows it,
/// from [`split`](crate::TcpStream::split).
pub struct ReadHalf<'a> {
    pub(crate) inner: &'a Conn,
}

/// The write half of a [`TcpStream`](crate::TcpStream) that borrows it,
/// from [`split`](crate::TcpStream::split). Closing it (`close` or tokio's
/// `shutdown`) sends FIN; dropping it does not, as with tokio's `WriteHalf`.
pub struct WriteHalf<'a> {
    pub(crate) inner: &'a Conn,
}

/// The address methods every half shares with [`TcpStream`](crate::TcpStream).
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
                self.inner.local_addr()
            }

            /// The peer's address.
            ///
            /// # Errors
            ///
            /// On the OS runtime, what `getpeername` reports (e.g.
            /// `NotConnected` once the peer is gone); none in the simulation.
            pub fn peer_addr(&self) -> std::io::Result<std::net::SocketAddr> {
                self.inner.peer_addr()
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

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        // Errors have no one to go to; `close` reports them.
        let _ = self.inner.shutdown_write();
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
