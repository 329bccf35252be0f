//! The classic EPOLLET bug: a reader registered edge-triggered that takes
//! one chunk per readiness event and goes back to waiting before a read
//! has said `WouldBlock`.
//!
//! Edge-triggered readiness is reported when the resource becomes
//! readable, not while it stays readable. A reader that leaves bytes
//! behind waits for an edge that only new data would bring; when the
//! writer has sent everything and waits for the answer, nobody moves.
//! Whether bytes are left behind depends on how the writes and the reads
//! interleave (the seeded schedule) and on short reads (legal behaviour).
//! Shared with `examples/edge_triggered_bug.rs`, which walks through the
//! deadlock report.

use std::io::ErrorKind;

use detsim::io::{DuplexStream, duplex};
use detsim::kernel::{Interest, Trigger};
use detsim::task;

/// The writer sends this many messages...
pub const MESSAGES: usize = 10;
/// ...of this many bytes each, yielding between them.
pub const MESSAGE_BYTES: usize = 10;
/// What the reader asks for per `try_read`: more than one message, so a
/// reader that keeps up never leaves bytes behind, and one that falls
/// behind (two messages arrived before it ran) does.
pub const CHUNK_BYTES: usize = 16;
const TOTAL_BYTES: usize = MESSAGES * MESSAGE_BYTES;

/// The bug: one `try_read` per readiness event.
async fn read_one_chunk_per_event(stream: &DuplexStream) -> Vec<u8> {
    let reg = stream.source().register(Interest::READABLE, Trigger::Edge);
    let mut got = Vec::new();
    while got.len() < TOTAL_BYTES {
        reg.ready().await;
        let mut chunk = [0u8; CHUNK_BYTES];
        match stream.try_read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
            Err(e) => panic!("read failed: {e}"),
        }
        // BUG: back to waiting for an edge, though bytes may be left.
    }
    got
}

/// The fix: after every event, read until `WouldBlock` (or EOF); only then
/// is the next edge guaranteed to come with the next data.
async fn read_until_would_block(stream: &DuplexStream) -> Vec<u8> {
    let reg = stream.source().register(Interest::READABLE, Trigger::Edge);
    let mut got = Vec::new();
    while got.len() < TOTAL_BYTES {
        reg.ready().await;
        loop {
            let mut chunk = [0u8; CHUNK_BYTES];
            match stream.try_read(&mut chunk) {
                Ok(0) => return got,
                Ok(n) => got.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => panic!("read failed: {e}"),
            }
        }
    }
    got
}

/// Writes all of `data`, retrying partial writes and `Interrupted`.
async fn write_all(stream: &DuplexStream, mut data: &[u8]) {
    while !data.is_empty() {
        match stream.try_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {
                task::yield_now().await;
            }
            Err(e) => panic!("write failed: {e}"),
        }
    }
}

/// One seed: a writer sends [`MESSAGES`] messages, yielding between them,
/// while a task named `reader` collects them (one chunk per event, or,
/// `fixed`, until `WouldBlock`); then the writer waits for the reader's
/// answer.
pub async fn edge_triggered_not_drained(fixed: bool) {
    let (client, server) = duplex(1024);
    let reader = task::Builder::new().name("reader").spawn(async move {
        if fixed {
            read_until_would_block(&server).await
        } else {
            read_one_chunk_per_event(&server).await
        }
    });
    for i in 0..MESSAGES {
        write_all(&client, &[i as u8; MESSAGE_BYTES]).await;
        task::yield_now().await;
    }
    let got = reader.await.expect("reader task");
    let sent: Vec<u8> = (0..MESSAGES)
        .flat_map(|i| [i as u8; MESSAGE_BYTES])
        .collect();
    assert_eq!(got, sent);
}
