use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;

use sim_core::io::DuplexStream;
use sim_core::kernel::{
    Interest, Readiness, Registration, Resident, ResidentFuture, Source, Trigger,
};

use crate::addr::{ToSocketAddr, is_local_bind};
use crate::network::{HostIx, Net};
use crate::tcp::TcpStream;

/// A connection that completed the handshake and waits for `accept`.
pub(crate) struct Pending {
    pub(crate) io: DuplexStream,
    pub(crate) peer: SocketAddr,
}

/// The network's side of a listener: the accept queue.
pub(crate) struct ListenerShared {
    queue: RefCell<VecDeque<Pending>>,
    source: Source,
    backlog: usize,
}

impl ListenerShared {
    /// Whether another handshake fits in the backlog.
    pub(crate) fn has_room(&self) -> bool {
        self.queue.borrow().len() < self.backlog
    }

    /// Queues a completed handshake and reports it readable.
    pub(crate) fn push(&self, pending: Pending) {
        self.queue.borrow_mut().push_back(pending);
        self.source.set(Readiness::READABLE, Readiness::READABLE);
    }
}

/// The simulated listener.
pub(crate) struct SimListener {
    net: Rc<Net>,
    host: HostIx,
    local: SocketAddr,
    shared: Rc<ListenerShared>,
    reg: Registration,
}

impl SimListener {
    /// Binds to `addr` on the calling host: `0.0.0.0:port`, the host's own
    /// name or address, or port 0 for an ephemeral port.
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the port is bound; `AddrNotAvailable` for another
    /// host's address; `InvalidInput` for text that is not `host:port`.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime, or on a task that is not on a host.
    pub(crate) async fn bind(addr: impl ToSocketAddr) -> io::Result<SimListener> {
        let net = Net::current();
        let host = net.current_host();
        let (name, port) = addr.to_host_port()?;
        if !is_local_bind(&name, &net.name(host), net.ip(host)) {
            return Err(io::Error::new(
                io::ErrorKind::AddrNotAvailable,
                format!(
                    "cannot bind {name}:{port} on host `{}` ({})",
                    net.name(host),
                    net.ip(host)
                ),
            ));
        }
        let source = Source::new("tcp-listener", Readiness::EMPTY);
        let backlog = net.config.borrow().listen_backlog;
        let shared = Rc::new(ListenerShared {
            queue: RefCell::new(VecDeque::new()),
            source,
            backlog,
        });
        let port = net.bind_tcp(host, port, Rc::clone(&shared))?;
        let reg = shared.source.register(Interest::READABLE, Trigger::Edge);
        let local = SocketAddr::new(net.ip(host), port);
        shared.source.trace("listen", i64::from(port));
        Ok(SimListener {
            net,
            host,
            local,
            shared,
            reg,
        })
    }

    /// Waits for a connection; returns it with the peer's address.
    ///
    /// # Errors
    ///
    /// None in the simulation today; the signature matches std and tokio.
    pub(crate) async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        loop {
            let next = self.shared.queue.borrow_mut().pop_front();
            if let Some(Pending { io, peer }) = next {
                let stream = TcpStream::from_parts(
                    Rc::clone(&self.net),
                    self.host,
                    io,
                    self.local,
                    peer,
                    None,
                );
                return Ok((stream, peer));
            }
            self.shared.source.clear(Readiness::READABLE);
            self.reg.ready().await;
        }
    }

    /// The address the listener is bound to.
    pub(crate) fn local_addr(&self) -> SocketAddr {
        self.local
    }
}

impl Drop for SimListener {
    fn drop(&mut self) {
        self.net
            .unbind_tcp(self.host, self.local.port(), &self.shared);
        // Linux resets connections that were never accepted.
        for pending in self.shared.queue.borrow_mut().drain(..) {
            pending.io.reset();
        }
    }
}

impl fmt::Debug for SimListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimListener")
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

/// A TCP socket listening for connections on a simulated host.
///
/// ```
/// use detsim::net::{self, TcpListener, TcpStream};
///
/// detsim::Runtime::sim(0).block_on(async {
///     let listener = TcpListener::bind("0.0.0.0:80").await.unwrap();
///     assert_eq!(listener.local_addr().unwrap().port(), 80);
///     let err = TcpListener::bind("0.0.0.0:80").await.unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse);
///     net::client("c", async { TcpStream::connect("main:80").await.unwrap() });
///     let (_conn, peer) = listener.accept().await.unwrap();
///     assert_eq!(peer.ip(), net::lookup("c").unwrap());
/// });
/// ```
pub struct TcpListener {
    inner: Resident<ListenerImpl>,
}

enum ListenerImpl {
    Sim(SimListener),
    #[cfg(target_os = "linux")]
    Os(crate::os::OsTcpListener, SocketAddr),
}

impl TcpListener {
    /// Binds to `addr` on the calling host: `0.0.0.0:port`, the host's own
    /// name or address, or port 0 for an ephemeral port. On the OS runtime,
    /// a real socket bound to `addr`.
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the port is bound; `AddrNotAvailable` for another
    /// host's address; `InvalidInput` for text that is not `host:port`.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime, or (simulation) on a task that is not on a
    /// host.
    pub async fn bind(addr: impl ToSocketAddr) -> io::Result<TcpListener> {
        let addr = addr.to_host_port()?;
        let listener = ResidentFuture::new("TcpListener::bind", async move {
            #[cfg(target_os = "linux")]
            if sim_core::kernel::KernelHandle::current().is_os() {
                let os = crate::os::OsTcpListener::bind(addr).await?;
                let local = os.local_addr()?;
                return Ok(ListenerImpl::Os(os, local));
            }
            io::Result::Ok(ListenerImpl::Sim(SimListener::bind(addr).await?))
        })
        .await?;
        Ok(TcpListener {
            inner: Resident::new("a TcpListener", listener),
        })
    }

    /// Waits for a connection; returns it with the peer's address.
    ///
    /// # Errors
    ///
    /// On the OS runtime, what `accept4` reports (e.g. `EMFILE`); none in
    /// the simulation.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let listener = self.inner.rc();
        ResidentFuture::new("TcpListener::accept", async move {
            match &*listener {
                ListenerImpl::Sim(l) => l.accept().await,
                #[cfg(target_os = "linux")]
                ListenerImpl::Os(l, _) => {
                    let (stream, peer) = l.accept().await?;
                    Ok((TcpStream::from_os(stream), peer))
                }
            }
        })
        .await
    }

    /// The address the listener is bound to.
    ///
    /// # Errors
    ///
    /// None today (both backends record the address at bind); the
    /// signature is tokio's and std's.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(local_addr(self.inner.get()))
    }
}

fn local_addr(listener: &ListenerImpl) -> SocketAddr {
    match listener {
        ListenerImpl::Sim(l) => l.local_addr(),
        #[cfg(target_os = "linux")]
        ListenerImpl::Os(_, local) => *local,
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpListener")
            .field("local", &self.inner.try_get().map(local_addr))
            .finish_non_exhaustive()
    }
}
