//! Hosts: named machines with an address, running a body that can crash
//! and restart.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::rc::Rc;

use sim_core::JoinHandle;
use sim_core::node::{self, NodeId};
use sim_core::runner::TestResult;
use sim_core::task::Builder;

use crate::network::{HostIx, Net};
use crate::ports::PortFlags;
use crate::tcp::ListenerShared;
use crate::udp::UdpShared;

type Body = Pin<Box<dyn Future<Output = Result<(), String>>>>;

pub(crate) struct HostState {
    pub(crate) name: Rc<str>,
    pub(crate) ip: IpAddr,
    pub(crate) node: NodeId,
    pub(crate) up: bool,
    pub(crate) tcp_listeners: BTreeMap<u16, Rc<ListenerShared>>,
    /// Sockets bound with `bind` that do not listen, by port.
    pub(crate) tcp_bound: BTreeMap<u16, Vec<Rc<PortFlags>>>,
    /// Outgoing connections, unique per destination: (local port, peer
    /// host, peer port), eight bytes rather than a `SocketAddr`'s 32 (idle
    /// connections add up).
    pub(crate) tcp_conns: BTreeSet<(u16, HostIx, u16)>,
    pub(crate) udp: BTreeMap<u16, Rc<UdpShared>>,
    pub(crate) next_ephemeral: u16,
    factory: Option<Rc<dyn Fn() -> Body>>,
}

impl HostState {
    pub(crate) fn new(name: Rc<str>, ip: IpAddr, node: NodeId) -> HostState {
        HostState {
            name,
            ip,
            node,
            up: true,
            tcp_listeners: BTreeMap::new(),
            tcp_bound: BTreeMap::new(),
            tcp_conns: BTreeSet::new(),
            udp: BTreeMap::new(),
            next_ephemeral: 32768,
            factory: None,
        }
    }

    pub(crate) fn has_factory(&self) -> bool {
        self.factory.is_some()
    }
}

/// Starts a host named `name` running `body()`; after a crash,
/// [`HostHandle::restart`] runs `body()` again.
///
/// The body returns `()` or a `Result`; an `Err` fails the run, naming the
/// host. Every task the body spawns runs on the host.
///
/// ```
/// use detsim::net::{self, TcpListener, TcpStream};
/// use futures::{AsyncReadExt, AsyncWriteExt};
///
/// detsim::Sim::new().seeds(10).run(|| async {
///     net::host("server", || async {
///         let listener = TcpListener::bind("0.0.0.0:7").await?;
///         let (mut conn, _) = listener.accept().await?;
///         let mut buf = [0; 5];
///         conn.read_exact(&mut buf).await?;
///         conn.write_all(&buf).await?;
///         std::io::Result::Ok(())
///     });
///     let mut conn = TcpStream::connect("server:7").await.unwrap();
///     conn.write_all(b"hello").await.unwrap();
///     let mut buf = [0; 5];
///     conn.read_exact(&mut buf).await.unwrap();
///     assert_eq!(&buf, b"hello");
/// });
/// ```
///
/// # Panics
///
/// If a host named `name` exists already, outside a detsim runtime, or on
/// the OS runtime (simulated hosts exist only under the simulation).
#[track_caller]
pub fn host<F, Fut>(name: &str, body: F) -> HostHandle
where
    F: Fn() -> Fut + 'static,
    Fut: Future + 'static,
    Fut::Output: TestResult,
{
    let _untracked = sim_core::alloc::Untracked::new();
    let host_name: Rc<str> = Rc::from(name);
    let factory: Rc<dyn Fn() -> Body> = Rc::new(move || {
        let fut = body();
        let name = Rc::clone(&host_name);
        Box::pin(async move {
            fut.await
                .into_result()
                .map_err(|e| format!("host `{name}` failed: {e}"))
        })
    });
    let handle = new_host("detsim::net::host", name);
    handle.net.hosts.borrow_mut()[handle.ix as usize].factory = Some(Rc::clone(&factory));
    handle.start(&factory);
    handle
}

