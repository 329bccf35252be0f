//! Golden replay values: the trace digests of a few seeds of three
//! scenarios (the executor alone, a network under faults, a disk that
//! crashes) and the replay strings of a shrunk failure, pinned in
//! `tests/golden/replay.txt`. A change to scheduling, to a fault stream, or
//! to what an IO path records changes these values: the test fails, and
//! the change is visible in review as a diff of that file.
//!
//! When the change is deliberate, bless the new values and commit them:
//!
//! ```text
//! DETSIM_BLESS=1 cargo test -p detsim --test golden_replay
//! ```

mod common;

use std::path::PathBuf;

use common::{is_child, run_child};
use detsim::fs::{self, File};
use detsim::net::{self, TcpListener, TcpStream, UdpSocket};
use detsim::task::{Builder, yield_now};
use detsim::time::{Duration, sleep, timeout};
use detsim::{Config, Faults, Probability, Runtime, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

/// Seeds pinned per scenario.
const SEEDS: std::ops::Range<u64> = 0..4;

/// Spawns, sleeps, yields, timeouts and user randomness; no IO.
async fn executor_scenario() {
    let workers: Vec<_> = (0..5)
        .map(|n| {
            Builder::new().name(&format!("w{n}")).spawn(async move {
                sleep(Duration::from_micros(detsim::rand::random_range(0..3_000))).await;
                yield_now().await;
                let inner = spawn(async { detsim::rand::random::<u8>() });
                let slow = sleep(Duration::from_millis(u64::from(inner.await.unwrap()) / 8));
                timeout(Duration::from_millis(16), slow).await.is_ok()
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
}

/// An echo server on one host and two clients on others, under the
/// default network faults; errors are part of the outcome, not failures.
async fn net_scenario() -> Vec<String> {
    net::host("server", || async {
        let listener = TcpListener::bind("0.0.0.0:7").await?;
        loop {
            let (conn, _) = listener.accept().await?;
            spawn(async move {
                let (mut r, mut w) = conn.into_split();
                futures::io::copy(&mut r, &mut w).await?;
                w.close().await?;
                std::io::Result::Ok(())
            });
        }
        #[allow(unreachable_code)]
        std::io::Result::Ok(())
    });
    let clients: Vec<_> = (0..2)
        .map(|n| {
            net::client(&format!("client{n}"), async move {
                let mut conn = TcpStream::connect("server:7").await?;
                let msg = vec![n as u8; 3_000];
                conn.write_all(&msg).await?;
                let mut back = vec![0; msg.len()];
                conn.read_exact(&mut back).await?;
                std::io::Result::Ok(back == msg)
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for c in clients {
        outcomes.push(match timeout(Duration::from_secs(5), c).await {
            Ok(Ok(Ok(same))) => format!("echoed:{same}"),
            Ok(Ok(Err(e))) => format!("{:?}", e.kind()),
            Ok(Err(e)) => format!("join:{e}"),
            Err(_) => "timed-out".to_string(),
        });
    }
    outcomes
}

/// Writes, fsyncs some of it, crashes the disk and reads what survived.
async fn fs_scenario() -> usize {
    fs::create_dir_all("/db").await.unwrap();
    let wal = File::create("/db/wal").await.unwrap();
    let (res, _) = wal.write_all_at(vec![1; 6_000], 0).await;
    res.unwrap();
    wal.sync_all().await.unwrap();
    fs::sync_dir("/db").await.unwrap();
    fs::sync_dir("/").await.unwrap();
    let (res, _) = wal.write_all_at(vec![2; 9_000], 6_000).await;
    res.unwrap();
    fs::write("/db/tmp", b"unsynced").await.unwrap();
    fs::rename("/db/tmp", "/db/current").await.unwrap();
    fs::crash();
    let wal = fs::read("/db/wal").await.map_or(0, |d| d.len());
    let current = fs::read("/db/current").await.map_or(0, |d| d.len());
    wal + current
}

/// The digest line of `seed` under `faults`.
fn digest_line<T: std::fmt::Debug>(
    scenario: &str,
    seed: u64,
    faults: Faults,
    body: impl Future<Output = T>,
) -> String {
    let mut config = Config::default();
    config.faults = faults;
    let rt = Runtime::with_config(seed, config);
    let out = rt.block_on(body);
    format!(
        "{scenario} seed={seed:#x} digest={:#018x} events={} end={} out={out:?}",
        rt.digest(),
        rt.trace_len(),
        rt.now()
    )
}

/// Sends 20 datagrams and fails when #3 and #11 are both lost (as in
/// tests/workflow_shrink.rs): its replay strings pin the loss stream.
async fn loses_three_and_eleven() {
    let socket = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
    net::client("sender", async move {
        let out = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        for i in 0..20u32 {
            out.send_to(&i.to_be_bytes(), "main:5000").await.unwrap();
        }
    });
    let mut got = Vec::new();
    let mut buf = [0; 4];
    while let Ok(r) = timeout(Duration::from_secs(1), socket.recv_from(&mut buf)).await {
        r.unwrap();
        got.push(u32::from_be_bytes(buf));
    }
    assert!(got.contains(&3) || got.contains(&11), "3 and 11 lost");
}

/// Every golden line, in file order.
fn golden_lines() -> Vec<String> {
    let mut lines = Vec::new();
    for seed in SEEDS {
        lines.push(digest_line(
            "executor",
            seed,
            Faults::none(),
            executor_scenario(),
        ));
    }
    for seed in SEEDS {
        lines.push(digest_line("net", seed, Faults::default(), net_scenario()));
    }
    for seed in SEEDS {
        let mut faults = Faults::default();
        faults.disk.read_error = Probability::NEVER;
        faults.disk.write_error = Probability::NEVER;
        faults.disk.fsync_error = Probability::NEVER;
        lines.push(digest_line("fs", seed, faults, fs_scenario()));
    }
    let mut lossy = Faults::none();
    lossy.net.packet_loss = Probability::new(0.4).unwrap();
    let failure = Sim::new()
        .faults(lossy)
        .seeds(200)
        .jobs(1)
        .try_run(loses_three_and_eleven)
        .expect_err("some seed loses both datagrams");
    let shrunk = failure
        .shrunk
        .as_ref()
        .expect("a run with faults is shrunk");
    lines.push(format!(
        "shrink seed={:#x} digest={:#018x} replay={} faults={}",
        failure.failure.seed,
        failure.failure.digest,
        shrunk.replay_string,
        shrunk.faults.len()
    ));
    lines
}

#[test]
#[ignore = "run as a child process by golden_replay_values_are_unchanged"]
fn child_prints_the_golden_lines() {
    if !is_child() {
        return;
    }
    for line in golden_lines() {
        println!("golden: {line}");
    }
}

fn golden_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/replay.txt")
}

const HEADER: &str = "\
# Golden replay values, checked by tests/golden_replay.rs. A change here
# means scheduling, a fault stream or what an IO path records changed.
# If that was meant: DETSIM_BLESS=1 cargo test -p detsim --test golden_replay
";

#[test]
fn golden_replay_values_are_unchanged() {
    // A child process without any DETSIM_* variable: the values must not
    // depend on how this test was started.
    let child = run_child("child_prints_the_golden_lines", &[]);
    assert!(child.success, "the scenarios failed:\n{}", child.all());
    let actual: Vec<&str> = child
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("golden: "))
        .collect();
    let path = golden_file();
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    let expected: Vec<&str> = stored
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect();
    if actual == expected {
        return;
    }
    if std::env::var_os("DETSIM_BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("{HEADER}{}\n", actual.join("\n"))).unwrap();
        eprintln!(
            "golden_replay: blessed {} lines into {}",
            actual.len(),
            path.display()
        );
        return;
    }
    let diff: Vec<String> = (0..actual.len().max(expected.len()))
        .filter(|&i| actual.get(i) != expected.get(i))
        .map(|i| {
            format!(
                "  stored: {}\n  now:    {}",
                expected.get(i).unwrap_or(&"(none)"),
                actual.get(i).unwrap_or(&"(none)")
            )
        })
        .collect();
    panic!(
        "golden replay values changed ({}):\n{}\n\nIf the change to scheduling or the fault \
         streams is deliberate, bless it and commit the file:\n    \
         DETSIM_BLESS=1 cargo test -p detsim --test golden_replay",
        path.display(),
        diff.join("\n")
    );
}
