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

#[test]
fn a_deadlock_is_reported_when_it_became_certain_not_when_a_pending_syn_retransmit_ran_out() {
    use futures::{AsyncReadExt, AsyncWriteExt};
    let failure = Runtime::sim(3)
        .try_block_on(async {
            detsim::net::host("server", || async {
                let listener = detsim::net::TcpListener::bind("0.0.0.0:7").await?;
                let (mut conn, _) = listener.accept().await?;
                let mut byte = [0; 1];
                conn.read_exact(&mut byte).await?;
                // Waits forever for a second byte that never comes.
                conn.read_exact(&mut byte).await?;
                std::io::Result::Ok(())
            });
            let mut conn = detsim::net::TcpStream::connect("server:7").await.unwrap();
            conn.write_all(b"x").await.unwrap();
            let mut reply = [0; 1];
            conn.read_exact(&mut reply).await.unwrap();
        })
        .expect_err("both ends wait for a byte from the other");
    assert!(
        failure.kind.to_string().starts_with("deadlock"),
        "{failure}"
    );
    // The handshake and one byte take well under a millisecond on the
    // default links; the connect's SYN retransmission timer (1 s) still
    // runs afterwards and changes nothing.
    assert!(
        failure.at.since_start() < Duration::from_millis(1),
        "reported at t={}, after the last poll",
        failure.at
    );
}
