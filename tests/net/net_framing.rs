//! A length-prefixed protocol that assumes one read returns one whole frame
//! works on a perfect network and is caught under the default fault plan,
//! with a replay line that reproduces it.

use detsim::net::{self, TcpListener, TcpStream};
use detsim::{FailureKind, FaultKind, Faults, Sim, SweepFailure, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

/// A frame: a 2-byte big-endian length, then the payload.
fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = (payload.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(payload);
    out
}

/// The bug: one `read` is taken to be one whole frame.
async fn naive_read_frame(conn: &mut TcpStream) -> Vec<u8> {
    let mut buf = [0; 1024];
    let n = conn.read(&mut buf).await.unwrap();
    assert!(
        n >= 2,
        "a frame header needs 2 bytes, the read returned {n}"
    );
    let len = u16::from_be_bytes([buf[0], buf[1]]) as usize;
    assert_eq!(n - 2, len, "the read did not return exactly one frame");
    buf[2..n].to_vec()
}

/// A server that answers each frame with its payload reversed, and a
/// client that sends frames one at a time and checks the answers.
async fn naive_framing_exchange() {
    net::host("server", || async {
        let listener = TcpListener::bind("0.0.0.0:9").await?;
        loop {
            let (mut conn, _) = listener.accept().await?;
            spawn(async move {
                for _ in 0..10 {
                    let mut payload = naive_read_frame(&mut conn).await;
                    payload.reverse();
                    conn.write_all(&frame(&payload)).await.unwrap();
                }
            });
        }
        #[allow(unreachable_code)]
        std::io::Result::Ok(())
    });
    let mut conn = TcpStream::connect("server:9").await.unwrap();
    for i in 0..10u8 {
        let payload: Vec<u8> = (0..100).map(|j| i.wrapping_mul(j)).collect();
        conn.write_all(&frame(&payload)).await.unwrap();
        let mut answer = naive_read_frame(&mut conn).await;
        answer.reverse();
        assert_eq!(answer, payload);
    }
}

/// Asserts the failure is the framing assertion and names its seed.
#[track_caller]
fn assert_is_the_framing_bug(failure: &SweepFailure) {
    match &failure.failure.kind {
        FailureKind::Panic { message, .. } => assert!(
            message.contains("frame"),
            "the failure should be the framing assertion, got: {message}"
        ),
        other => panic!("expected a panic in the framing code, got {other}"),
    }
    assert!(
        failure
            .failure
            .faults
            .iter()
            .any(|f| matches!(f.kind, FaultKind::ShortRead | FaultKind::PartialWrite)),
        "the report should list the short reads or partial writes that broke framing: {:?}",
        failure.failure.faults
    );
}

#[test]
fn the_naive_framing_works_on_a_perfect_network() {
    Sim::new()
        .faults(Faults::none())
        .seeds(50)
        .run(naive_framing_exchange);
}

#[test]
fn the_naive_framing_is_caught_with_a_replay_line_that_reproduces_it() {
    let failure = Sim::new()
        .faults(Faults::default())
        .seeds(200)
        .try_run(naive_framing_exchange)
        .expect_err("short reads and partial writes must break one-read-one-frame");
    assert_is_the_framing_bug(&failure);
    let seed = failure.failure.seed;
    assert!(
        failure
            .replay
            .starts_with(&format!("DETSIM_SEED={seed:#x} ")),
        "replay line: {}",
        failure.replay
    );
    assert!(
        failure
            .replay
            .contains("the_naive_framing_is_caught_with_a_replay_line_that_reproduces_it"),
        "the replay line names the test: {}",
        failure.replay
    );

    // Replaying the seed fails the same way, at the same event.
    let again = Sim::new()
        .faults(Faults::default())
        .seed_range(seed..seed + 1)
        .try_run(naive_framing_exchange)
        .expect_err("the replayed seed must fail again");
    assert_is_the_framing_bug(&again);
    assert_eq!(again.failure.seed, seed);
    assert_eq!(again.failure.digest, failure.failure.digest);
    assert_eq!(again.failure.at, failure.failure.at);
    assert_eq!(again.failure.faults, failure.failure.faults);
}
