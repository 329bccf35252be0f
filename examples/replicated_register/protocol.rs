//! A small replicated key-value store over `detsim::net` TCP, and the
//! property-test case that checks it: every acknowledged write is read back
//! after any schedule of replica crashes and network partitions.
//!
//! Shared by `examples/replicated_register/main.rs` and
//! `tests/workflow/workflow_replicated_register.rs`.
//!
//! **Replicas** (`r0`, `r1`, `r2`) keep, per key, the highest
//! `(version, value)` they have seen, durably: one 16-byte slot per key in
//! `/kv` on their own simulated disk, written and fsynced (under a lock, so
//! two writes to a slot cannot reach the disk out of order) before the
//! write is acknowledged. A restarted replica reloads `/kv`; a crash keeps
//! exactly what was fsynced.
//!
//! **The client** (on `main`) is the only writer: it gives each write the
//! next version, sends it to all three replicas over fresh connections and
//! counts the write acknowledged once a majority (2 of 3) confirmed within
//! [`OP_TIMEOUT`]. A read asks all three and takes the highest version
//! among a majority of replies. Any write majority and any read majority
//! share a replica, so a read sees every acknowledged write.
//!
//! [`Variant::AckAfterOne`] is the deliberate bug: it acknowledges a write
//! once one replica confirmed.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use detsim::fs::{self, File, OpenOptions};
use detsim::net::{self, HostHandle, TcpListener, TcpStream};
use detsim::time::{Duration, Instant, sleep, sleep_until, timeout};
use detsim::{FaultKind, Faults, Probability};
use futures::channel::mpsc;
use futures::lock::Mutex;
use futures::{AsyncReadExt, AsyncWriteExt, StreamExt};
use proptest::prelude::*;

/// The replica hosts.
pub const REPLICAS: [&str; 3] = ["r0", "r1", "r2"];
/// The hosts a partition can separate: the client (the test body's host,
/// `main`) and the replicas.
pub const HOSTS: [&str; 4] = ["main", "r0", "r1", "r2"];
/// Keys `k0`..`k2`.
pub const KEYS: usize = 3;
const PORT: u16 = 7000;
/// The replicas' head start: writes and faults are timed from here.
const BOOT: Duration = Duration::from_millis(1);
/// How long a write or read waits for its quorum.
pub const OP_TIMEOUT: Duration = Duration::from_millis(8);
/// How long a request to one replica keeps trying (connecting, sending)
/// after its operation has returned: late requests still land, as they do
/// in a real network.
const STRAGGLE: Duration = Duration::from_millis(50);
const MAJORITY: usize = 2;

/// Writes acknowledged and not acknowledged (no quorum in time) so far, in
/// every case run by this process: evidence that the schedules bite.
pub static WRITES: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

/// Which protocol runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// Writes and reads through a majority.
    Correct,
    /// BUG: a write is acknowledged once one replica has it.
    AckAfterOne,
}

impl Variant {
    fn write_quorum(self) -> usize {
        match self {
            Variant::Correct => MAJORITY,
            Variant::AckAfterOne => 1,
        }
    }
}

// ---------------------------------------------------------------------------
// Replica

/// The durable register slots of one replica.
struct Store {
    file: File,
    slots: [(u64, u64); KEYS],
}

impl Store {
    async fn open() -> io::Result<Store> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .open("/kv")
            .await?;
        // Always, not only after creating: if an earlier attempt created
        // the file and then failed, the name may still be only in the cache.
        fs::sync_dir("/").await?;
        let len = file.metadata().await?.len();
        let (res, bytes) = file.read_exact_at(vec![0; len as usize], 0).await;
        res?;
        let mut slots = [(0, 0); KEYS];
        for (slot, rec) in slots.iter_mut().zip(bytes.chunks_exact(16)) {
            let word = |i: usize| u64::from_le_bytes(rec[i..i + 8].try_into().unwrap());
            *slot = (word(0), word(8));
        }
        Ok(Store { file, slots })
    }

    /// Stores `(version, value)` under `key` unless it has a newer version;
    /// `Ok` means the slot is durably at `version` or later.
    async fn write(&mut self, key: usize, version: u64, value: u64) -> io::Result<()> {
        if version <= self.slots[key].0 {
            return Ok(());
        }
        let mut rec = version.to_le_bytes().to_vec();
        rec.extend_from_slice(&value.to_le_bytes());
        self.file.write_all_at(rec, 16 * key as u64).await.0?;
        self.file.sync_all().await?;
        self.slots[key] = (version, value);
        Ok(())
    }
}

