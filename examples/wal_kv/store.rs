//! The write-ahead-log key-value store of the `wal_kv` example and its
//! crash-recovery check, shared with the `vs_tokio` benchmark (which times
//! one check per cycle).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;

use detsim::fs::{self, File, OpenOptions};
use detsim::node;
use detsim::task::Builder;
use detsim::time::{Duration, sleep};

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
pub async fn crash_recovery(buggy: bool) -> Result<(), String> {
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
