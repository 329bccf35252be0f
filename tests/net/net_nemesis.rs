//! The fault plan's nemesis: it crashes and partitions hosts under
//! `Faults::chaos()`, a client that tolerates both still finishes, and
//! once the nemesis stops (`nemesis_until`) a stuck body is reported as a
//! deadlock instead of being hidden by its faults.

use detsim::net::{self, TcpStream};
use detsim::time::{Duration, sleep, timeout};
use detsim::{FailureKind, FaultKind, Faults, Sim};
use futures::AsyncReadExt;

use super::net_partitions::{ping, pong_host};

/// A client that tolerates everything the nemesis does: it reconnects and
/// retries until `pings` exchanges succeeded.
async fn tolerant_client(pings: usize) -> usize {
    let mut done = 0;
    let mut attempts = 0;
    while done < pings {
        attempts += 1;
        let Ok(Ok(mut conn)) =
            timeout(Duration::from_secs(1), TcpStream::connect("server:7")).await
        else {
            sleep(Duration::from_millis(100)).await;
            continue;
        };
        while done < pings {
            match timeout(Duration::from_secs(1), ping(&mut conn)).await {
                Ok(Ok(())) => done += 1,
                _ => break,
            }
            sleep(Duration::from_millis(50)).await;
        }
    }
    attempts
}

#[test]
fn the_nemesis_does_not_break_a_client_that_tolerates_partitions_and_crashes() {
    let report = Sim::new().faults(Faults::chaos()).seeds(30).run(|| async {
        pong_host("server");
        pong_host("other");
        let clients: Vec<_> = (0..3)
            .map(|i| net::client(&format!("client-{i}"), tolerant_client(100)))
            .collect();
        for c in clients {
            c.await.unwrap();
        }
    });
    assert_eq!(report.runs.len(), 30);
}

#[test]
fn the_nemesis_crashes_and_partitions_hosts_under_chaos() {
    let rt = detsim::Runtime::with_config(7, {
        let mut config = detsim::Config::default();
        config.faults = Faults::chaos();
        config.record_all_events = true;
        config
    });
    rt.block_on(async {
        pong_host("server");
        pong_host("other");
        net::client("c", tolerant_client(300)).await.unwrap();
    });
    let events = rt.take_events().expect("recorded");
    let count = |kind: FaultKind| {
        events
            .iter()
            .filter(
                |e| matches!(e.kind, detsim::trace::EventKind::Fault { kind: k, .. } if k == kind),
            )
            .count()
    };
    assert!(count(FaultKind::Partition) > 0, "no partition in the trace");
    assert!(
        count(FaultKind::HostCrash) > 0,
        "no host crash in the trace"
    );
}

#[test]
fn the_nemesis_stops_at_nemesis_until_so_a_stuck_body_is_reported_as_a_deadlock() {
    let faults = Faults::chaos();
    let until = faults.net.nemesis_until;
    let failure = Sim::new()
        .faults(faults)
        .seeds(5)
        .try_run(|| async {
            pong_host("server");
            let mut conn = TcpStream::connect("server:7").await.unwrap();
            // Waits for bytes the server never sends.
            let mut buf = [0; 1];
            let _ = conn.read(&mut buf).await;
            // A crash may have ended the read: then wait forever anyway.
            std::future::pending::<()>().await;
        })
        .expect_err("a body that waits forever must fail");
    assert!(
        matches!(failure.failure.kind, FailureKind::Deadlock { .. }),
        "expected a deadlock, got {}",
        failure.failure.kind
    );
    // The deadlock is reported when it became certain (the last poll);
    // the run itself goes on until the nemesis stops, and no longer.
    let last_event_ms = failure
        .failure
        .recent_events
        .last()
        .map(|e| e.event().at.since_start().as_secs_f64() * 1e3)
        .expect("the report shows the run's last event");
    let until_ms = until.as_secs_f64() * 1e3;
    assert!(
        last_event_ms >= until_ms,
        "the nemesis should run until {until:?}, last event at {last_event_ms}ms"
    );
    assert!(
        last_event_ms < until_ms + 5e3,
        "the run went on long after the nemesis stopped: {last_event_ms}ms"
    );
}
