//! TCP: listeners, connections, split halves.

mod conn;
mod connect;
mod io_traits;
mod listener;
mod split;
mod stream;
mod stream_ready;

pub(crate) use listener::ListenerShared;
pub use listener::TcpListener;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
pub use stream::TcpStream;
