//! [`SimListener`]: a simulated listening socket behind the kernel's
//! socket contract, and its accept queue ([`ListenerShared`]), which the
//! handshake fills.
//!
//! A listener made by `TcpListener::bind` queues
//! `NetConfig::listen_backlog` connections; one made by `listen(backlog)`
//! on an unconnected socket queues `backlog` + 1, as Linux does (its
//! queue is full only once it holds more than the backlog), `backlog`
//! capped at Linux's default `somaxconn`, 4096. Accepted connections
//! inherit the listener's options (`TCP_NODELAY`, `SO_LINGER`, `IP_TTL`),
//! as on Linux.
//!
//! # Divergence from Linux
//!
//! The backlog bounds the connections waiting for `accept` (Linux bounds
//! the accept queue and the SYN queue separately); a SYN that finds it
//! full is dropped, and the client retransmits, as with Linux's default
//! `tcp_abort_on_overflow = 0`.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::rc::Rc;

use sim_core::kernel::net::{Errno, Socket};
use sim_core::kernel::stream::StreamEnd;
use sim_core::kernel::{AsSource, Readiness, Source};

use crate::network::{HostIx, Net};
use crate::options::SocketOptions;
use crate::ports::Binding;
use crate::tcp::socket::SimTcpStream;

/// Linux's default `net.core.somaxconn`: the most a backlog asks for.
const SOMAXCONN: u32 = 4096;

/// A connection that completed the handshake and waits for `accept`.
pub(crate) struct Pending {
    pub(crate) io: StreamEnd,
    pub(crate) peer: SocketAddr,
}

/// The network's side of a listener: the accept queue.
pub(crate) struct ListenerShared {
    queue: RefCell<VecDeque<Pending>>,
    source: Source,
    backlog: usize,
    /// `SO_REUSEPORT`, for whether a socket may bind the port beside it.
    reuseport: bool,
}

impl ListenerShared {
    /// Whether the listener set `SO_REUSEPORT`.
    pub(crate) fn reuseport(&self) -> bool {
        self.reuseport
    }

    /// Whether another handshake fits in the backlog.
    pub(crate) fn has_room(&self) -> bool {
        self.queue.borrow().len() < self.backlog
    }

    /// Queues a completed handshake and reports it readable.
    pub(crate) fn push(&self, pending: Pending) {
        self.queue.borrow_mut().push_back(pending);
        self.source.set(Readiness::READABLE, Readiness::READABLE);
    }

    /// Resets the connections never accepted, as Linux does when a
    /// listener closes.
    fn reset_queued(&self) {
        let queued: Vec<Pending> = self.queue.borrow_mut().drain(..).collect();
        for pending in queued {
            pending.io.reset();
        }
    }
}

/// A listening socket on a simulated host.
pub(crate) struct SimListener {
    net: Rc<Net>,
    host: HostIx,
    local: SocketAddr,
    shared: Rc<ListenerShared>,
    /// `shutdown(Read)` stopped it listening: its port is free and
    /// `accept` says `EINVAL`, as on Linux.
    closed: Cell<bool>,
    options: SocketOptions,
}

impl SimListener {
    /// Binds to `addr` on the calling host: the unspecified address or
    /// the host's own, port 0 for an ephemeral port.
    ///
    /// # Errors
    ///
    /// `AddrInUse` if the port is bound; `AddrNotAvailable` for another
    /// host's address.
    ///
    /// # Panics
    ///
    /// On a task that is not on a host.
    pub(crate) fn bind(net: Rc<Net>, addr: SocketAddr) -> io::Result<SimListener> {
        let host = net.current_host();
        net.check_local(host, addr)?;
        let source = Source::new("tcp-listener", Readiness::EMPTY);
        let backlog = net.config.borrow().listen_backlog;
        let shared = Rc::new(ListenerShared {
            queue: RefCell::new(VecDeque::new()),
            source,
            backlog,
            reuseport: false,
        });
        let port = net.bind_tcp(host, addr.port(), Rc::clone(&shared))?;
        let local = SocketAddr::new(net.ip(host), port);
        shared.source.trace("listen", i64::from(port));
        Ok(SimListener {
            net,
            host,
            local,
            shared,
            closed: Cell::new(false),
            options: SocketOptions::default(),
        })
    }

