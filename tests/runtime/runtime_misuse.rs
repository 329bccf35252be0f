//! An IO object, sleep or join handle used after its runtime ended, or in
//! another runtime, fails with a message naming both runtimes, instead of
//! reporting success or waiting forever.

use std::panic::{AssertUnwindSafe, catch_unwind};

use detsim::net::UdpSocket;
use detsim::time::{Duration, sleep};
use detsim::{Runtime, spawn};

/// A UDP socket bound in a runtime of seed 0x2a that has ended.
fn socket_of_an_ended_runtime() -> UdpSocket {
    let rt = Runtime::sim(0x2a);
    let socket = rt.block_on(async { UdpSocket::bind("0.0.0.0:9").await.unwrap() });
    drop(rt);
    socket
}

#[track_caller]
fn panic_message(result: std::thread::Result<()>) -> String {
    let payload = result.expect_err("the misuse must panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn a_socket_used_in_another_runtime_fails_naming_both() {
    let socket = socket_of_an_ended_runtime();
    let failure = Runtime::sim(0x2b)
        .try_block_on(async move {
            let sent = socket.send_to(b"hi", "127.0.0.1:9").await;
            panic!("the send returned {sent:?}");
        })
        .expect_err("the misuse fails the run");
    let report = failure.kind.to_string();
    assert!(
        report.contains(
            "udp#1 belongs to runtime seed 0x2a, which has ended; it was used in runtime seed 0x2b"
        ),
        "{report}"
    );
}

#[test]
fn a_socket_used_outside_any_runtime_fails_naming_its_runtime() {
    let socket = socket_of_an_ended_runtime();
    let message = panic_message(catch_unwind(AssertUnwindSafe(|| {
        let mut buf = [0; 4];
        let got = socket.try_recv_from(&mut buf);
        panic!("try_recv_from returned {got:?}");
    })));
    assert!(
        message.contains(
            "udp#1 belongs to runtime seed 0x2a, which has ended; it was used outside any runtime"
        ),
        "{message}"
    );
}

// The block hands a future out of the run on purpose.
#[allow(clippy::async_yields_async)]
#[test]
fn a_sleep_polled_in_another_runtime_fails_instead_of_deadlocking() {
    let rt = Runtime::sim(0x2a);
    let nap = rt.block_on(async { sleep(Duration::from_millis(5)) });
    // The first runtime is still alive, but not running.
    let failure = Runtime::sim(0x2b)
        .try_block_on(nap)
        .expect_err("the misuse fails the run");
    let report = failure.kind.to_string();
    assert!(
        report.contains(
            "a sleep until t=5.000ms belongs to runtime seed 0x2a, which is not running; it was used in runtime seed 0x2b"
        ),
        "{report}"
    );
    drop(rt);
}

#[allow(clippy::async_yields_async)]
#[test]
fn a_join_handle_awaited_in_another_run_of_the_same_seed_fails_naming_both() {
    let rt = Runtime::sim(7);
    let handle = rt.block_on(async { spawn(sleep(Duration::from_secs(1))) });
    drop(rt);
    let failure = Runtime::sim(7)
        .try_block_on(handle)
        .expect_err("the misuse fails the run");
    let report = failure.kind.to_string();
    assert!(
        report.contains(
            "the JoinHandle of task#1 belongs to runtime seed 0x7, which has ended; it was used in another runtime of the same seed 0x7"
        ),
        "{report}"
    );
}

#[test]
fn block_on_nested_inside_a_timeout_fails_with_the_nested_message() {
    let failure = Runtime::sim(3)
        .try_block_on(async {
            let _ = detsim::time::timeout(Duration::from_secs(1), async {
                Runtime::sim(4).block_on(async {});
            })
            .await;
        })
        .expect_err("the nested block_on fails the run");
    let report = failure.kind.to_string();
    assert!(
        report.contains("block_on was called while a detsim runtime is already running"),
        "{report}"
    );
}

#[test]
fn an_allocation_cap_without_the_tracker_installed_says_how_to_install_it() {
    // This binary's global allocator is the system's: nothing would
    // enforce the cap, so both ways of setting one refuse to run.
    let message = panic_message(catch_unwind(|| {
        detsim::Sim::new().allocation_cap(1 << 30).run(|| async {});
    }));
    assert!(
        message.contains("Sim::allocation_cap needs the allocation tracker")
            && message.contains("static ALLOC: detsim::alloc::Tracker"),
        "{message}"
    );
    let message = panic_message(catch_unwind(|| {
        let mut config = detsim::Config::default();
        config.allocation_cap = Some(1 << 30);
        drop(Runtime::with_config(0, config));
    }));
    assert!(
        message.contains("detsim::alloc::Tracker is not this binary's global allocator"),
        "{message}"
    );
    // Without the tracker, counting is off and costs nothing.
    Runtime::sim(0).block_on(async { assert_eq!(detsim::alloc::stats(), None) });
}
