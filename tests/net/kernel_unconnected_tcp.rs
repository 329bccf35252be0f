//! The kernel's `UnconnectedTcp` (`detsim::kernel::net`), driven directly
//! on both kernels: `bind` holds the port at once, `connect` starts from
//! it, `listen` makes a listener the try-then-wait loop accepts from.

use std::future::poll_fn;
use std::io::ErrorKind;
use std::net::SocketAddr;

use detsim::kernel::net::{Family, Socket, SocketIo};
use detsim::kernel::{Interest, IoSource};
use detsim::{Faults, Runtime, Sim, spawn};

/// `127.0.0.1:0` as the runtime's stack reads it.
fn any_port() -> SocketAddr {
    detsim::net::stack().resolve_ip("127.0.0.1".parse().unwrap(), 0)
}

async fn accept(listener: &SocketIo) -> (Box<dyn Socket>, SocketAddr) {
    poll_fn(|cx| listener.poll_io(cx, Interest::READABLE, |s| s.accept()))
        .await
        .unwrap()
}

both_backends! {
    fn a_bound_socket_holds_its_port_and_connects_from_it() {
        let stack = detsim::net::stack();
        let listener = IoSource::new(stack.tcp_listen(any_port()).unwrap());
        let server = listener.get_ref().local_addr().unwrap();
        let socket = stack.tcp_socket(Family::V4).unwrap();
        socket.bind(any_port()).unwrap();
        let local = socket.local_addr().unwrap();
        assert_ne!(local.port(), 0);
        let rival = stack.tcp_socket(Family::V4).unwrap();
        assert_eq!(rival.bind(local).unwrap_err().kind(), ErrorKind::AddrInUse);
        let client = socket.connect(server).await.unwrap();
        assert_eq!(client.local_addr().unwrap(), local);
        let (_conn, peer) = accept(&listener).await;
        assert_eq!(peer, local);
    }

    fn an_unbound_socket_listens_on_an_ephemeral_port() {
        let stack = detsim::net::stack();
        let listener = stack.tcp_socket(Family::V4).unwrap().listen(4).unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_ne!(port, 0);
        let listener = IoSource::new(listener);
        let to = detsim::net::stack().resolve_ip("127.0.0.1".parse().unwrap(), port);
        let client = spawn(async move { detsim::net::stack().tcp_connect(to).await.unwrap() });
        let (_conn, peer) = accept(&listener).await;
        assert_eq!(peer, client.await.unwrap().local_addr().unwrap());
    }
}
