use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

use sim_core::kernel::KernelHandle;

use crate::addr::ToSocketAddr;

/// Resolves `addr` with the system resolver, on the blocking pool (a DNS
/// lookup may block); IP literals resolve at once.
pub(crate) async fn resolve(addr: impl ToSocketAddr) -> io::Result<SocketAddr> {
    let (host, port) = addr.to_host_port()?;
    if let Ok(ip) = host.parse() {
        return Ok(SocketAddr::new(ip, port));
    }
    let name = host.clone();
    let found = KernelHandle::current()
        .run_blocking(move || {
            (name.as_str(), port)
                .to_socket_addrs()
                .map(|mut a| a.next())
        })
        .await?;
    found.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            format!("failed to resolve `{host}`: no address"),
        )
    })
}
