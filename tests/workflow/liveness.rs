//! The liveness phase (`Sim::liveness`, `DETSIM_LIVENESS`): faults end,
//! the network is repaired, and a system that does not recover fails
//! with a report naming what each task waits on, where without the phase
//! it passed (the next crash masked its hang) or ran for ever.

use std::cell::Cell;
use std::rc::Rc;

use crate::common::{assert_contains, is_child, run_child};
use detsim::faults::FaultGroup;
use detsim::kernel::KernelHandle;
use detsim::liveness::{self, Liveness};
use detsim::net::{self, TcpListener, TcpStream};
use detsim::sync::Notify;
use detsim::time::{Duration, Instant, sleep, timeout};
use detsim::trace::EventKind;
use detsim::{Config, FailureKind, Faults, Runtime, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

const REPLICAS: [&str; 3] = ["r0", "r1", "r2"];

/// Faults end at 5 s; the system then has 20 s to commit more writes.
fn phase() -> Liveness {
    Liveness::after(Duration::from_secs(5)).within(Duration::from_secs(20))
}

/// A replica: acknowledges every 8-byte value it is sent, one task per
/// connection.
fn replica(name: &str) {
    net::host(name, || async {
        let listener = TcpListener::bind("0.0.0.0:7").await?;
        loop {
            let (mut conn, _) = listener.accept().await?;
            spawn(async move {
                let mut value = [0; 8];
                while conn.read_exact(&mut value).await.is_ok() {
                    if conn.write_all(&value).await.is_err() {
                        break;
                    }
                }
            });
        }
        #[allow(unreachable_code)]
        std::io::Result::Ok(())
    });
}

/// The writer's connection to one replica.
enum Link {
    Down,
    Up(TcpStream),
    /// Given up for good (the bug).
    Lost,
}

/// Sends `value` over `conn` and waits for its acknowledgement, within
/// 500 ms.
async fn replicate(conn: &mut TcpStream, value: u64) -> bool {
    let exchange = async {
        conn.write_all(&value.to_be_bytes()).await?;
        let mut ack = [0; 8];
        conn.read_exact(&mut ack).await?;
        std::io::Result::Ok(ack == value.to_be_bytes())
    };
    matches!(
        timeout(Duration::from_millis(500), exchange).await,
        Ok(Ok(true))
    )
}

/// Writes 1, 2, 3... to the replicas, each committed (counted in
/// `committed`) once a majority acknowledged it. With `reconnect` off (the
/// bug), a replica whose connection failed once is lost for good, and
/// without a majority left the writer waits for a "replica back"
/// announcement that nothing makes.
async fn writer(committed: Rc<Cell<u64>>, reconnect: bool) {
    let replica_back = Notify::new().with_name("replica back");
    let mut links: Vec<Link> = REPLICAS.iter().map(|_| Link::Down).collect();
    let mut value = 1;
    loop {
        let mut acks = 0;
        for (name, link) in REPLICAS.iter().zip(links.iter_mut()) {
            if let Link::Down = link {
                let connect = TcpStream::connect(format!("{name}:7"));
                if let Ok(Ok(conn)) = timeout(Duration::from_millis(500), connect).await {
                    *link = Link::Up(conn);
                }
            }
            if let Link::Up(conn) = link {
                if replicate(conn, value).await {
                    acks += 1;
                } else {
                    *link = if reconnect { Link::Down } else { Link::Lost };
                }
            }
        }
        let reachable = links.iter().filter(|l| !matches!(l, Link::Lost)).count();
        if acks >= 2 {
            committed.set(value);
            value += 1;
        } else if reachable < 2 {
            replica_back.notified().await;
        } else {
            sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Three replicas and a writer; once the faults have ended, ten more
/// values must commit.
async fn replicated_writes(reconnect: bool) {
    for name in REPLICAS {
        replica(name);
    }
    let committed = Rc::new(Cell::new(0));
    net::client("writer", writer(Rc::clone(&committed), reconnect));
    liveness::faults_ended().await;
    let target = committed.get() + 10;
    while committed.get() < target {
        sleep(Duration::from_millis(100)).await;
    }
}

#[test]
fn a_writer_that_gives_up_on_failed_replicas_never_recovers_and_the_report_names_its_wait() {
    let failure = Sim::new()
        .faults(Faults::chaos())
        .liveness(phase())
        .seeds(50)
        .try_run(|| replicated_writes(false))
        .expect_err("the writer loses its majority under chaos and never gets it back");
    eprintln!(
        "liveness: the writer that gives up failed at seed {:#x} ({} seeds run)",
        failure.failure.seed, failure.seeds_run
    );
    let FailureKind::Liveness {
        faults_ended,
        deadline,
        deadlocked,
        stuck,
    } = &failure.failure.kind
    else {
        panic!("expected a liveness failure, got {}", failure.failure);
    };
    assert_eq!(faults_ended.since_start(), Duration::from_secs(5));
    assert_eq!(deadline.since_start(), Duration::from_secs(25));
    assert!(!deadlocked, "the body's check keeps a timer ticking");
    assert_eq!(failure.failure.at, *deadline, "reported at the deadline");
    let report = failure.to_string();
    assert_contains(
        &report,
        "liveness: the faults ended at t=5000.000ms and the run had not recovered by the \
         deadline t=25000.000ms",
    );
    let writer = stuck
        .iter()
        .find(|s| s.task.name.as_deref() == Some("writer"))
        .unwrap_or_else(|| panic!("the writer is not in the report:\n{report}"));
    assert!(
        writer
            .waits_on
            .starts_with("Notify `replica back` (1 waiting; not notified since"),
        "{report}"
    );
    let main = &stuck[0];
    assert!(main.waits_on.starts_with("a timer at t="), "{report}");
    let r0 = stuck
        .iter()
        .find(|s| s.task.name.as_deref() == Some("r0"))
        .unwrap_or_else(|| panic!("replica r0 is not in the report:\n{report}"));
    assert!(
        r0.waits_on.starts_with("readable on tcp-listener#"),
        "the replicas wait for connections:\n{report}"
    );
    eprintln!("{report}");
}

#[test]
fn its_twin_that_reconnects_recovers_on_every_seed() {
    let seeds = 30;
    let report = Sim::new()
        .faults(Faults::chaos())
        .liveness(phase())
        .seeds(seeds)
        .check_determinism(true)
        .run(|| replicated_writes(true));
    assert_eq!(report.runs.len(), seeds as usize);
    let latest = report.runs.iter().map(|r| r.end).max().expect("runs");
    eprintln!(
        "liveness: the writer that reconnects passed {seeds} seeds (each run twice), \
         the slowest recovered by t={latest}"
    );
    assert!(latest.since_start() < Duration::from_secs(25));
}

/// A key-value server with a missing branch: it never answers `SYNC`.
fn kv_server() {
    net::host("kv", || async {
        let listener = TcpListener::bind("0.0.0.0:7").await?;
        loop {
            let (mut conn, _) = listener.accept().await?;
            spawn(async move {
                let mut request = [0; 4];
                while conn.read_exact(&mut request).await.is_ok() {
                    if &request == b"PING" && conn.write_all(b"PONG").await.is_err() {
                        break;
                    }
                    // b"SYNC": forgotten.
                }
            });
        }
        #[allow(unreachable_code)]
        std::io::Result::Ok(())
    });
}

/// Asks the server to sync and waits for its answer. An error or EOF is
/// taken as "the server went away, and syncs when it restarts": tolerated.
async fn sync_client() {
    let mut conn = loop {
        match TcpStream::connect("kv:7").await {
            Ok(conn) => break conn,
            Err(_) => sleep(Duration::from_millis(100)).await,
        }
    };
    if conn.write_all(b"SYNC").await.is_err() {
        return;
    }
    let mut answer = [0; 4];
    if conn.read_exact(&mut answer).await.is_ok() {
        assert_eq!(&answer, b"DONE");
    }
}

async fn masked_hang() {
    kv_server();
    net::client("client", sync_client()).await.unwrap();
}

#[test]
fn a_hang_that_crashes_mask_is_found_at_a_low_seed_with_the_phase() {
    // Without the phase the nemesis crashes `kv` until 30 s, and a crash
    // turns the client's endless wait into a tolerated EOF: only a seed
    // whose server survives all 30 s shows the hang.
    let without = Sim::new()
        .faults(Faults::chaos())
        .seeds(2_000)
        .shrink(false)
        .try_run(masked_hang)
        .expect_err("some seed's server survives the nemesis");
    assert!(
        matches!(without.failure.kind, FailureKind::Deadlock { .. }),
        "{}",
        without.failure
    );
    let with = Sim::new()
        .faults(Faults::chaos())
        .liveness(Liveness::after(Duration::from_secs(2)).within(Duration::from_secs(10)))
        .seeds(2_000)
        .try_run(masked_hang)
        .expect_err("the phase ends the crashes that mask the hang");
    eprintln!(
        "liveness: the masked hang is found at seed {:#x} without the phase, {:#x} with it",
        without.failure.seed, with.failure.seed
    );
    assert!(with.failure.seed < 5, "{}", with.failure);
    assert!(without.failure.seed > 50, "{}", without.failure);
    let FailureKind::Liveness {
        deadlocked, stuck, ..
    } = &with.failure.kind
    else {
        panic!("expected a liveness failure, got {}", with.failure);
    };
    assert!(deadlocked, "nothing is left to happen once the faults end");
    assert!(with.failure.at.since_start() >= Duration::from_secs(2));
    let report = with.to_string();
    assert_contains(&report, "then no task could ever run again (a deadlock");
    let client = stuck
        .iter()
        .find(|s| s.task.name.as_deref() == Some("client"))
        .unwrap_or_else(|| panic!("the client is not in the report:\n{report}"));
    assert!(client.waits_on.contains("readable"), "{report}");
}

#[test]
fn replaying_a_liveness_failure_fails_the_same_way_with_the_same_digest() {
    let sim = || {
        Sim::new()
            .faults(Faults::chaos())
            .liveness(phase())
            .seeds(50)
    };
    // One call site for every run: reports name the body after it.
    let run = |sim: Sim| {
        sim.try_run(|| replicated_writes(false))
            .expect_err("the writer that gives up fails")
    };
    let found = run(sim());
    let seed = found.failure.seed;
    for _ in 0..2 {
        let again = run(sim().seed(seed).shrink(false));
        assert_eq!(again.failure.kind, found.failure.kind);
        assert_eq!(again.failure.digest, found.failure.digest);
        assert_eq!(again.failure.at, found.failure.at);
    }
    let shrunk = found.shrunk.as_ref().expect("the failure injected faults");
    eprintln!(
        "liveness: the failure shrank from {} faults to {} in {} runs: {}",
        shrunk.injected,
        shrunk.faults.len(),
        shrunk.runs,
        shrunk.replay_string
    );
    let replayed = run(sim().replay(&shrunk.replay_string));
    assert!(
        matches!(replayed.failure.kind, FailureKind::Liveness { .. }),
        "{}",
        replayed.failure
    );
    assert_eq!(replayed.failure.digest, shrunk.failure.digest);
}

#[test]
fn at_the_end_partitions_heal_and_crashed_hosts_restart_at_that_instant() {
    Sim::new()
        .liveness(Liveness::after(Duration::from_secs(2)))
        .seeds(10)
        .run(|| async {
            replica("r0");
            let r1 = net::host("r1", || async {});
            net::partition("main", "r0");
            r1.crash();
            let kernel = KernelHandle::current();
            assert!(!kernel.faults_ended());
            liveness::faults_ended().await;
            assert_eq!(Instant::now().since_start(), Duration::from_secs(2));
            assert!(kernel.faults_ended());
            assert!(r1.is_up(), "restarted at the end");
            let mut conn = TcpStream::connect("r0:7")
                .await
                .expect("the partition healed");
            assert!(replicate(&mut conn, 7).await);
        });
}

#[test]
fn after_the_end_environment_faults_and_buggify_stop_and_legal_behaviour_goes_on() {
    let end = Duration::from_secs(5);
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for seed in 0..5 {
        let mut config = Config::default();
        config.faults = Faults::chaos();
        config.liveness = Some(phase());
        config.record_all_events = true;
        let rt = Runtime::with_config(seed, config);
        rt.block_on(async {
            let _ = detsim::buggify!(0.5);
            replicated_writes(true).await;
            for _ in 0..20 {
                let _ = detsim::buggify!(0.5);
            }
        });
        for event in rt.take_events().expect("recorded") {
            if let EventKind::Fault { kind, .. } = event.kind {
                if event.at.since_start() < end {
                    before.push(kind.group());
                } else {
                    after.push(kind.group());
                }
            }
        }
    }
    assert!(before.contains(&FaultGroup::Environment));
    assert!(
        after.contains(&FaultGroup::Legal),
        "legal behaviour goes on"
    );
    assert!(
        after.iter().all(|g| *g == FaultGroup::Legal),
        "after the end: {after:?}"
    );
}

#[test]
fn a_deadlock_after_recovery_was_declared_is_a_plain_deadlock() {
    let failure = Sim::new()
        .liveness(Liveness::after(Duration::from_secs(1)))
        .try_run(|| async {
            liveness::faults_ended().await;
            liveness::recovered();
            std::future::pending::<()>().await;
        })
        .expect_err("waits for ever");
    assert!(
        matches!(failure.failure.kind, FailureKind::Deadlock { .. }),
        "{}",
        failure.failure
    );
}

#[detsim::test(faults = "chaos", liveness = "2s:10s", seeds = 5, regressions = false)]
async fn the_test_attribute_takes_a_liveness_phase() {
    replica("r0");
    liveness::faults_ended().await;
    assert_eq!(Instant::now().since_start(), Duration::from_secs(2));
    let mut conn = TcpStream::connect("r0:7").await.unwrap();
    assert!(replicate(&mut conn, 1).await);
}

#[test]
#[ignore = "run as a child process by the tests in this file"]
fn child_runs_the_masked_hang() {
    if !is_child() {
        return;
    }
    Sim::new().faults(Faults::chaos()).seeds(3).run(masked_hang);
}

#[test]
fn detsim_liveness_turns_the_phase_on_and_replay_lines_carry_it() {
    let test = "liveness::child_runs_the_masked_hang";
    let child = run_child(test, &[]);
    assert!(child.success, "masked without the phase\n{}", child.all());
    let child = run_child(test, &[("DETSIM_LIVENESS", "2s:10s")]);
    assert!(!child.success, "{}", child.all());
    let out = child.all();
    assert_contains(&out, "error:  liveness: the faults ended at t=2000.000ms");
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("replay: "))
        .unwrap_or_else(|| panic!("no replay line:\n{out}"));
    assert!(
        line.starts_with("DETSIM_LIVENESS=2s:10s DETSIM_SEED=0x"),
        "{line}"
    );
    let seed = line
        .split(' ')
        .find_map(|w| w.strip_prefix("DETSIM_SEED="))
        .expect("the line names the seed");
    let digest = |out: &str| {
        out.lines()
            .find(|l| l.starts_with("digest: "))
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no digest line:\n{out}"))
    };
    let replay = run_child(
        test,
        &[("DETSIM_LIVENESS", "2s:10s"), ("DETSIM_SEED", seed)],
    );
    assert!(!replay.success, "{}", replay.all());
    assert_contains(
        &replay.all(),
        "error:  liveness: the faults ended at t=2000.000ms",
    );
    assert_eq!(digest(&replay.all()), digest(&out));
}

#[test]
fn a_bad_detsim_liveness_fails_with_a_message_naming_the_accepted_forms() {
    let child = run_child(
        "liveness::child_runs_the_masked_hang",
        &[("DETSIM_LIVENESS", "soon")],
    );
    assert!(!child.success, "{}", child.all());
    assert_contains(
        &child.all(),
        "detsim: DETSIM_LIVENESS=\"soon\" is not valid",
    );
    assert_contains(&child.all(), "<faults end>:<recovery> or <faults end>");
}
