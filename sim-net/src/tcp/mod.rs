//! TCP: listeners, connections, split halves, sockets configured before
//! they connect or listen.

mod connect;
mod io_traits;
mod listener;
mod ops;
mod sim_listener;
mod slow_peer;
mod socket;
mod split;
mod stream;
mod stream_ready;
mod tcp_socket;
mod unconnected;

pub(crate) use connect::connect;
pub use listener::TcpListener;
pub(crate) use sim_listener::{ListenerShared, SimListener};
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use stream::TcpStream;
pub use tcp_socket::TcpSocket;
pub(crate) use unconnected::SimUnconnectedTcp;
