//! The simulated network as the kernel's network stack: what
//! `TcpStream`, `TcpListener` and `UdpSocket` are written over.
//!
//! Each operation of [`NetStack`] is the simulated host's syscall: it acts
//! for the host of the running task (its node), so a socket bound by a
//! task on `server` is `server`'s. The OS runtime has its own stack,
//! installed when it is built; this one is installed on the first use of
//! `detsim::net` under the simulation.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;

use sim_core::kernel::KernelHandle;
use sim_core::kernel::net::{Family, NetStack, Socket, StackFuture, UnconnectedTcp};
use sim_core::node::NodeId;

use crate::network::Net;
use crate::tcp::{SimListener, SimUnconnectedTcp};
use crate::udp::SimUdp;

/// The runtime's network stack: the simulated network under the
/// simulation (created on first use, with a host named `main` for the
/// test body), the OS's sockets on `Runtime::os()`. For driving the
/// kernel's socket interface directly ([`sim_core::kernel::net`]), as the
/// conformance tests do; `TcpStream` and the other types go through it.
///
/// ```
/// use detsim::kernel::{Interest, IoSource};
/// use std::future::poll_fn;
///
/// detsim::Runtime::sim(0).block_on(async {
///     let stack = detsim::net::stack();
///     let addr = stack.resolve_ip("0.0.0.0".parse().unwrap(), 9);
///     let server = IoSource::new(stack.udp_bind(addr).unwrap());
///     let err = server.get_ref().accept().err().unwrap();
///     assert_eq!(err.kind(), std::io::ErrorKind::Unsupported, "EOPNOTSUPP, as on Linux");
///     let client = stack.udp_bind(stack.resolve_ip("0.0.0.0".parse().unwrap(), 0)).unwrap();
///     let to = server.get_ref().local_addr().unwrap();
///     client.send_to(b"ping", to).unwrap();
///     let mut buf = [0; 8];
///     let (n, _from) =
///         poll_fn(|cx| server.poll_io(cx, Interest::READABLE, |s| s.recv_from(&mut buf)))
///             .await
///             .unwrap();
///     assert_eq!(&buf[..n], b"ping");
/// });
/// ```
///
/// # Panics
///
/// Outside a detsim runtime.
#[track_caller]
pub fn stack() -> Rc<dyn NetStack> {
    let kernel = KernelHandle::current();
    kernel.net_stack(|| Net::install(kernel.clone()))
}

impl Net {
    /// A network for the runtime of `kernel`, with a host named `main` for
    /// the test body's node: what [`stack`] installs.
    fn install(kernel: KernelHandle) -> Rc<Net> {
        let net = Net::new(kernel.clone());
        net.add_host("main", NodeId::MAIN)
            .expect("the first host name is free");
        let weak = Rc::downgrade(&net);
        kernel.on_node_crash(move |node| {
            if let Some(net) = weak.upgrade() {
                net.host_crashed(node);
            }
        });
        let weak = Rc::downgrade(&net);
        kernel.on_faults_end(move || {
            if let Some(net) = weak.upgrade() {
                crate::nemesis::repair(&net);
            }
        });
        crate::nemesis::start(&net);
        net
    }

    /// The current runtime's network, for a simulation-only control
    /// named `call` (e.g. `"detsim::net::partition"`).
    ///
    /// # Panics
    ///
    /// When the runtime's network stack is not the simulated one (the OS
    /// runtime), naming `call`: there are no simulated hosts or links to
    /// control there, and doing nothing would let a test believe it
    /// partitioned or configured something.
    #[track_caller]
    pub(crate) fn for_control(call: &str) -> Rc<Net> {
        match Rc::downcast::<Net>(stack().into_any()) {
            Ok(net) => net,
            Err(_) => panic!(
                "{call} exists only under the simulation (detsim::Sim, Runtime::sim): \
                 on Runtime::os() there are no simulated hosts, links or faults to control; \
                 run this part of the test under the simulation only"
            ),
        }
    }
}

impl NetStack for Net {
    fn resolve_ip(&self, ip: IpAddr, port: u16) -> SocketAddr {
        let ip = if ip.is_loopback() {
            self.ip(self.current_host())
        } else {
            ip
        };
        SocketAddr::new(ip, port)
    }

    fn resolve_name(&self, name: &str, port: u16) -> StackFuture<io::Result<SocketAddr>> {
        let _untracked = sim_core::alloc::Untracked::new();
        let resolved = self.resolve_from(self.current_host(), name, port);
        Box::pin(std::future::ready(resolved))
    }

    fn tcp_connect(&self, addr: SocketAddr) -> StackFuture<io::Result<Box<dyn Socket>>> {
        let net = self.rc();
        Box::pin(async move {
            let me = net.current_host();
            let stream = crate::tcp::connect(net, me, addr, None).await?;
            Ok(Box::new(stream) as Box<dyn Socket>)
        })
    }

    fn tcp_listen(&self, addr: SocketAddr) -> io::Result<Box<dyn Socket>> {
        let _untracked = sim_core::alloc::Untracked::new();
        Ok(Box::new(SimListener::bind(self.rc(), addr)?))
    }

    fn tcp_socket(&self, family: Family) -> io::Result<Box<dyn UnconnectedTcp>> {
        let _untracked = sim_core::alloc::Untracked::new();
        Ok(Box::new(SimUnconnectedTcp::new(
            self.rc(),
            self.current_host(),
            family,
        )))
    }

    fn udp_bind(&self, addr: SocketAddr) -> io::Result<Box<dyn Socket>> {
        let _untracked = sim_core::alloc::Untracked::new();
        Ok(Box::new(SimUdp::bind(self.rc(), addr)?))
    }

    fn into_any(self: Rc<Self>) -> Rc<dyn std::any::Any> {
        self
    }
}
