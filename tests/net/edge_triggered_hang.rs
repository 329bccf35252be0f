//! An edge-triggered reader that stops before WouldBlock hangs when no
//! more data comes, and detsim says why.

use detsim::io::{DuplexStream, duplex};
use detsim::kernel::{Interest, Trigger};
use detsim::{FailureKind, Faults, Sim, task};

/// Reads one small chunk per readiness event: the classic EPOLLET bug.
async fn read_one_chunk_per_event(stream: &DuplexStream, want: usize) -> Vec<u8> {
    let reg = stream.source().register(Interest::READABLE, Trigger::Edge);
    let mut got = Vec::new();
    while got.len() < want {
        reg.ready().await;
        let mut chunk = [0u8; 16];
        match stream.try_read(&mut chunk) {
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("read failed: {e}"),
        }
    }
    got
}

#[test]
fn an_edge_triggered_reader_that_does_not_drain_is_reported_as_a_deadlock() {
    let failure = Sim::new()
        .faults(Faults::none())
        .try_run(|| async {
            let (client, server) = duplex(1024);
            task::Builder::new().name("reader").spawn(async move {
                let request = read_one_chunk_per_event(&server, 100).await;
                server.try_write(&request[..1]).unwrap();
            });
            // The peer sends everything at once, then waits for the answer.
            client.try_write(&[7u8; 100]).unwrap();
            let reg = client.source().register(Interest::READABLE, Trigger::Edge);
            reg.ready().await;
        })
        .expect_err("the reader should hang");
    let FailureKind::Deadlock { stuck } = &failure.failure.kind else {
        panic!("expected a deadlock, got {}", failure.failure.kind);
    };
    let reader = stuck
        .iter()
        .find(|s| s.task.name.as_deref() == Some("reader"))
        .expect("reader listed");
    assert!(
        reader
            .waits_on
            .contains("edge-triggered, last read did not reach WouldBlock"),
        "{}",
        reader.waits_on
    );
    assert!(
        failure.replay.contains("DETSIM_SEED=0x0"),
        "{}",
        failure.replay
    );
}

#[test]
fn the_same_reader_draining_to_would_block_completes() {
    Sim::new()
        .faults(Faults::default())
        .seeds(50)
        .run(|| async {
            let (client, server) = duplex(1024);
            let reader = detsim::spawn(async move {
                let reg = server.source().register(Interest::READABLE, Trigger::Edge);
                let mut got = Vec::new();
                while got.len() < 100 {
                    reg.ready().await;
                    loop {
                        let mut chunk = [0u8; 16];
                        match server.try_read(&mut chunk) {
                            Ok(0) => break,
                            Ok(n) => got.extend_from_slice(&chunk[..n]),
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                            Err(e) => panic!("read failed: {e}"),
                        }
                    }
                }
                got
            });
            let mut sent = 0;
            while sent < 100 {
                sent += client.try_write(&[7u8; 100][sent..]).unwrap();
            }
            assert_eq!(reader.await.unwrap(), vec![7u8; 100]);
        });
}

#[test]
fn an_edge_triggered_reader_that_never_reads_to_eof_is_told_the_fin_came() {
    let failure = Sim::new()
        .faults(Faults::none())
        .try_run(|| async {
            let (client, server) = duplex(1024);
            task::Builder::new().name("reader").spawn(async move {
                // Waits for the request's end, but reads once per event:
                // the data and the FIN arrive together, one edge.
                let reg = server.source().register(Interest::READABLE, Trigger::Edge);
                loop {
                    reg.ready().await;
                    let mut chunk = [0u8; 64];
                    match server.try_read(&mut chunk) {
                        Ok(0) => break,
                        Ok(_) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                        Err(e) => panic!("read failed: {e}"),
                    }
                }
                server.try_write(b"done").unwrap();
            });
            client.try_write(&[7u8; 10]).unwrap();
            client.shutdown_write();
            let reg = client.source().register(Interest::READABLE, Trigger::Edge);
            reg.ready().await;
        })
        .expect_err("the reader should hang");
    let FailureKind::Deadlock { stuck } = &failure.failure.kind else {
        panic!("expected a deadlock, got {}", failure.failure.kind);
    };
    let reader = stuck
        .iter()
        .find(|s| s.task.name.as_deref() == Some("reader"))
        .expect("reader listed");
    assert!(
        reader
            .waits_on
            .contains("edge-triggered, read-closed, never read to EOF"),
        "{}",
        reader.waits_on
    );
}