/// Starts a host named `name` running `body` once (a client: it cannot be
/// restarted) and returns a handle to await its output.
///
/// # Panics
///
/// If a host named `name` exists already, outside a detsim runtime, or on
/// the OS runtime (simulated hosts exist only under the simulation).
#[track_caller]
pub fn client<Fut>(name: &str, body: Fut) -> JoinHandle<Fut::Output>
where
    Fut: Future + 'static,
    Fut::Output: 'static,
{
    let handle = {
        let _untracked = sim_core::alloc::Untracked::new();
        new_host("detsim::net::client", name)
    };
    // As with `spawn`, the boxed body is charged to the caller.
    Builder::new().name(name).node(handle.node()).spawn(body)
}

#[track_caller]
fn new_host(call: &str, name: &str) -> HostHandle {
    let net = Net::for_control(call);
    let node = node::create(name);
    // A `match`, not `unwrap_or_else`: a closure would not carry
    // `#[track_caller]`, and the panic would point inside detsim.
    let ix = match net.add_host(name, node) {
        Ok(ix) => ix,
        Err(e) => panic!("{call}: {e}"),
    };
    HostHandle { net, ix }
}

/// Controls a host: its address, crashing and restarting it.
#[derive(Clone)]
pub struct HostHandle {
    net: Rc<Net>,
    ix: HostIx,
}

impl HostHandle {
    /// The host of the running task.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime, on a task that is not on a host, or on the
    /// OS runtime (simulation only).
    #[track_caller]
    pub fn current() -> HostHandle {
        let net = Net::for_control("detsim::net::HostHandle::current");
        let ix = net.current_host();
        HostHandle { net, ix }
    }

    /// The host named `name`, if any.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime, or on the OS runtime (simulation only).
    #[track_caller]
    pub fn lookup(name: &str) -> Option<HostHandle> {
        let _untracked = sim_core::alloc::Untracked::new();
        let net = Net::for_control("detsim::net::HostHandle::lookup");
        let ix = net.host_by_name(name)?;
        Some(HostHandle { net, ix })
    }

    /// The host's name.
    pub fn name(&self) -> Rc<str> {
        self.net.name(self.ix)
    }

    /// The host's address.
    pub fn ip(&self) -> IpAddr {
        self.net.ip(self.ix)
    }

    /// The node its tasks run on.
    pub fn node(&self) -> NodeId {
        self.net.node_of(self.ix)
    }

    /// Whether the host is running (not crashed).
    pub fn is_up(&self) -> bool {
        self.net.is_up(self.ix)
    }

    /// Crashes the host as a process crash does: every task on it stops,
    /// its sockets close (peers see EOF, or a reset where data was left
    /// unread), and packets to it are dropped until it restarts.
    ///
    /// # Panics
    ///
    /// For the `main` host, which runs the test body.
    pub fn crash(&self) {
        let _untracked = sim_core::alloc::Untracked::new();
        if self.is_up() {
            node::crash(self.node());
        }
    }

    /// Restarts a crashed host, running its body again. A no-op while it is
    /// up.
    ///
    /// # Panics
    ///
    /// For a host started with [`client`], which has no body to rerun.
    #[track_caller]
    pub fn restart(&self) {
        let _untracked = sim_core::alloc::Untracked::new();
        if self.is_up() {
            return;
        }
        let factory = self.net.hosts.borrow()[self.ix as usize].factory.clone();
        let factory = factory.unwrap_or_else(|| {
            panic!(
                "detsim::net: host `{}` is a client and cannot be restarted",
                self.name()
            )
        });
        self.net.host_restarted(self.ix);
        self.start(&factory);
    }

    /// Spawns the body; its spawn site in reports is the caller of
    /// [`host`] (or of [`HostHandle::restart`]), not this line.
    #[track_caller]
    fn start(&self, factory: &Rc<dyn Fn() -> Body>) {
        let body = factory();
        Builder::new()
            .name(&self.name())
            .node(self.node())
            .spawn(async move {
                if let Err(e) = body.await {
                    panic!("{e}");
                }
            });
    }
}

/// Restarts host `ix` (the nemesis's way in).
pub(crate) fn restart_ix(net: &Rc<Net>, ix: HostIx) {
    HostHandle {
        net: Rc::clone(net),
        ix,
    }
    .restart();
}

impl fmt::Debug for HostHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Host({} at {})", self.name(), self.ip())
    }
}