/// A replica's body: load the store (retrying disk errors), then serve.
async fn replica() -> io::Result<()> {
    let store = loop {
        match Store::open().await {
            Ok(store) => break store,
            Err(_) => sleep(Duration::from_millis(1)).await,
        }
    };
    let store = Rc::new(Mutex::new(store));
    let listener = TcpListener::bind(("0.0.0.0", PORT)).await?;
    loop {
        let Ok((conn, _)) = listener.accept().await else {
            continue;
        };
        let store = Rc::clone(&store);
        detsim::spawn(async move {
            let _ = serve(conn, &store).await;
        });
    }
}

const WRITE: u8 = 1;
const READ: u8 = 2;
type Request = [u8; 18]; // op, key, version, value
type Reply = (u64, u64); // version, value

async fn serve(mut conn: TcpStream, store: &Mutex<Store>) -> io::Result<()> {
    loop {
        let mut req: Request = [0; 18];
        conn.read_exact(&mut req).await?;
        let key = usize::from(req[1]) % KEYS;
        let version = u64::from_le_bytes(req[2..10].try_into().unwrap());
        let value = u64::from_le_bytes(req[10..18].try_into().unwrap());
        let mut store = store.lock().await;
        if req[0] == WRITE {
            // A failed write or fsync is not acknowledged: close instead.
            store.write(key, version, value).await?;
        }
        let (v, x) = store.slots[key];
        drop(store);
        let mut reply = v.to_le_bytes().to_vec();
        reply.extend_from_slice(&x.to_le_bytes());
        conn.write_all(&reply).await?;
    }
}

// ---------------------------------------------------------------------------
// Client

async fn call(replica: &'static str, req: Request) -> io::Result<Reply> {
    let mut conn = TcpStream::connect((replica, PORT)).await?;
    conn.write_all(&req).await?;
    let mut buf = [0; 16];
    conn.read_exact(&mut buf).await?;
    let word = |i: usize| u64::from_le_bytes(buf[i..i + 8].try_into().unwrap());
    Ok((word(0), word(8)))
}

/// Sends `req` to every replica; returns the first `quorum` replies, or
/// fewer if [`OP_TIMEOUT`] passes first.
async fn broadcast(req: Request, quorum: usize) -> Vec<Reply> {
    let (tx, mut rx) = mpsc::unbounded();
    for r in REPLICAS {
        let tx = tx.clone();
        detsim::spawn(async move {
            if let Ok(Ok(reply)) = timeout(STRAGGLE, call(r, req)).await {
                let _ = tx.unbounded_send(reply);
            }
        });
    }
    drop(tx);
    let deadline = Instant::now() + OP_TIMEOUT;
    let mut replies = Vec::new();
    while replies.len() < quorum {
        let left = deadline.saturating_duration_since(Instant::now());
        match timeout(left, rx.next()).await {
            Ok(Some(reply)) => replies.push(reply),
            _ => break,
        }
    }
    replies
}

fn request(op: u8, key: usize, version: u64, value: u64) -> Request {
    let mut req = [0; 18];
    req[0] = op;
    req[1] = key as u8;
    req[2..10].copy_from_slice(&version.to_le_bytes());
    req[10..18].copy_from_slice(&value.to_le_bytes());
    req
}

/// Writes `(version, value)` to `key`; `true` if acknowledged.
async fn write(variant: Variant, key: usize, version: u64, value: u64) -> bool {
    let quorum = variant.write_quorum();
    broadcast(request(WRITE, key, version, value), quorum)
        .await
        .len()
        >= quorum
}

/// Reads `key` from replica `r` alone, retrying until it answers.
async fn read_one(r: &'static str, key: usize) -> Option<Reply> {
    for _ in 0..20 {
        if let Ok(Ok(reply)) = timeout(OP_TIMEOUT, call(r, request(READ, key, 0, 0))).await {
            return Some(reply);
        }
        sleep(Duration::from_millis(10)).await;
    }
    None
}

