//! `KernelHandle::register_fd` owns what it registers, as mio's `IoSource`
//! does: the fd stays open while registered, readiness arrives on the
//! source, and dropping the registration deregisters and then closes the
//! fd. (This file holds one test: it checks a descriptor number in
//! `/proc/self/fd`, which another test's socket could otherwise reuse.)

#![cfg(target_os = "linux")]

use std::os::fd::AsRawFd;
use std::path::Path;

use detsim::kernel::{Interest, KernelHandle, Readiness, Source, Trigger};
use detsim::{Runtime, time::Duration, time::timeout};

#[test]
fn a_registration_owns_its_socket_reports_its_readiness_and_closes_it_when_dropped() {
    let rt = Runtime::os().unwrap();
    let fd_number = rt.block_on(async {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        socket.set_nonblocking(true).unwrap();
        let addr = socket.local_addr().unwrap();
        let source = Source::new("test-udp", Readiness::EMPTY);
        let socket = KernelHandle::current()
            .register_fd(socket, &source)
            .expect("registering a socket on the OS runtime");
        let readable = source.register(Interest::READABLE, Trigger::Edge);

        let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        sender.send_to(b"ping", addr).unwrap();
        timeout(Duration::from_secs(10), readable.ready())
            .await
            .expect("epoll reported the datagram on the registration's source");
        let mut buf = [0u8; 8];
        // The socket is used through the registration (it derefs to it).
        let (n, _) = socket.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"ping");
        assert_eq!(socket.source().id(), source.id());

        let fd_number = socket.as_raw_fd();
        let fd_path = format!("/proc/self/fd/{fd_number}");
        assert!(Path::new(&fd_path).exists(), "open while registered");
        drop(readable);
        drop(socket);
        assert!(
            !Path::new(&fd_path).exists(),
            "dropping the registration closes the socket it owns"
        );
        fd_number
    });
    assert!(fd_number > 2);

    // The simulation has no real kernel: a clear error, and the socket is
    // dropped with it.
    let err = Runtime::sim(1).block_on(async {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let source = Source::new("test-udp", Readiness::EMPTY);
        KernelHandle::current()
            .register_fd(socket, &source)
            .unwrap_err()
    });
    assert!(
        err.to_string()
            .contains("only be registered on the OS runtime"),
        "{err}"
    );
}
