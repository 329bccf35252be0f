//! The OS twins of the simulated sockets: real non-blocking sockets
//! registered with the OS kernel's epoll, used when the runtime is
//! `detsim::Runtime::os()`.
//!
//! They follow the same pattern as the simulated ones: try the syscall;
//! on `EAGAIN`, clear the readiness bit and wait on an edge-triggered
//! registration of the socket's source. Names resolve with the system
//! resolver (on the blocking pool), not with simulated host names.

mod resolve;
mod tcp;
mod udp;

pub(crate) use resolve::resolve;
pub(crate) use tcp::{OsTcpListener, OsTcpStream};
pub(crate) use udp::OsUdpSocket;

use std::future::poll_fn;
use std::io;
use std::task::{Context, Poll, ready};

use sim_core::kernel::{Readiness, Registration, Source};

/// Runs a non-blocking syscall, waiting on `reg` whenever it says
/// `WouldBlock` (and clearing `bit` on `source`, since the condition no
/// longer holds), retrying `Interrupted`.
pub(crate) fn poll_syscall<T>(
    cx: &mut Context<'_>,
    source: &Source,
    reg: &Registration,
    bit: Readiness,
    mut op: impl FnMut() -> io::Result<T>,
) -> Poll<io::Result<T>> {
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                source.clear(bit);
                reg.clear_pending();
                ready!(reg.poll_ready(cx));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            result => return Poll::Ready(result),
        }
    }
}

/// The async form of [`poll_syscall`].
pub(crate) async fn syscall<T>(
    source: &Source,
    reg: &Registration,
    bit: Readiness,
    mut op: impl FnMut() -> io::Result<T>,
) -> io::Result<T> {
    poll_fn(|cx| poll_syscall(cx, source, reg, bit, &mut op)).await
}
