//! A slow connection (`NetFaults::slow_peer`) keeps TCP's promises: the
//! bytes arrive complete and in order both ways, through partitions that
//! drop segments, and the same seed gives the same run.

use std::io;

use detsim::net::{self, TcpListener, TcpStream};
use detsim::time::Duration;
use detsim::{Config, Faults, Probability, Runtime, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

/// Both directions at once, 16 KiB each, through a nemesis that drops
/// segments across partitions: what arrives is what was sent, in order.
async fn bulk_both_ways() {
    fn pattern(seed: u8) -> Vec<u8> {
        (0..16 * 1024u32)
            .map(|i| (i * 7 + u32::from(seed)) as u8)
            .collect()
    }
    net::host("sink", || async {
        let listener = TcpListener::bind("0.0.0.0:9").await?;
        loop {
            let (conn, _) = listener.accept().await?;
            spawn(async move {
                let (mut r, mut w) = conn.into_split();
                let writer = spawn(async move {
                    w.write_all(&pattern(2)).await?;
                    w.close().await
                });
                let mut got = Vec::new();
                r.read_to_end(&mut got).await?;
                assert!(got == pattern(1), "the server got damaged bytes");
                writer.await.unwrap()
            });
        }
        #[allow(unreachable_code)]
        io::Result::Ok(())
    });
    let conn = TcpStream::connect("sink:9").await.unwrap();
    let (mut r, mut w) = conn.into_split();
    let writer = spawn(async move {
        w.write_all(&pattern(1)).await.unwrap();
        w.close().await.unwrap();
    });
    let mut got = Vec::new();
    r.read_to_end(&mut got).await.unwrap();
    assert!(got == pattern(2), "the client got damaged bytes");
    writer.await.unwrap();
}

/// Chaos with every connection slow, minus what a TCP transfer does not
/// survive unaided (resets, crashed hosts); partitions stay.
fn slow_and_lossy() -> Faults {
    let mut plan = Faults::chaos();
    plan.net.slow_peer = Probability::ALWAYS;
    plan.net.connection_reset = Probability::NEVER;
    plan.net.host_crash = Probability::NEVER;
    plan
}

#[test]
fn bytes_arrive_complete_and_in_order_under_trickle_and_partitions() {
    let report = Sim::new()
        .faults(slow_and_lossy())
        .seeds(20)
        .run(bulk_both_ways);
    // Virtual time shows the trickle: 16 KiB in segments of a few bytes.
    let slowest = report.runs.iter().map(|r| r.end).max().unwrap();
    assert!(
        slowest.duration_since(detsim::time::Instant::ZERO) > Duration::from_millis(100),
        "{slowest}"
    );
}

#[test]
fn the_same_seed_gives_the_same_digest_with_slow_peers() {
    let digest = |plan: &Faults, seed| {
        let mut config = Config::default();
        config.faults = plan.clone();
        let rt = Runtime::with_config(seed, config);
        rt.block_on(bulk_both_ways());
        rt.digest()
    };
    let slow = slow_and_lossy();
    for seed in [0, 1, 0x5eed] {
        assert_eq!(digest(&slow, seed), digest(&slow, seed), "seed {seed:#x}");
    }
    let mut normal = slow.clone();
    normal.net.slow_peer = Probability::NEVER;
    assert_ne!(
        digest(&slow, 0),
        digest(&normal, 0),
        "slow segments are traced"
    );
    Sim::new()
        .faults(slow)
        .seeds(10)
        .check_determinism_bytes(true)
        .run(bulk_both_ways);
}
