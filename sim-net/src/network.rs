//! The network's state for one run: hosts, links and partitions; the
//! ports each host hands out are in `ports.rs`.
//!
//! Installed as the runtime's network stack on first use (`stack.rs`), so
//! every simulation has its own network.
//! Internals that outlive a call (links inside connections) hold a `Weak`
//! reference, so no reference cycle outlives the run.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU64;
use std::rc::{Rc, Weak};
use std::time::Duration;

use sim_core::kernel::{DelaySpan, KernelHandle, ResourceId};
use sim_core::node::{self, NodeId};

use crate::config::{LinkConfig, NetConfig};
use crate::host::HostState;
use crate::link::{NetLink, Path};

/// Index of a host in the network (creation order).
pub(crate) type HostIx = u32;

pub(crate) struct Net {
    /// This network, for what must keep it (sockets, handshakes).
    me: Weak<Net>,
    pub(crate) kernel: KernelHandle,
    pub(crate) config: RefCell<NetConfig>,
    pub(crate) hosts: RefCell<Vec<HostState>>,
    by_name: RefCell<BTreeMap<Rc<str>, HostIx>>,
    by_node: RefCell<BTreeMap<NodeId, HostIx>>,
    links: RefCell<BTreeMap<(HostIx, HostIx), LinkConfig>>,
    /// Directed pairs whose packets are dropped: `(from, to)`.
    cut: RefCell<BTreeSet<(HostIx, HostIx)>>,
    /// Directed pairs whose packets wait until released.
    held: RefCell<BTreeSet<(HostIx, HostIx)>>,
    /// The stream link of each directed pair that has had a connection
    /// (`link.rs`): one per pair, shared by its connections.
    pub(crate) stream_links: RefCell<BTreeMap<(HostIx, HostIx), Rc<NetLink>>>,
}

impl Net {
    /// An empty network for the runtime of `kernel` (`stack.rs` installs
    /// it, with its first host).
    pub(crate) fn new(kernel: KernelHandle) -> Rc<Net> {
        Rc::new_cyclic(|me| Net {
            me: me.clone(),
            kernel,
            config: RefCell::new(NetConfig::default()),
            hosts: RefCell::new(Vec::new()),
            by_name: RefCell::new(BTreeMap::new()),
            by_node: RefCell::new(BTreeMap::new()),
            links: RefCell::new(BTreeMap::new()),
            cut: RefCell::new(BTreeSet::new()),
            held: RefCell::new(BTreeSet::new()),
            stream_links: RefCell::new(BTreeMap::new()),
        })
    }

    /// This network, counted: what sockets and handshakes keep.
    pub(crate) fn rc(&self) -> Rc<Net> {
        self.me
            .upgrade()
            .expect("the network outlives the calls made on it")
    }

