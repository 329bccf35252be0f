//! Deadlock reports: what each stuck task waits on now (not what it waited
//! on in an earlier poll), and when the deadlock became certain.

use detsim::Runtime;
use detsim::net::UdpSocket;
use detsim::time::{Duration, timeout};

#[test]
fn a_stuck_task_is_reported_waiting_on_what_it_waits_on_now_not_on_an_earlier_socket() {
    let failure = Runtime::sim(1)
        .try_block_on(async {
            let udp = UdpSocket::bind("0.0.0.0:9").await.unwrap();
            let mut buf = [0; 8];
            let nothing = timeout(Duration::from_millis(1), udp.recv_from(&mut buf)).await;
            assert!(nothing.is_err(), "nobody sends: the timeout fires");
            // A channel whose sender stays alive and never sends.
            let (_tx, rx) = futures::channel::oneshot::channel::<()>();
            let _ = rx.await;
        })
        .expect_err("the body waits forever on a channel");
    let report = failure.kind.to_string();
    assert!(report.starts_with("deadlock"), "{report}");
    assert!(
        !report.contains("udp"),
        "the task waits on a channel, not on the socket it no longer reads: {report}"
    );
    assert!(
        report.contains("something detsim cannot see"),
        "a channel is invisible to detsim, and the report says so: {report}"
    );
}

#[test]
fn a_task_is_not_reported_waiting_on_what_another_task_waited_on_in_its_last_poll() {
    let failure = Runtime::sim(2)
        .try_block_on(async {
            // This task's last poll registers interest in the socket, then
            // completes because its timeout fired.
            detsim::spawn(async {
                let udp = UdpSocket::bind("0.0.0.0:9").await.unwrap();
                let mut buf = [0; 8];
                let _ = timeout(Duration::from_millis(1), udp.recv_from(&mut buf)).await;
            });
            detsim::time::sleep(Duration::from_millis(2)).await;
            let (_tx, rx) = futures::channel::oneshot::channel::<()>();
            let _ = rx.await;
        })
        .expect_err("the body waits forever on a channel");
    let report = failure.kind.to_string();
    assert!(
        !report.contains("udp"),
        "main waits on a channel, not on the other task's socket: {report}"
    );
    assert!(report.contains("something detsim cannot see"), "{report}");
}