/// Reads `key` from a majority: the highest `(version, value)`, or `None`
/// without a majority.
async fn read(key: usize) -> Option<Reply> {
    let replies = broadcast(request(READ, key, 0, 0), MAJORITY).await;
    (replies.len() >= MAJORITY).then(|| replies.into_iter().max().unwrap())
}

/// The value the client writes with `version`: checking it catches a read
/// that pairs a version with the wrong value.
fn value_of(version: u64) -> u64 {
    version.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 16
}

// ---------------------------------------------------------------------------
// The property-test case

/// What one scheduled fault does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nemesis {
    /// Crashes replica `REPLICAS[i]`, restarting it when the fault ends.
    Crash(usize),
    /// Cuts `HOSTS[a]` off from `HOSTS[b]` (both ways) until the fault ends.
    Partition(usize, usize),
}

/// One fault of a drawn schedule: from `at_ms` for `for_ms` (virtual).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScheduledFault {
    /// Start, in virtual milliseconds.
    pub at_ms: u64,
    /// Duration, in virtual milliseconds.
    pub for_ms: u64,
    /// What happens.
    pub what: Nemesis,
}

impl fmt::Display for ScheduledFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.what {
            Nemesis::Crash(r) => write!(f, "crash {}", REPLICAS[r])?,
            Nemesis::Partition(a, b) => write!(f, "partition {}|{}", HOSTS[a], HOSTS[b])?,
        }
        write!(f, " @{}ms+{}ms", self.at_ms, self.for_ms)
    }
}

/// One write of a case: to key `k{key}`, not before `at_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Write {
    /// Earliest start, in virtual milliseconds (later if the previous
    /// write is still waiting for its quorum).
    pub at_ms: u64,
    /// The key.
    pub key: usize,
}

/// One case: the writes (the client gives them versions 1, 2, ... in
/// order of time) and the fault schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The writes, in any order.
    pub writes: Vec<Write>,
    /// Crashes and partitions.
    pub schedule: Vec<ScheduledFault>,
}

impl Case {
    /// The keys written, in the order the client writes them: version
    /// `i + 1` is a write of `keys()[i]`.
    pub fn keys(&self) -> Vec<(u64, usize)> {
        let mut writes = self.writes.clone();
        writes.sort_by_key(|w| w.at_ms);
        writes.iter().map(|w| (w.at_ms, w.key)).collect()
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let writes: Vec<String> = self
            .keys()
            .iter()
            .map(|(at, k)| format!("k{k} @{at}ms"))
            .collect();
        let faults: Vec<String> = self.schedule.iter().map(|s| s.to_string()).collect();
        write!(
            f,
            "writes=[{}] faults=[{}]",
            writes.join(","),
            faults.join(", ")
        )
    }
}

/// Schedules of up to `max_faults` crashes and partitions, starting in the
/// first 100 ms (while the writes run) and lasting up to 100 ms.
pub fn schedules(max_faults: usize) -> impl Strategy<Value = Vec<ScheduledFault>> {
    let what = prop_oneof![
        (0..REPLICAS.len()).prop_map(Nemesis::Crash),
        (0..HOSTS.len(), 1..HOSTS.len())
            .prop_map(|(a, d)| Nemesis::Partition(a, (a + d) % HOSTS.len())),
    ];
    let fault = (0u64..100, 1u64..100, what).prop_map(|(at_ms, for_ms, what)| ScheduledFault {
        at_ms,
        for_ms,
        what,
    });
    prop::collection::vec(fault, 0..=max_faults)
}

/// Cases of 1 to 8 writes over [`KEYS`] keys in the first 100 ms, with a
/// schedule of up to `max_faults` faults. Each write has its own time, so
/// shrinking can drop one without moving the others.
pub fn cases(max_faults: usize) -> impl Strategy<Value = Case> {
    let write = (0u64..100, 0..KEYS).prop_map(|(at_ms, key)| Write { at_ms, key });
    (prop::collection::vec(write, 1..=8), schedules(max_faults))
        .prop_map(|(writes, schedule)| Case { writes, schedule })
}

