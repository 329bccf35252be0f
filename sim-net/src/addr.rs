//! Addresses: `"server:7"`, `"10.0.0.2:7"`, `("server", 7)`, `SocketAddr`.

use std::io;
use std::net::{IpAddr, SocketAddr};

use sim_core::kernel::ResidentFuture;

/// Something that names a simulated socket address: a host name or an IP,
/// and a port. Host names resolve to the simulated hosts' addresses;
/// `localhost`, `127.0.0.1` and `0.0.0.0` mean the calling host.
pub trait ToSocketAddr {
    /// Splits into host (name or IP, as text) and port.
    ///
    /// # Errors
    ///
    /// `InvalidInput` if the text is not `host:port`.
    fn to_host_port(&self) -> io::Result<(String, u16)>;
}

impl ToSocketAddr for str {
    fn to_host_port(&self) -> io::Result<(String, u16)> {
        let invalid = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "`{self}` is not a socket address: expected host:port, e.g. server:7 or 10.0.0.2:7"
                ),
            )
        };
        if let Ok(addr) = self.parse::<SocketAddr>() {
            return Ok((addr.ip().to_string(), addr.port()));
        }
        let (host, port) = self.rsplit_once(':').ok_or_else(invalid)?;
        let port = port.parse().map_err(|_| invalid())?;
        if host.is_empty() {
            return Err(invalid());
        }
        Ok((host.to_string(), port))
    }
}

impl ToSocketAddr for &str {
    fn to_host_port(&self) -> io::Result<(String, u16)> {
        (**self).to_host_port()
    }
}

impl ToSocketAddr for String {
    fn to_host_port(&self) -> io::Result<(String, u16)> {
        self.as_str().to_host_port()
    }
}

impl ToSocketAddr for SocketAddr {
    fn to_host_port(&self) -> io::Result<(String, u16)> {
        Ok((self.ip().to_string(), self.port()))
    }
}

impl ToSocketAddr for (&str, u16) {
    fn to_host_port(&self) -> io::Result<(String, u16)> {
        Ok((self.0.to_string(), self.1))
    }
}

impl ToSocketAddr for (String, u16) {
    fn to_host_port(&self) -> io::Result<(String, u16)> {
        Ok(self.clone())
    }
}

impl ToSocketAddr for (IpAddr, u16) {
    fn to_host_port(&self) -> io::Result<(String, u16)> {
        Ok((self.0.to_string(), self.1))
    }
}

/// `addr` as a host name and a port, parsed as the kernel's work: never
/// charged to the task (see `detsim::alloc`).
pub(crate) fn host_port(addr: &impl ToSocketAddr) -> io::Result<(String, u16)> {
    let _untracked = sim_core::alloc::Untracked::new();
    addr.to_host_port()
}

/// Resolves `host:port` on the runtime's network stack: an IP literal at
/// once, a name through the stack's resolver, which runs in the runtime
/// (a [`ResidentFuture`]) so that the caller's future stays `Send`.
pub(crate) async fn resolve_host_port((host, port): (String, u16)) -> io::Result<SocketAddr> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(crate::stack().resolve_ip(ip, port));
    }
    ResidentFuture::new("resolving a host name", async move {
        crate::stack().resolve_name(&host, port).await
    })
    .await
}

/// Resolves `addr` on the runtime's network stack, as tokio's
/// `lookup_host` does with the system resolver: in the simulation a host
/// name gives the simulated host's address, and `localhost`, `127.0.0.1`
/// and `0.0.0.0` the calling host's; on the OS runtime, the system
/// resolver's first answer.
///
/// ```
/// use detsim::net;
///
/// detsim::Runtime::sim(0).block_on(async {
///     net::host("db", || async {});
///     let addr = net::resolve("db:5432").await.unwrap();
///     assert_eq!(addr.ip(), net::lookup("db").unwrap());
///     assert_eq!(addr.port(), 5432);
/// });
/// ```
///
/// # Errors
///
/// `NotFound` for an unknown host name; `InvalidInput` for text that is
/// not `host:port`.
pub async fn resolve(addr: impl ToSocketAddr) -> io::Result<SocketAddr> {
    resolve_host_port(host_port(&addr)?).await
}
