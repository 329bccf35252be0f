//! A UDP client that sends each request once and waits for its answer.
//!
//! UDP may lose any datagram, but the default plan configures no packet
//! loss (an environment fault, `Faults::default()`: 1%). What loses
//! datagrams here is the scenario: the test restarts the server at a
//! seeded time, as a deployment or a crash does, and the simulated
//! network drops datagrams to a host that is down, as a real one drops
//! them at a closed port. A request in flight then, or sent while the
//! server is down, gets no answer; the fixed client retransmits after a
//! timeout.

use detsim::net::{self, UdpSocket};
use detsim::time::{Duration, sleep, timeout};

/// Requests the client sends, one at a time.
const REQUESTS: u32 = 10;

/// A server echoing each request's id; a client sending [`REQUESTS`]
/// requests; the server restarted once at a seeded time within the
/// client's first couple of milliseconds.
pub async fn udp_without_retransmission(fixed: bool) {
    let server = net::host("server", || async {
        let socket = UdpSocket::bind("0.0.0.0:53").await?;
        let mut buf = [0; 4];
        loop {
            let (n, from) = socket.recv_from(&mut buf).await?;
            socket.send_to(&buf[..n], from).await?;
        }
        #[allow(unreachable_code)]
        std::io::Result::Ok(())
    });
    detsim::spawn(async move {
        sleep(Duration::from_micros(detsim::rand::random_range(0..2_000))).await;
        server.crash();
        sleep(Duration::from_millis(1)).await;
        server.restart();
    });
    net::client("client", async move {
        let socket = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        let mut buf = [0; 4];
        for id in 0..REQUESTS {
            let request = id.to_be_bytes();
            loop {
                socket.send_to(&request, "server:53").await.unwrap();
                if !fixed {
                    // BUG: if the request or its answer is lost, this
                    // waits forever.
                    socket.recv(&mut buf).await.unwrap();
                    assert_eq!(buf, request, "the answer to another request");
                    break;
                }
                // Wait a while for this request's answer (skipping late
                // answers to earlier ones), then send it again.
                let answered = timeout(Duration::from_millis(5), async {
                    while socket.recv(&mut buf).await.unwrap() != 4 || buf != request {}
                })
                .await;
                if answered.is_ok() {
                    break;
                }
            }
        }
    })
    .await
    .unwrap();
}
