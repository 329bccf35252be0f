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

impl_async_read!(OwnedReadHalf);
impl_async_write!(OwnedWriteHalf);

impl Drop for OwnedWriteHalf {
    fn drop(&mut self) {
        self.inner.shutdown_write();
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
