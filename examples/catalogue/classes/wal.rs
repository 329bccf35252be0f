//! Write-ahead logs that lose or invent data at a crash: a store that
//! acknowledges a put before its fsync (the `wal_kv` example's buggy
//! variant), and a group-commit log whose recovery trusts a record's
//! length prefix without a checksum.
//!
//! The test crashes the node at seeded times: the crash is the scenario,
//! as in any crash-recovery test, and no environment fault is
//! configured. Under the default plan a crash keeps exactly what was
//! fsynced, and nothing tears a write; the torn record here comes from
//! legal behaviour instead: a write completes short (a CQE may report
//! fewer bytes than asked), `write_all_at` submits the rest, and the
//! group commit's fsync lands between the two pieces. That leaves a torn
//! tail on the media at about one crash in twelve, so the log is crashed
//! five times per run, each time while it appends.

use std::cell::Cell;
use std::rc::Rc;

use detsim::fs::{self, File, OpenOptions};
use detsim::node;
use detsim::task::Builder;
use detsim::time::{Duration, sleep};

#[path = "../../wal_kv/store.rs"]
mod store;

/// The `wal_kv` store's crash-recovery check: puts on node `db`, a crash
/// at a seeded time, then every acknowledged put must be recovered. The
/// buggy store acknowledges a put before its fsync.
pub async fn ack_before_fsync(fixed: bool) {
    if let Err(e) = store::crash_recovery(!fixed).await {
        panic!("{e}");
    }
}

/// The log's preallocated size: like Postgres' and etcd's segments, the
/// file is zero-filled up front, so appending never changes its length
/// and a record's tail that never reached the media reads as zeros.
const SEGMENT_BYTES: u64 = 32 * 1024;
/// Records appended per boot of the node.
const RECORDS_PER_BOOT: u32 = 50;
/// Crashes per run: each is one more chance for a torn tail.
const CRASHES: u32 = 5;

fn checksum(bytes: &[u8]) -> u64 {
    // FNV-1a: enough to tell a torn record from a whole one.
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Record `seq`'s body: what recovery must find, byte for byte.
fn body(seq: u32) -> Vec<u8> {
    format!("set k{} = value of record {seq}", seq % 8).into_bytes()
}

/// `len: u32 | checksum: u64 | body`.
fn record(seq: u32) -> Vec<u8> {
    let body = body(seq);
    let mut rec = (body.len() as u32).to_le_bytes().to_vec();
    rec.extend_from_slice(&checksum(&body).to_le_bytes());
    rec.extend_from_slice(&body);
    rec
}

/// The bodies of the records at the start of `log`, and where they end:
/// up to a zero length (the end), one that runs past the segment, or
/// (`verify`) one whose checksum fails, a torn tail.
fn replay(log: &[u8], verify: bool) -> (Vec<Vec<u8>>, u64) {
    let (mut bodies, mut at) = (Vec::new(), 0);
    while let Some(header) = log.get(at..at + 12) {
        let len = u32::from_le_bytes(header[..4].try_into().unwrap()) as usize;
        let sum = u64::from_le_bytes(header[4..].try_into().unwrap());
        let Some(body) = log.get(at + 12..at + 12 + len).filter(|_| len > 0) else {
            break;
        };
        // BUG (unless verify): a length prefix that reached the media
        // says nothing about the bytes after it.
        if verify && checksum(body) != sum {
            break;
        }
        bodies.push(body.to_vec());
        at += 12 + len;
    }
    (bodies, at as u64)
}

/// Opens the log, zero-filling the segment (durable name and all) if a
/// crash came before that was done, and replays it.
async fn open(verify: bool) -> std::io::Result<(File, u32, u64)> {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .open("/wal")
        .await?;
    if f.metadata().await?.len() < SEGMENT_BYTES {
        f.set_len(SEGMENT_BYTES).await?;
        f.sync_all().await?;
        fs::sync_dir("/").await?;
    }
    let (bodies, end) = replay(&fs::read("/wal").await?, verify);
    Ok((f, bodies.len() as u32, end))
}

/// One boot of the log on node `db`: recover, then append
/// [`RECORDS_PER_BOOT`] records with `write_all_at` while a group-commit
/// task fsyncs what was written and acknowledges the records that were
/// whole before its fsync began.
async fn boot(verify: bool, acked: Rc<Cell<u32>>) {
    let Ok((f, first, mut end)) = open(verify).await else {
        return;
    };
    let last = first + RECORDS_PER_BOOT;
    let (f, whole) = (Rc::new(f), Rc::new(Cell::new(first)));
    let (log, written) = (Rc::clone(&f), Rc::clone(&whole));
    Builder::new().name("group commit").spawn(async move {
        while acked.get() < last {
            let whole = written.get();
            if f.sync_all().await.is_err() {
                return;
            }
            // What was whole before the fsync began is durable now.
            acked.set(acked.get().max(whole));
            sleep(Duration::from_micros(100)).await;
        }
    });
    for seq in first..last {
        let rec = record(seq);
        let len = rec.len() as u64;
        if log.write_all_at(rec, end).await.0.is_err() {
            return;
        }
        end += len;
        whole.set(seq + 1);
    }
}

/// The log on node `db`, crashed [`CRASHES`] times at seeded moments
/// while it appends; after each crash, recovery must return only records
/// that were written, and every acknowledged one.
pub async fn torn_record_without_checksum(fixed: bool) {
    let db = node::create("db");
    let acked = Rc::new(Cell::new(0u32));
    for _ in 0..CRASHES {
        let acks = Rc::clone(&acked);
        Builder::new().name("log").node(db).spawn(boot(fixed, acks));
        // Crash while it appends: once this boot acknowledged a record
        // (or after 10 ms), within the next 3 ms.
        let before = acked.get();
        for _ in 0..200 {
            if acked.get() != before {
                break;
            }
            sleep(Duration::from_micros(50)).await;
        }
        sleep(Duration::from_micros(detsim::rand::random_range(0..3_000))).await;
        node::crash(db);
        let bodies = Builder::new()
            .name("recovery")
            .node(db)
            .spawn(async move {
                let log = fs::read("/wal").await.unwrap_or_default();
                replay(&log, fixed).0
            })
            .await
            .unwrap();
        for (seq, got) in (0..).zip(&bodies) {
            assert_eq!(
                String::from_utf8_lossy(got),
                String::from_utf8_lossy(&body(seq)),
                "recovery returned a record that was never written (a torn one)"
            );
        }
        assert!(
            bodies.len() as u32 >= acked.get(),
            "{} records acknowledged, {} recovered",
            acked.get(),
            bodies.len()
        );
    }
}
