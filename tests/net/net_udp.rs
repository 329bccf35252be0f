//! Simulated UDP: one datagram per receive, truncation, and the fault
//! plan's loss and duplication, visible to the receiver.

use std::io::ErrorKind;

use detsim::net::{self, UdpSocket};
use detsim::time::{Duration, sleep, timeout};
use detsim::{Faults, Probability, Sim};

/// Sends `count` numbered datagrams from a new client host to `main:5000`
/// and returns the numbers received, in arrival order, until 1 s of
/// silence. `before_send` runs once the sender host exists.
async fn numbered_datagrams(count: u32) -> Vec<u32> {
    numbered_datagrams_with(count, || {}).await
}

async fn numbered_datagrams_with(count: u32, before_send: impl FnOnce()) -> Vec<u32> {
    let socket = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
    net::client("sender", async move {
        let out = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        for i in 0..count {
            out.send_to(&i.to_be_bytes(), "main:5000").await.unwrap();
        }
    });
    before_send();
    let mut got = Vec::new();
    let mut buf = [0; 16];
    while let Ok(r) = timeout(Duration::from_secs(1), socket.recv_from(&mut buf)).await {
        let (n, _) = r.unwrap();
        assert_eq!(n, 4, "a datagram arrived whole or not at all");
        got.push(u32::from_be_bytes(buf[..4].try_into().unwrap()));
    }
    got
}

/// Asserts that `result` is an error of `kind`.
#[track_caller]
fn assert_err_kind<T: std::fmt::Debug>(result: std::io::Result<T>, kind: ErrorKind) {
    match result {
        Err(e) => assert_eq!(e.kind(), kind, "expected {kind:?}, got the error {e}"),
        Ok(v) => panic!("expected {kind:?}, got Ok({v:?})"),
    }
}

#[test]
fn without_faults_every_datagram_arrives_exactly_once() {
    Sim::new().seeds(20).run(|| async {
        let mut got = numbered_datagrams(200).await;
        got.sort_unstable();
        assert_eq!(got, (0..200).collect::<Vec<_>>());
    });
}

#[test]
fn packet_loss_and_duplication_are_observable_by_the_receiver() {
    let mut faults = Faults::none();
    faults.net.packet_loss = Probability::new(0.3).unwrap();
    faults.net.packet_duplicate = Probability::new(0.3).unwrap();
    Sim::new().faults(faults).seeds(20).run(|| async {
        let got = numbered_datagrams(200).await;
        let mut distinct = got.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let lost = 200 - distinct.len();
        let duplicated = got.len() - distinct.len();
        // 30% of 200 each way; far from 0 on every seed.
        assert!(lost >= 20, "only {lost} of 200 datagrams lost at 30% loss");
        assert!(
            duplicated >= 10,
            "only {duplicated} duplicates at 30% duplication"
        );
        assert!(distinct.iter().all(|&i| i < 200), "a datagram was invented");
    });
}

#[test]
fn datagrams_can_arrive_out_of_order() {
    let mut reordered = 0;
    for seed in 0..20 {
        let got = detsim::Runtime::sim(seed).block_on(numbered_datagrams(50));
        if got.windows(2).any(|w| w[0] > w[1]) {
            reordered += 1;
        }
    }
    assert!(reordered > 0, "no seed reordered datagrams");
}

#[test]
fn each_recv_returns_one_datagram_truncated_to_the_buffer() {
    Sim::new().seeds(10).run(|| async {
        let socket = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
        net::client("sender", async {
            let out = UdpSocket::bind("0.0.0.0:0").await.unwrap();
            out.connect("main:5000").await.unwrap();
            out.send(b"first datagram").await.unwrap();
            sleep(Duration::from_millis(1)).await;
            out.send(b"second").await.unwrap();
        });
        let mut small = [0; 5];
        let (n, from) = socket.recv_from(&mut small).await.unwrap();
        assert_eq!(&small[..n], b"first", "truncated to the buffer");
        assert_eq!(from.ip(), net::lookup("sender").unwrap());
        // The rest of the first datagram is gone: the next recv is the next
        // datagram, never a remainder and never two datagrams merged.
        let mut big = [0; 64];
        let (n, _) = socket.recv_from(&mut big).await.unwrap();
        assert_eq!(&big[..n], b"second");
        assert_err_kind(socket.try_recv_from(&mut big), ErrorKind::WouldBlock);
    });
}

#[test]
fn a_connected_socket_only_receives_from_its_peer() {
    Sim::new().seeds(10).run(|| async {
        let socket = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
        let err = socket.send(b"x").await.unwrap_err();
        assert_eq!(
            err.raw_os_error(),
            Some(89),
            "EDESTADDRREQ, as Linux: {err}"
        );
        let friend = net::client("friend", async {
            let s = UdpSocket::bind("0.0.0.0:6000").await.unwrap();
            sleep(Duration::from_millis(1)).await;
            s.send_to(b"from friend", "main:5000").await.unwrap();
        });
        net::client("stranger", async {
            let s = UdpSocket::bind("0.0.0.0:0").await.unwrap();
            s.send_to(b"from stranger", "main:5000").await.unwrap();
        });
        socket.connect("friend:6000").await.unwrap();
        let mut buf = [0; 32];
        let n = socket.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"from friend");
        friend.await.unwrap();
    });
}

#[test]
fn a_partition_drops_datagrams() {
    Sim::new().seeds(10).run(|| async {
        let got = numbered_datagrams_with(20, || net::partition("main", "sender")).await;
        assert!(
            got.is_empty(),
            "{} datagrams crossed a partition",
            got.len()
        );
    });
}

#[test]
fn an_oversized_datagram_is_rejected() {
    Sim::new().run(|| async {
        let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let huge = vec![0; 65_508];
        assert_err_kind(
            socket.send_to(&huge, "main:9").await,
            ErrorKind::InvalidInput,
        );
    });
}
