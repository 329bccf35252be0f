//! TCP: [`TcpListener`], [`TcpStream`] and its halves, [`TcpSocket`].
//!
//! Each type holds either a real tokio value (made outside a detsim
//! runtime) or a `detsim::net` one (made inside); see the
//! [`net`](crate::net) module docs.

mod listener;
pub(crate) mod shared;
mod socket;
mod split;
mod stream;

pub use listener::TcpListener;
pub use socket::TcpSocket;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use stream::TcpStream;