    /// Registers a host for `node`, with the next address.
    pub(crate) fn add_host(&self, name: &str, node: NodeId) -> io::Result<HostIx> {
        if self.by_name.borrow().contains_key(name) {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("a host named `{name}` already exists in this simulation"),
            ));
        }
        let mut hosts = self.hosts.borrow_mut();
        let ix = HostIx::try_from(hosts.len()).expect("fewer than 4 billion hosts");
        let n = ix + 1;
        let ip = Ipv4Addr::new(10, (n >> 16) as u8, (n >> 8) as u8, n as u8);
        let name: Rc<str> = Rc::from(name);
        hosts.push(HostState::new(Rc::clone(&name), IpAddr::V4(ip), node));
        self.by_name.borrow_mut().insert(name, ix);
        self.by_node.borrow_mut().insert(node, ix);
        Ok(ix)
    }

    /// The host the running task belongs to.
    #[track_caller]
    pub(crate) fn current_host(&self) -> HostIx {
        let node = node::current();
        *self.by_node.borrow().get(&node).unwrap_or_else(|| {
            panic!(
                "detsim::net: the running task is on {node} ({}), which is not a network host; \
                 spawn it with detsim::net::host or detsim::net::client",
                node::name(node)
            )
        })
    }

    pub(crate) fn host_by_name(&self, name: &str) -> Option<HostIx> {
        self.by_name.borrow().get(name).copied()
    }

    pub(crate) fn host_by_ip(&self, ip: IpAddr) -> Option<HostIx> {
        if ip.is_loopback() {
            return None;
        }
        self.hosts
            .borrow()
            .iter()
            .position(|h| h.ip == ip)
            .map(|i| i as HostIx)
    }

    pub(crate) fn ip(&self, host: HostIx) -> IpAddr {
        self.hosts.borrow()[host as usize].ip
    }

    pub(crate) fn name(&self, host: HostIx) -> Rc<str> {
        Rc::clone(&self.hosts.borrow()[host as usize].name)
    }

    pub(crate) fn is_up(&self, host: HostIx) -> bool {
        self.hosts.borrow()[host as usize].up
    }

    /// Resolves `host:port`, `ip:port`, or `localhost:port` as seen from
    /// `from`.
    pub(crate) fn resolve_from(
        &self,
        from: HostIx,
        host: &str,
        port: u16,
    ) -> io::Result<SocketAddr> {
        if host == "localhost" {
            return Ok(SocketAddr::new(self.ip(from), port));
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            let ip = if ip.is_loopback() { self.ip(from) } else { ip };
            return Ok(SocketAddr::new(ip, port));
        }
        match self.host_by_name(host) {
            Some(h) => Ok(SocketAddr::new(self.ip(h), port)),
            None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("failed to resolve `{host}`: no simulated host has that name"),
            )),
        }
    }

    /// Checks that `addr` names `host` for `bind`: the unspecified
    /// address, or the host's own (a loopback address was read as the
    /// host's own already).
    pub(crate) fn check_local(&self, host: HostIx, addr: SocketAddr) -> io::Result<()> {
        let ip = addr.ip();
        if ip.is_unspecified() || ip.is_loopback() || ip == self.ip(host) {
            return Ok(());
        }
        Err(io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            format!(
                "cannot bind {addr} on host `{}` ({})",
                self.name(host),
                self.ip(host)
            ),
        ))
    }

    /// Transit time of `len` bytes from `from` to `to`, drawn now (a
    /// stream link draws from its copy of the same state, `link.rs`).
    pub(crate) fn transit(&self, from: HostIx, to: HostIx, len: usize) -> Duration {
        self.path(from, to).transit(&self.kernel, len)
    }

    /// The state of the path from `from` to `to` now: whether it is open,
    /// and its link's configuration (its own, or the network's default).
    pub(crate) fn path(&self, from: HostIx, to: HostIx) -> Path {
        let links = self.links.borrow();
        let (latency_min, latency_max, bandwidth_bytes_per_sec) = match links.get(&(from, to)) {
            Some(l) => (l.latency_min, l.latency_max, l.bandwidth_bytes_per_sec),
            None => {
                let config = self.config.borrow();
                (
                    config.latency_min,
                    config.latency_max,
                    config.bandwidth_bytes_per_sec,
                )
            }
        };
        Path {
            latency_min,
            latency_span: DelaySpan::new(latency_min, latency_max),
            // A bandwidth of 0 moves a byte a second, as 1 does.
            bandwidth_bytes_per_sec: bandwidth_bytes_per_sec
                .map(|bw| NonZeroU64::new(bw).unwrap_or(NonZeroU64::MIN)),
            open: self.path_open(from, to),
        }
    }

    /// Whether a packet from `from` to `to` gets through now.
    pub(crate) fn passes(&self, from: HostIx, to: HostIx) -> bool {
        let pair = (from, to);
        self.is_up(to) && !self.cut.borrow().contains(&pair) && !self.held.borrow().contains(&pair)
    }

    /// Whether the path from `from` to `to` carries packets now (neither
    /// cut nor held), whether or not `to` is up.
    pub(crate) fn path_open(&self, from: HostIx, to: HostIx) -> bool {
        let pair = (from, to);
        !self.cut.borrow().contains(&pair) && !self.held.borrow().contains(&pair)
    }

    /// Whether packets from `from` to `to` are held (not dropped).
    pub(crate) fn is_held(&self, from: HostIx, to: HostIx) -> bool {
        self.held.borrow().contains(&(from, to))
    }

    pub(crate) fn set_cut(&self, from: HostIx, to: HostIx, cut: bool) {
        let mut c = self.cut.borrow_mut();
        if cut {
            c.insert((from, to))
        } else {
            c.remove(&(from, to))
        };
        drop(c);
        self.refresh_link(from, to);
        self.kernel.trace(
            self.link_id(from, to),
            if cut { "partition" } else { "heal" },
            0,
        );
    }

    pub(crate) fn heal_all(&self) {
        self.cut.borrow_mut().clear();
        self.refresh_links();
        self.kernel.trace(ResourceId::NONE, "heal all", 0);
    }

    pub(crate) fn set_held(&self, from: HostIx, to: HostIx, held: bool) {
        let mut h = self.held.borrow_mut();
        if held {
            h.insert((from, to))
        } else {
            h.remove(&(from, to))
        };
        drop(h);
        self.refresh_link(from, to);
        self.kernel.trace(
            self.link_id(from, to),
            if held { "hold" } else { "release" },
            0,
        );
    }

    pub(crate) fn set_link(&self, from: HostIx, to: HostIx, link: LinkConfig) {
        self.links.borrow_mut().insert((from, to), link);
        self.refresh_link(from, to);
    }

    /// Replaces the network's configuration ([`crate::configure`]): the
    /// default link changes for every pair without its own.
    pub(crate) fn set_config(&self, config: NetConfig) {
        *self.config.borrow_mut() = config;
        self.refresh_links();
    }

    /// A host's node crashed: its sockets are gone (their owners were
    /// dropped with the tasks); mark it down until restarted.
    pub(crate) fn host_crashed(&self, node: NodeId) {
        let Some(&host) = self.by_node.borrow().get(&node) else {
            return;
        };
        let mut hosts = self.hosts.borrow_mut();
        let h = &mut hosts[host as usize];
        h.up = false;
        h.tcp_listeners.clear();
        h.tcp_bound.clear();
        h.udp.clear();
        drop(hosts);
        self.kernel.trace(self.host_id(host), "host down", 0);
    }

    pub(crate) fn host_restarted(&self, host: HostIx) {
        self.hosts.borrow_mut()[host as usize].up = true;
        self.kernel.trace(self.host_id(host), "host up", 0);
    }

    /// Whether host `host` has a body to rerun after a crash.
    pub(crate) fn can_restart(&self, host: HostIx) -> bool {
        self.hosts.borrow()[host as usize].has_factory()
    }

    pub(crate) fn node_of(&self, host: HostIx) -> NodeId {
        self.hosts.borrow()[host as usize].node
    }

    /// How traces and reports name a host: by its node.
    pub(crate) fn host_id(&self, host: HostIx) -> ResourceId {
        ResourceId::node(self.node_of(host))
    }

    /// How traces and reports name the link from `from` to `to`.
    pub(crate) fn link_id(&self, from: HostIx, to: HostIx) -> ResourceId {
        ResourceId::link(self.node_of(from), self.node_of(to))
    }

    /// Number of hosts.
    pub(crate) fn host_count(&self) -> usize {
        self.hosts.borrow().len()
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        // The connections that outlive the run keep their links: what
        // they send from now on goes nowhere, at once.
        self.close_links();
    }
}
