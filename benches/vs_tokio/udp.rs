//! UDP workload: a 1-byte datagram echoed between two simulated hosts
//! (tokio: two real sockets on 127.0.0.1, so its column includes the host
//! kernel's loopback path). Each round trip is a `send_to` and a
//! `recv_from` on both sides.

use std::time::{Duration, Instant as HostInstant};

use crate::harness::detsim_rt;

pub(crate) fn detsim_udp_echo_one(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        detsim::net::host("echo", || async {
            let socket = detsim::net::UdpSocket::bind("0.0.0.0:9").await?;
            let mut byte = [0u8];
            loop {
                let (_, from) = socket.recv_from(&mut byte).await?;
                socket.send_to(&byte, from).await?;
            }
            #[allow(unreachable_code)]
            std::io::Result::Ok(())
        });
        let socket = detsim::net::UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let echo = std::net::SocketAddr::new(detsim::net::lookup("echo").unwrap(), 9);
        let mut byte = [0u8];
        let start = HostInstant::now();
        for i in 0..n {
            socket.send_to(&[i as u8], echo).await.unwrap();
            socket.recv_from(&mut byte).await.unwrap();
        }
        start.elapsed()
    })
}

pub(crate) fn tokio_udp_echo_one(n: usize) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build tokio runtime with IO");
    rt.block_on(async move {
        let server = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let echo = server.local_addr().unwrap();
        tokio::spawn(async move {
            let mut byte = [0u8];
            loop {
                let (_, from) = server.recv_from(&mut byte).await.unwrap();
                server.send_to(&byte, from).await.unwrap();
            }
        });
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut byte = [0u8];
        let start = HostInstant::now();
        for i in 0..n {
            socket.send_to(&[i as u8], echo).await.unwrap();
            socket.recv_from(&mut byte).await.unwrap();
        }
        start.elapsed()
    })
}