    /// `listen(backlog)` on the socket holding `binding` on `host`, with
    /// the options it set: see the module docs for the backlog.
    ///
    /// # Errors
    ///
    /// `AddrInUse` when another socket listens on the port.
    pub(crate) fn listen(
        net: Rc<Net>,
        host: HostIx,
        binding: Binding,
        backlog: u32,
        reuseport: bool,
        options: SocketOptions,
    ) -> io::Result<SimListener> {
        let port = binding.port();
        let backlog = usize::try_from(backlog.min(SOMAXCONN)).expect("4096 fits") + 1;
        let shared = Rc::new(ListenerShared {
            queue: RefCell::new(VecDeque::new()),
            source: Source::new("tcp-listener", Readiness::EMPTY),
            backlog,
            reuseport,
        });
        net.listen_tcp(binding, Rc::clone(&shared))?;
        shared.source.trace("listen", i64::from(port));
        Ok(SimListener {
            local: SocketAddr::new(net.ip(host), port),
            net,
            host,
            shared,
            closed: Cell::new(false),
            options,
        })
    }

    /// Stops listening: the port is free, queued connections are reset.
    fn close(&self) {
        self.closed.set(true);
        self.net
            .unbind_tcp(self.host, self.local.port(), &self.shared);
        self.shared.reset_queued();
    }
}

impl AsSource for SimListener {
    fn source(&self) -> &Source {
        &self.shared.source
    }
}

impl Socket for SimListener {
    fn read(&self, _buf: &mut [u8]) -> io::Result<usize> {
        Err(Errno::ENOTCONN.into())
    }

    fn peek(&self, _buf: &mut [u8]) -> io::Result<usize> {
        Err(Errno::ENOTCONN.into())
    }

    fn write(&self, _buf: &[u8]) -> io::Result<usize> {
        Err(Errno::EPIPE.into())
    }

    fn recv_from(&self, _buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        Err(Errno::ENOTCONN.into())
    }

    fn send_to(&self, _buf: &[u8], _target: SocketAddr) -> io::Result<usize> {
        Err(Errno::EPIPE.into())
    }

    fn accept(&self) -> io::Result<(Box<dyn Socket>, SocketAddr)> {
        if self.closed.get() {
            return Err(Errno::EINVAL.into());
        }
        let next = self.shared.queue.borrow_mut().pop_front();
        let Some(Pending { io, peer }) = next else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        let _untracked = sim_core::alloc::Untracked::new();
        let net = Rc::clone(&self.net);
        let stream = SimTcpStream::new(net, self.host, io, self.local, peer, None);
        stream.options().inherit(&self.options);
        Ok((Box::new(stream), peer))
    }

    fn connect(&self, _addr: SocketAddr) -> io::Result<()> {
        Err(Errno::EISCONN.into())
    }

    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        if how == Shutdown::Write {
            return Ok(());
        }
        if self.closed.get() {
            return Err(Errno::ENOTCONN.into());
        }
        self.close();
        // Wakes a task waiting in `accept`, which now says `EINVAL`.
        let hup = Readiness::READABLE | Readiness::READ_CLOSED;
        self.shared.source.set(hup, hup);
        Ok(())
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        Ok(self.local)
    }

    fn peer_addr(&self) -> io::Result<SocketAddr> {
        Err(Errno::ENOTCONN.into())
    }

    fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.options.set_nodelay(nodelay)
    }

    fn nodelay(&self) -> io::Result<bool> {
        self.options.nodelay()
    }

    fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.options.set_ttl(ttl)
    }

    fn ttl(&self) -> io::Result<u32> {
        self.options.ttl()
    }

    fn take_error(&self) -> io::Result<Option<io::Error>> {
        Ok(None)
    }
}

impl Drop for SimListener {
    fn drop(&mut self) {
        if !self.closed.get() {
            self.close();
        }
    }
}
