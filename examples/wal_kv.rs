//! A tiny write-ahead-log key-value store, and the crash-recovery check
//! that proves it keeps every acknowledged put, over 1,000 seeds.
//!
//! A put appends one record (`len | checksum | key_len | key | value`) to
//! `/wal`, fsyncs it, and only then acknowledges. Recovery replays the log
//! from the start and stops at the first record that is short or fails its
//! checksum (a torn or lost tail). The check: a client on node `db` does
//! random puts; the test crashes the node at a random virtual time,
//! recovers on the same node, and requires every acknowledged put (or a
//! later put of the same key) to be there.
//!
//! The buggy variant acknowledges before the fsync. The sweep catches it
//! and prints the failing seed, the faults injected in that run and the
//! line that replays it.
//!
//! `cargo run --example wal_kv` runs both sweeps;
//! `DETSIM_SEED=0x.. cargo run --example wal_kv -- --buggy` replays one seed.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;

use detsim::fs::{self, File, OpenOptions};
use detsim::task::Builder;
use detsim::time::{Duration, sleep};
use detsim::{Faults, Sim, node};

fn checksum(bytes: &[u8]) -> u64 {
    // FNV-1a: enough to tell a torn record from a whole one.
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn encode(key: &str, value: &str) -> Vec<u8> {
    let mut body = (key.len() as u16).to_le_bytes().to_vec();
    body.extend_from_slice(key.as_bytes());
    body.extend_from_slice(value.as_bytes());
    let mut rec = (body.len() as u32).to_le_bytes().to_vec();
    rec.extend_from_slice(&checksum(&body).to_le_bytes());
    rec.extend_from_slice(&body);
    rec
}

/// The next whole record at the start of `log`: `(key, value, length)`.
fn decode(log: &[u8]) -> Option<(String, String, usize)> {
    let len = u32::from_le_bytes(log.get(..4)?.try_into().ok()?) as usize;
    let sum = u64::from_le_bytes(log.get(4..12)?.try_into().ok()?);
    let body = log.get(12..12 + len)?;
    if len < 2 || checksum(body) != sum {
        return None;
    }
    let key_len = u16::from_le_bytes([body[0], body[1]]) as usize;
    let key = String::from_utf8(body.get(2..2 + key_len)?.to_vec()).ok()?;
    let value = String::from_utf8(body[2 + key_len..].to_vec()).ok()?;
    Some((key, value, 12 + len))
}

struct Wal {
    file: File,
    /// Where the next record goes: the end of the durable, valid log.
    end: u64,
    map: BTreeMap<String, String>,
    buggy: bool,
}

impl Wal {
    /// Opens (creating) the log and replays it.
    async fn open(buggy: bool) -> io::Result<Wal> {
        let created = !fs::try_exists("/wal").await?;
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .open("/wal")
            .await?;
        if created {
            // The name must be durable before any put is acknowledged. A
            // failed directory fsync drops the entry for good: give up.
            fs::sync_dir("/").await?;
        }
        let len = file.metadata().await?.len();
        let log = read_retrying(&file, len).await?;
        let (mut map, mut end) = (BTreeMap::new(), 0);
        while let Some((k, v, n)) = decode(&log[end..]) {
            map.insert(k, v);
            end += n;
        }
        Ok(Wal {
            file,
            end: end as u64,
            map,
            buggy,
        })
    }

    /// Appends and (unless buggy) fsyncs; `Ok` means acknowledged.
    async fn put(&mut self, key: &str, value: &str) -> io::Result<()> {
        let rec = encode(key, value);
        let len = rec.len() as u64;
        // On any error `end` stays: the next record overwrites this one.
        self.file.write_all_at(rec, self.end).await.0?;
        if self.buggy {
            self.end += len;
            self.map.insert(key.into(), value.into());
            return Ok(()); // BUG: acknowledged while only in the page cache
        }
        self.file.sync_all().await?;
        self.end += len;
        self.map.insert(key.into(), value.into());
        Ok(())
    }
}

/// Reads `len` bytes, retrying transient `EIO`s.
async fn read_retrying(file: &File, len: u64) -> io::Result<Vec<u8>> {
    let mut tries = 0;
    loop {
        match file.read_exact_at(vec![0; len as usize], 0).await {
            (Ok(()), buf) => return Ok(buf),
            (Err(_), _) if tries < 20 => tries += 1,
            (Err(e), _) => return Err(e),
        }
    }
}

/// One seed of the crash-recovery check.
async fn crash_recovery(buggy: bool) -> Result<(), String> {
    let db = node::create("db");
    // Per key, the sequence number of the last acknowledged put.
    let acked: Rc<RefCell<BTreeMap<String, u64>>> = Rc::default();
    let acks = Rc::clone(&acked);
    Builder::new().name("client").node(db).spawn(async move {
        let Ok(mut wal) = Wal::open(buggy).await else {
            return;
        };
        for seq in 0..40u64 {
            let key = format!("k{}", detsim::rand::random_range(0..8u32));
            if wal.put(&key, &seq.to_string()).await.is_ok() {
                acks.borrow_mut().insert(key, seq);
            }
        }
    });
    sleep(Duration::from_micros(detsim::rand::random_range(0..40_000))).await;
    node::crash(db);
    let recovered = Builder::new()
        .name("recovery")
        .node(db)
        .spawn(async { Wal::open(false).await.map(|w| w.map) })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("recovery failed: {e}"))?;
    for (key, &seq) in acked.borrow().iter() {
        let got = recovered.get(key).and_then(|v| v.parse::<u64>().ok());
        if got.is_none_or(|g| g < seq) {
            return Err(format!(
                "acknowledged put {key}={seq} lost: recovery has {key}={got:?}"
            ));
        }
    }
    Ok(())
}

fn sweep(buggy: bool) {
    let name = if buggy {
        "buggy (acks before fsync)"
    } else {
        "correct"
    };
    let result = Sim::new()
        .faults(Faults::default())
        .seeds(1000)
        .try_run(move || crash_recovery(buggy));
    match result {
        Ok(report) => println!(
            "{name}: {} seeds passed ({:.0} seeds/s)",
            report.runs.len(),
            report.seeds_per_second()
        ),
        Err(failure) => {
            let f = &failure.failure;
            println!(
                "{name}: seed {:#x} FAILED after {} seeds",
                f.seed, failure.seeds_run
            );
            println!("  error: {}", f.kind);
            println!(
                "  at t={} (virtual); faults injected ({}):",
                f.at,
                f.faults.len()
            );
            // Each rendered fault reads `t=.. FAULT <kind> on #<resource> (..)`.
            let mut by_kind: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
            for fault in &f.faults {
                let kind = fault.split_whitespace().nth(2).unwrap_or("?");
                by_kind.entry(kind).or_insert((0, fault)).0 += 1;
            }
            for (kind, (count, first)) in by_kind {
                println!("    {count:>3} x {kind:<20} first: {first}");
            }
            let flag = if buggy { " -- --buggy" } else { "" };
            println!(
                "  replay: DETSIM_SEED={:#x} cargo run --example wal_kv{flag}",
                f.seed
            );
        }
    }
}

fn main() {
    let buggy_only = std::env::args().any(|a| a == "--buggy");
    if !buggy_only {
        sweep(false);
    }
    sweep(true);
}
