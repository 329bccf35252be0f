//! The slow-peer fault (`NetFaults::slow_peer`): a TCP connection drawn
//! slow carries its bytes through tiny windows in tiny paced segments, so
//! a 109-byte request head arrives in tens of reads. A parser that needs
//! the head in a few reads is caught, a buffering one passes; the fault
//! is recorded, shrunk and replayed like any other, and a suppressed one
//! leaves the run as if the fault were off. (`slow_peer_stream.rs`: the
//! bytes of a slow connection, and determinism.)

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::rc::Rc;

use detsim::faults::FaultSchedule;
use detsim::net::{self, TcpListener, TcpStream};
use detsim::time::{Duration, sleep, timeout};
use detsim::{Config, FailureKind, FaultKind, Faults, Probability, Runtime, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

/// An HTTP-like request head: 109 bytes, five lines and a blank one.
const HEAD: &[u8] = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: detsim/0.1\r\n\
Accept: text/html\r\nConnection: close\r\n\r\n";

/// How many reads the buggy server allows for one head.
const READ_BUDGET: usize = 16;

/// The response body's length.
const BODY_BYTES: usize = 2_000;

fn response() -> Vec<u8> {
    let mut out = format!("HTTP/1.1 200 OK\r\nContent-Length: {BODY_BYTES}\r\n\r\n").into_bytes();
    out.extend((0..BODY_BYTES).map(|i| (i % 251) as u8));
    out
}

/// Reads a request head the right way: buffers until the blank line,
/// however many reads that takes. The head and the number of reads.
async fn read_head(conn: &mut TcpStream) -> io::Result<(Vec<u8>, usize)> {
    let mut head = Vec::new();
    let mut buf = [0; 1024];
    let mut reads = 0;
    while !head.ends_with(b"\r\n\r\n") {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        reads += 1;
        head.extend_from_slice(&buf[..n]);
    }
    Ok((head, reads))
}

/// The bug: a slowloris guard that counts reads instead of time, so a
/// legitimate client whose head comes in many small pieces is refused.
async fn read_head_within_budget(conn: &mut TcpStream) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut buf = [0; 1024];
    for _ in 0..READ_BUDGET {
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.extend_from_slice(&buf[..n]);
        if head.ends_with(b"\r\n\r\n") {
            return Ok(head);
        }
    }
    panic!(
        "request head incomplete after {READ_BUDGET} reads ({} of {} bytes)",
        head.len(),
        HEAD.len()
    );
}

/// Host `web` answers each request head with `response()`, then closes;
/// two clients each send one head and check the whole response.
async fn web_exchange(buggy: bool) {
    net::host("web", move || async move {
        let listener = TcpListener::bind("0.0.0.0:80").await?;
        loop {
            let (mut conn, _) = listener.accept().await?;
            spawn(async move {
                let head = if buggy {
                    read_head_within_budget(&mut conn).await?
                } else {
                    read_head(&mut conn).await?.0
                };
                assert_eq!(head, HEAD, "the server read a different head");
                conn.write_all(&response()).await?;
                io::Result::Ok(())
            });
        }
        #[allow(unreachable_code)]
        io::Result::Ok(())
    });
    let clients: Vec<_> = (0..2)
        .map(|c| {
            net::client(&format!("browser-{c}"), async {
                let mut conn = TcpStream::connect("web:80").await.unwrap();
                conn.write_all(HEAD).await.unwrap();
                let mut got = Vec::new();
                conn.read_to_end(&mut got).await.unwrap();
                assert_eq!(got, response(), "the response arrived damaged");
            })
        })
        .collect();
    for client in clients {
        client.await.unwrap();
    }
}

/// `Faults::default()` with slow peers at `p` per connection.
fn default_with_slow_peers(p: f64) -> Faults {
    let mut plan = Faults::default();
    plan.net.slow_peer = Probability::new(p).unwrap();
    plan
}

#[test]
fn a_server_that_needs_the_head_in_few_reads_passes_without_slow_peers() {
    Sim::new()
        .faults(Faults::default())
        .seeds(200)
        .run(|| web_exchange(true));
}