/// The limit for `detsim::proptest::faults_within`: the default plan
/// (readiness faults, disk IO errors, torn and lost writes at crashes,
/// UDP loss) plus TCP connection resets. Crashes and partitions come from
/// the drawn schedule instead of the nemesis, so they shrink as inputs.
pub fn fault_limit() -> Faults {
    let mut limit = Faults::default();
    limit.set_probability(FaultKind::ConnectionReset, Probability::new(0.002).unwrap());
    // The protocol has no `buggify!` sites: a rate for them would only
    // add a draw to every generated plan.
    limit.buggify = Probability::NEVER;
    limit
}

/// One simulation of `case`: start the replicas, run the writes while the
/// schedule crashes and partitions hosts, then restart and heal everything
/// and read every key back from a majority. `Err` if an acknowledged write
/// is missing (or a read returns a value no write wrote).
pub async fn run_case(variant: Variant, case: Case) -> Result<(), String> {
    let start = Instant::now() + BOOT;
    let replicas: Vec<HostHandle> = REPLICAS.iter().map(|r| net::host(r, replica)).collect();

    // The schedule, as a task of its own on `main`.
    let mut events: Vec<(u64, bool, Nemesis)> = Vec::new();
    for f in &case.schedule {
        events.push((f.at_ms, true, f.what));
        events.push((f.at_ms + f.for_ms, false, f.what));
    }
    events.sort_by_key(|&(at, begins, _)| (at, begins));
    let hosts = replicas.clone();
    let nemesis = detsim::spawn(async move {
        for (at, begins, what) in events {
            sleep_until(start + Duration::from_millis(at)).await;
            match (what, begins) {
                (Nemesis::Crash(r), true) => hosts[r].crash(),
                (Nemesis::Crash(r), false) => hosts[r].restart(),
                (Nemesis::Partition(a, b), true) => net::partition(HOSTS[a], HOSTS[b]),
                (Nemesis::Partition(a, b), false) => net::heal(HOSTS[a], HOSTS[b]),
            }
        }
    });

    // The writes, one at a time; the highest acknowledged version per key.
    let keys = case.keys();
    let acked: Rc<RefCell<[u64; KEYS]>> = Rc::default();
    for (i, &(at_ms, key)) in keys.iter().enumerate() {
        sleep_until(start + Duration::from_millis(at_ms)).await;
        let version = i as u64 + 1;
        let ok = write(variant, key, version, value_of(version)).await;
        WRITES[usize::from(!ok)].fetch_add(1, Ordering::Relaxed);
        if ok {
            let mut acked = acked.borrow_mut();
            acked[key] = acked[key].max(version);
        }
    }

    // The schedule ends: everything back up, and read every key.
    nemesis.await.map_err(|e| e.to_string())?;
    for r in &replicas {
        r.restart();
    }
    net::heal_all();
    let acked = *acked.borrow();
    for (key, &acked) in acked.iter().enumerate() {
        // The protocol's own read...
        let mut got = None;
        for _ in 0..20 {
            got = read(key).await;
            if got.is_some() {
                break;
            }
            sleep(Duration::from_millis(10)).await;
        }
        let Some(got) = got else {
            return Err(format!(
                "k{key}: no read majority with every host up and healed"
            ));
        };
        // ...and, so the verdict does not hang on which two replicas happen
        // to answer first, what a read from each majority would return.
        let mut each = Vec::new();
        for r in REPLICAS {
            let reply = read_one(r, key)
                .await
                .ok_or_else(|| format!("{r} does not answer with every host up and healed"))?;
            each.push(reply);
        }
        let majorities = [(0, 1), (0, 2), (1, 2)];
        let reads = majorities
            .iter()
            .map(|&(a, b)| (Some((a, b)), each[a].max(each[b])));
        for (from, (version, value)) in [(None, got)].into_iter().chain(reads) {
            let from = match from {
                None => "a majority read".to_string(),
                Some((a, b)) => format!("a read from the majority {}+{}", REPLICAS[a], REPLICAS[b]),
            };
            if version < acked {
                return Err(format!(
                    "k{key}: acknowledged write of version {} lost: {from} returns version {version}",
                    acked
                ));
            }
            let written = |v: u64| keys.get(usize::try_from(v - 1).ok()?).map(|w| w.1);
            if version > 0 && (written(version) != Some(key) || value != value_of(version)) {
                return Err(format!(
                    "k{key}: {from} returns version {version} with value {value}, which no write of k{key} wrote"
                ));
            }
        }
    }
    Ok(())
}
