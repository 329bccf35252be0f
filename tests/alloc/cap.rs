//! The allocation cap: a request above it fails the run, not the process,
//! with a report that names the task and the poll, and replays.

use detsim::net::{self, TcpListener, TcpStream};
use detsim::task::Builder;
use detsim::time::{Duration, sleep};
use detsim::{FailureKind, Faults, Sim};
use futures::{AsyncReadExt, AsyncWriteExt};

use crate::common::{assert_contains, is_child, run_child};

const GIB: u64 = 1 << 30;

/// A length-prefixed protocol whose server trusts the prefix: the client
/// announces 4 GiB, the server allocates it before reading the payload.
async fn trusting_server_and_a_lying_client() {
    let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
    let server = Builder::new().name("framer").spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        let mut prefix = [0u8; 8];
        conn.read_exact(&mut prefix).await.unwrap();
        let len = u64::from_be_bytes(prefix) as usize;
        let mut payload = vec![0u8; len];
        conn.read_exact(&mut payload[..4]).await.unwrap();
    });
    net::client("liar", async {
        let mut conn = TcpStream::connect("main:7").await.unwrap();
        conn.write_all(&(4 * GIB).to_be_bytes()).await.unwrap();
        conn.write_all(b"tiny").await.unwrap();
        sleep(Duration::from_secs(1)).await;
    })
    .await
    .unwrap();
    server.await.unwrap();
}

#[test]
fn a_4_gib_request_under_a_1_gib_cap_fails_the_run_naming_the_task_and_the_poll() {
    let swept = Sim::new()
        .faults(Faults::default())
        .allocation_cap(GIB)
        .seeds(5)
        .try_run(trusting_server_and_a_lying_client)
        .expect_err("the server asks for 4 GiB");
    assert_eq!(
        swept.failure.seed, 0,
        "every seed fails: the first is reported"
    );
    let FailureKind::Allocation {
        task,
        bytes,
        cap,
        poll,
        resumed,
        served,
        allocated,
    } = &swept.failure.kind
    else {
        panic!("expected an allocation failure, got:\n{swept}");
    };
    assert_eq!(task.name.as_deref(), Some("framer"));
    assert_contains(&task.spawned_at, "tests/alloc/cap.rs:");
    assert_eq!(*bytes, 4 * GIB);
    assert_eq!(*cap, GIB);
    assert!(*poll > 1, "a poll number of the run: {poll}");
    // The prefix arrived on a socket: the poll resumed from its readiness.
    assert_contains(resumed, "after waiting on readable on tcp#");
    assert!(*served, "Linux maps 4 GiB of untouched pages");
    assert!(allocated.bytes >= 4 * GIB, "{allocated:?}");
    let report = swept.to_string();
    assert_contains(&report, "allocation over the cap: task `framer` (task#");
    assert_contains(
        &report,
        "asked for 4294967296 bytes (4 GiB) in one allocation (cap 1073741824 bytes (1 GiB)",
    );
    assert_contains(&report, &format!("in poll #{poll} of the run"));

    // The same failure, poll for poll, on replay: from the seed, and from
    // the shrunk schedule when faults came before it.
    let replay = |spec: &str| {
        Sim::new()
            .faults(Faults::default())
            .allocation_cap(GIB)
            .replay(spec)
            .try_run(trusting_server_and_a_lying_client)
            .expect_err("the replay fails the same way")
    };
    let again = replay("0x0");
    assert_eq!(again.failure.kind, swept.failure.kind);
    assert_eq!(again.failure.digest, swept.failure.digest);
    if let Some(shrunk) = &swept.shrunk {
        // Poll for poll as the shrunk run: with the faults before the
        // allocation dropped, its poll number may be smaller.
        assert_eq!(
            replay(&shrunk.replay_string).failure.kind,
            shrunk.failure.kind
        );
    }
}

#[test]
fn without_a_cap_the_same_request_passes_and_is_counted() {
    let report = Sim::new().seeds(3).run(|| async {
        let big: Vec<u8> = Vec::with_capacity(4 * GIB as usize);
        let charged = detsim::alloc::stats().unwrap().task;
        assert!(charged.bytes >= 4 * GIB, "{charged:?}");
        drop(big);
    });
    assert_eq!(report.runs.len(), 3);
}

#[test]
fn a_request_at_the_cap_passes_and_one_byte_more_fails() {
    let at_cap = |extra: usize| {
        Sim::new()
            .allocation_cap(1 << 20)
            .try_run(move || async move {
                let v: Vec<u8> = Vec::with_capacity((1 << 20) + extra);
                drop(v);
            })
    };
    assert!(at_cap(0).is_ok());
    let over = at_cap(1).expect_err("one byte over the cap");
    assert!(matches!(
        over.failure.kind,
        FailureKind::Allocation { bytes, .. } if bytes == (1 << 20) + 1
    ));
}

#[test]
fn a_cap_from_the_environment_is_carried_by_the_replay_line() {
    let child = run_child("cap::child_asks_for_4_gib", &[("DETSIM_ALLOC_CAP", "1GiB")]);
    assert!(!child.success, "the child fails\n{}", child.all());
    assert_contains(&child.all(), "allocation over the cap: task `framer`");
    assert_contains(
        &child.all(),
        "replay: DETSIM_ALLOC_CAP=1GiB DETSIM_SEED=0x0 cargo test",
    );

    let off = run_child("cap::child_asks_for_4_gib", &[("DETSIM_ALLOC_CAP", "off")]);
    assert!(off.success, "no cap, no failure\n{}", off.all());
}

#[test]
fn a_bad_cap_in_the_environment_says_which_forms_it_takes() {
    for bad in ["1GB", "1.5G", "a lot"] {
        let child = run_child("cap::child_asks_for_4_gib", &[("DETSIM_ALLOC_CAP", bad)]);
        assert!(!child.success);
        assert_contains(
            &child.all(),
            &format!("DETSIM_ALLOC_CAP={bad:?} is not valid: expected a number of bytes"),
        );
        assert_contains(&child.all(), "1GiB, 512M");
    }
}

/// Run by the tests above in a child process, with the environment they
/// set; passes at once otherwise.
#[test]
fn child_asks_for_4_gib() {
    if !is_child() {
        return;
    }
    Sim::new().run(trusting_server_and_a_lying_client);
}

/// `#[detsim::test(allocation_cap = ..)]` sets the cap.
#[detsim::test(allocation_cap = 1 << 20, seeds = 1, regressions = false)]
#[should_panic(expected = "allocation over the cap")]
async fn the_test_attribute_takes_a_cap() {
    let big = vec![0u8; 2 << 20];
    std::hint::black_box(&big);
}