#[test]
fn a_server_that_needs_the_head_in_few_reads_is_caught_by_a_slow_peer() {
    let failure = Sim::new()
        .faults(default_with_slow_peers(0.5))
        .seeds(200)
        .try_run(|| web_exchange(true))
        .expect_err("a slow peer splits the head into more reads than the budget");
    eprintln!("{failure}");
    assert!(failure.failure.seed < 5, "found late: {failure}");
    match &failure.failure.kind {
        FailureKind::Panic { message, .. } => {
            assert!(message.contains("incomplete after 16 reads"), "{message}")
        }
        other => panic!("expected the read-budget panic, got {other}"),
    }
    // Shrinking keeps the slow connection and drops everything else
    // (short reads, partial writes, delays): they never split a head
    // this much on their own.
    let shrunk = failure
        .shrunk
        .as_ref()
        .expect("a run with faults is shrunk");
    assert!(shrunk.complete, "{failure}");
    assert!(
        failure.failure.faults.len() > shrunk.faults.len(),
        "{failure}"
    );
    let kinds: Vec<_> = shrunk.faults.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [FaultKind::SlowPeer], "{failure}");
    let line = shrunk.faults[0].with_occurrence().to_string();
    assert!(
        line.contains("slow_peer#") && line.contains(" on tcp#"),
        "{line}"
    );
    let (seed, schedule) = FaultSchedule::decode(&shrunk.replay_string).unwrap();
    let occurrence = shrunk.faults[0].occurrence;
    assert_eq!(seed, failure.failure.seed);
    assert_eq!(
        schedule.kept().collect::<Vec<_>>(),
        [(FaultKind::SlowPeer, occurrence)],
        "{}",
        shrunk.replay_string
    );

    // The shrunk replay fails the same way with only that fault...
    let again = Sim::new()
        .faults(default_with_slow_peers(0.5))
        .replay(&shrunk.replay_string)
        .try_run(|| web_exchange(true))
        .expect_err("the shrunk replay fails again");
    let FailureKind::Panic { location, .. } = &again.failure.kind else {
        panic!("expected the read-budget panic again: {again}");
    };
    assert!(
        location
            .as_deref()
            .is_some_and(|l| l.contains("slow_peer.rs")),
        "{again}"
    );
    assert_eq!(again.failure.faults, shrunk.faults);
    // ... and with the slow-peer occurrences suppressed too (all of them:
    // the horizon lies far past any this run reaches), the seed passes:
    // the connections are then normal ones.
    assert!(occurrence < 1000);
    Sim::new()
        .faults(default_with_slow_peers(0.5))
        .replay(&format!("{seed:#x}:slp/1000"))
        .run(|| web_exchange(true));
}

#[test]
fn at_chaos_rate_one_connection_in_ten_is_slow_and_the_server_is_caught() {
    let mut plan = Faults::default();
    plan.net.slow_peer = Faults::chaos().net.slow_peer;
    let failure = Sim::new()
        .faults(plan)
        .seeds(50)
        .shrink(false)
        .try_run(|| web_exchange(true))
        .expect_err("two connections a seed, one in ten slow");
    let slow = failure
        .failure
        .faults
        .iter()
        .filter(|f| f.kind == FaultKind::SlowPeer)
        .count();
    assert_eq!(slow, 1, "{failure}");
}

#[test]
fn a_buffering_server_passes_200_seeds_with_every_connection_slow() {
    Sim::new()
        .faults(default_with_slow_peers(1.0))
        .seeds(200)
        .run(|| web_exchange(false));
}

/// One head sent from `client` to `web`: how many reads the server needed,
/// if the head arrived (under chaos a crash or a reset may stop it).
async fn reads_for_one_head() -> Option<usize> {
    let reads = Rc::new(RefCell::new(None));
    let seen = Rc::clone(&reads);
    net::host("web", move || {
        let seen = Rc::clone(&seen);
        async move {
            let listener = TcpListener::bind("0.0.0.0:80").await?;
            let (mut conn, _) = listener.accept().await?;
            let (head, n) = read_head(&mut conn).await?;
            assert_eq!(head, HEAD);
            *seen.borrow_mut() = Some(n);
            io::Result::Ok(())
        }
    });
    let _ = timeout(Duration::from_secs(10), async {
        let mut conn = TcpStream::connect("web:80").await?;
        conn.write_all(HEAD).await?;
        sleep(Duration::from_secs(1)).await;
        io::Result::Ok(())
    })
    .await;
    *reads.borrow()
}

