//! The trace digest covers the network: the same seed gives the same
//! digest with every network fault on, and network decisions change it.

use detsim::net::{self, LinkConfig, TcpListener, TcpStream, UdpSocket};
use detsim::time::{Duration, sleep, timeout};
use detsim::{Config, Faults, Runtime, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

/// TCP and UDP traffic between three hosts, tolerant of chaos faults (it
/// ignores errors), so the nemesis, resets and loss all get to act.
async fn network_workload(slow_link: bool) {
    net::host("server", || async {
        let listener = TcpListener::bind("0.0.0.0:7").await?;
        loop {
            let (conn, _) = listener.accept().await?;
            spawn(async move {
                let (mut r, mut w) = conn.into_split();
                let _ = futures::io::copy(&mut r, &mut w).await;
            });
        }
        #[allow(unreachable_code)]
        std::io::Result::Ok(())
    });
    let udp = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
    let client = net::client("client", async {
        let out = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        for round in 0..20u8 {
            let _ = out.send_to(&[round; 32], "main:5000").await;
            if let Ok(Ok(mut conn)) =
                timeout(Duration::from_millis(500), TcpStream::connect("server:7")).await
            {
                let _ = conn.write_all(&[round; 3000]).await;
                let mut buf = vec![0; 3000];
                let _ = timeout(Duration::from_millis(500), conn.read_exact(&mut buf)).await;
            }
            sleep(Duration::from_millis(100)).await;
        }
    });
    if slow_link {
        net::set_link(
            "client",
            "server",
            LinkConfig::latency(Duration::from_millis(1), Duration::from_millis(2)),
        );
    }
    let mut buf = [0; 64];
    while timeout(Duration::from_secs(1), udp.recv_from(&mut buf))
        .await
        .is_ok()
    {}
    client.await.unwrap();
}

fn chaos_digest(seed: u64, slow_link: bool) -> u64 {
    let mut config = Config::default();
    config.faults = Faults::chaos();
    let rt = Runtime::with_config(seed, config);
    rt.block_on(network_workload(slow_link));
    rt.digest()
}

#[test]
fn the_same_seed_gives_the_same_digest_with_chaos_network_faults() {
    for seed in [0, 1, 0x5eed] {
        assert_eq!(
            chaos_digest(seed, false),
            chaos_digest(seed, false),
            "seed {seed:#x} gave two digests"
        );
    }
    assert_ne!(chaos_digest(0, false), chaos_digest(1, false));
}

#[test]
fn a_network_setting_changes_the_digest() {
    assert_ne!(
        chaos_digest(3, false),
        chaos_digest(3, true),
        "link latencies must be part of the trace"
    );
}

#[test]
fn the_determinism_check_passes_a_network_workload_under_chaos() {
    Sim::new()
        .faults(Faults::chaos())
        .seeds(20)
        .check_determinism(true)
        .run(|| network_workload(false));
}