/// Reads per head over seeds 0..200 under `plan`: how many seeds needed
/// each number of reads, and how many never got the whole head.
fn reads_per_head(plan: &Faults) -> (BTreeMap<usize, u32>, u32) {
    let mut counts = BTreeMap::new();
    let mut incomplete = 0;
    for seed in 0..200 {
        let mut config = Config::default();
        config.faults = plan.clone();
        match Runtime::with_config(seed, config).block_on(reads_for_one_head()) {
            Some(reads) => *counts.entry(reads).or_insert(0) += 1,
            None => incomplete += 1,
        }
    }
    (counts, incomplete)
}

#[test]
fn a_slow_peer_splits_a_109_byte_head_into_tens_of_reads() {
    let mut chaos_without = Faults::chaos();
    chaos_without.net.slow_peer = Probability::NEVER;
    let mut chaos_always = Faults::chaos();
    chaos_always.net.slow_peer = Probability::ALWAYS;
    let plans = [
        ("legal (Sim::new())", Faults::legal()),
        ("chaos without slow peers", chaos_without),
        ("chaos (one connection in ten slow)", Faults::chaos()),
        ("chaos, every connection slow", chaos_always),
        (
            "default, every connection slow",
            default_with_slow_peers(1.0),
        ),
    ];
    let mut max_without = 0;
    let mut min_slow = usize::MAX;
    for (i, (name, plan)) in plans.iter().enumerate() {
        let (counts, incomplete) = reads_per_head(plan);
        println!("{name}: reads per head -> seeds {counts:?}, head incomplete in {incomplete}");
        let (min, max) = (
            *counts.keys().next().unwrap(),
            *counts.keys().last().unwrap(),
        );
        if i < 2 {
            max_without = max_without.max(max);
        } else if i > 2 {
            min_slow = min_slow.min(min);
        }
    }
    assert!(
        max_without < READ_BUDGET,
        "without slow peers: up to {max_without} reads"
    );
    assert!(
        min_slow >= 20,
        "a slow connection: as few as {min_slow} reads"
    );
}

/// The digest of seed `seed`'s run of the buffering exchange under `plan`,
/// `replay` pinning its fault decisions if given. The body ends in an
/// `Err` so that the runner reports the run, digest included, for a
/// replay too (a passing replay reports nothing).
fn exchange_digest(plan: &Faults, seed: u64, replay: Option<&str>) -> u64 {
    let sim = Sim::new().faults(plan.clone()).shrink(false).seed(seed);
    let sim = match replay {
        Some(replay) => sim.replay(replay),
        None => sim,
    };
    let failure = sim
        .try_run(|| async {
            web_exchange(false).await;
            Err::<(), _>("the exchange is over")
        })
        .expect_err("the body ends in an Err");
    assert_eq!(failure.failure.seed, seed);
    failure.failure.digest
}

#[test]
fn a_suppressed_slow_peer_leaves_the_run_exactly_as_without_the_fault() {
    // The plan's other faults (short reads, partial writes, delays) act in
    // all three runs; the slow-peer stream is the only difference, and a
    // suppressed occurrence changes nothing anyone else sees: the
    // connection is normal, and pays nothing for the fault being on.
    let on = default_with_slow_peers(1.0);
    let mut off = on.clone();
    off.net.slow_peer = Probability::NEVER;
    for seed in 0..5 {
        let without = exchange_digest(&off, seed, None);
        let suppressed = exchange_digest(&on, seed, Some(&format!("{seed:#x}:slp/2")));
        let slow = exchange_digest(&on, seed, None);
        assert_eq!(suppressed, without, "seed {seed}");
        assert_ne!(slow, without, "seed {seed}");
    }
}
