//! The workloads, written once against `tk`: `main.rs` compiles this file
//! twice, once with `tk` the real tokio (the baseline) and once with `tk`
//! the stand-in (`detsim_tokio`), so both sides run the same source, as a
//! service does after its `Cargo.toml` rename.
//!
//! Every workload runs on a fresh runtime of the flavor it is given (a
//! multi-thread one has [`WORKERS`] workers), built by
//! `tk::runtime::Builder`, and returns the process CPU
//! time of its measured part only (set-up, connects and runtime shutdown
//! are left out). Sockets are real, on 127.0.0.1 with `TCP_NODELAY`.

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::Duration;

use super::tk;
use tk::io::{AsyncReadExt, AsyncWriteExt};
use tk::net::{TcpListener, TcpStream};

use crate::harness::{CpuClock, Flavor};

/// Worker threads of every runtime, on both sides.
pub(crate) const WORKERS: usize = 2;
/// The size of each echoed message.
pub(crate) const MESSAGE_BYTES: usize = 64;
/// The concurrent connections of the many-connection echoes.
pub(crate) const CONNECTIONS: usize = 64;
/// The read timeout of the timeout echo: long enough never to fire, so
/// every read arms a timer and cancels it, as a server's idle timeout does.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Tasks spawned, then joined, per batch of `spawn_join`.
pub(crate) const SPAWN_BATCH: usize = 100;
/// Concurrent tasks of `timeout_yield`.
pub(crate) const TIMEOUT_TASKS: usize = 100;
/// Concurrent sleeping tasks of `sleepers`.
pub(crate) const SLEEPERS: usize = 1_000;
const SLEEP: Duration = Duration::from_millis(1);

/// A runtime of the given flavor; a multi-thread one has [`WORKERS`]
/// workers.
fn runtime(flavor: Flavor) -> tk::runtime::Runtime {
    let mut builder = match flavor {
        Flavor::MultiThread => {
            let mut builder = tk::runtime::Builder::new_multi_thread();
            builder.worker_threads(WORKERS);
            builder
        }
        Flavor::CurrentThread => tk::runtime::Builder::new_current_thread(),
    };
    builder.enable_all().build().expect("build a tokio runtime")
}

/// Reads one message, under `READ_TIMEOUT` if `timed`; `false` at EOF,
/// on an error or when the timeout fires.
async fn read_message(conn: &mut TcpStream, buf: &mut [u8; MESSAGE_BYTES], timed: bool) -> bool {
    if timed {
        matches!(
            tk::time::timeout(READ_TIMEOUT, conn.read_exact(buf)).await,
            Ok(Ok(_))
        )
    } else {
        conn.read_exact(buf).await.is_ok()
    }
}

/// Binds an echo server on an ephemeral loopback port; its accept loop and
/// each connection are spawned tasks. Returns the address.
async fn echo_server(timed: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("local_addr");
    tk::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            conn.set_nodelay(true).expect("set_nodelay");
            tk::spawn(async move {
                let mut buf = [0; MESSAGE_BYTES];
                // Until the client closes (EOF: read_exact fails).
                while read_message(&mut conn, &mut buf, timed).await {
                    conn.write_all(&buf).await.expect("echo");
                }
            });
        }
    });
    addr
}

/// One round trip: writes a message tagged with `tag`, reads the echo.
async fn round_trip(conn: &mut TcpStream, tag: u8, timed: bool) {
    let out = [tag; MESSAGE_BYTES];
    let mut back = [0; MESSAGE_BYTES];
    conn.write_all(&out).await.expect("write");
    assert!(
        read_message(conn, &mut back, timed).await,
        "the echo server closed early"
    );
    assert_eq!(back, out, "the echo differs from what was sent");
}

/// `connections` connections to a fresh echo server doing `round_trips`
/// round trips in all (split evenly), each connection's client a spawned
/// task. Each connection does one round trip before the clock starts, so
/// accepting and spawning its server task are not measured.
fn echo(flavor: Flavor, connections: usize, round_trips: usize, timed: bool) -> Duration {
    let per_connection = round_trips / connections;
    runtime(flavor).block_on(async move {
        let addr = echo_server(timed).await;
        let mut conns = Vec::with_capacity(connections);
        for _ in 0..connections {
            let mut conn = TcpStream::connect(addr).await.expect("connect");
            conn.set_nodelay(true).expect("set_nodelay");
            round_trip(&mut conn, 0, timed).await;
            conns.push(conn);
        }
        let clock = CpuClock::start();
        let clients: Vec<_> = conns
            .into_iter()
            .map(|mut conn| {
                tk::spawn(async move {
                    for i in 0..per_connection {
                        round_trip(&mut conn, i as u8, timed).await;
                    }
                })
            })
            .collect();
        for client in clients {
            client.await.expect("client task");
        }
        clock.elapsed()
    })
}

/// Echo, one connection: `n` round trips of 64 bytes.
pub(crate) fn echo_one(flavor: Flavor, n: usize) -> Duration {
    echo(flavor, 1, n, false)
}

/// Echo, [`CONNECTIONS`] connections at once: `n` round trips in all.
pub(crate) fn echo_many(flavor: Flavor, n: usize) -> Duration {
    echo(flavor, CONNECTIONS, n, false)
}

/// As [`echo_many`], with every read on both ends under `time::timeout`.
pub(crate) fn echo_many_timed(flavor: Flavor, n: usize) -> Duration {
    echo(flavor, CONNECTIONS, n, true)
}

/// `n` small tasks spawned and joined, [`SPAWN_BATCH`] at a time, from a
/// task on a worker (as a server spawns); each task yields once.
pub(crate) fn spawn_join(flavor: Flavor, n: usize) -> Duration {
    runtime(flavor).block_on(async move {
        let clock = CpuClock::start();
        let sum = tk::spawn(async move {
            let mut sum = 0;
            for batch in 0..n / SPAWN_BATCH {
                let tasks: Vec<_> = (0..SPAWN_BATCH)
                    .map(|i| {
                        tk::spawn(async move {
                            tk::task::yield_now().await;
                            batch ^ i
                        })
                    })
                    .collect();
                for task in tasks {
                    sum += task.await.expect("small task");
                }
            }
            sum
        })
        .await
        .expect("spawning task");
        black_box(sum);
        clock.elapsed()
    })
}

/// [`TIMEOUT_TASKS`] tasks that each run `n / TIMEOUT_TASKS` `yield_now`s,
/// each under a `time::timeout` that never fires: a timer armed and
/// cancelled per operation, without waiting for the clock.
pub(crate) fn timeout_yield(flavor: Flavor, n: usize) -> Duration {
    let rounds = n / TIMEOUT_TASKS;
    runtime(flavor).block_on(async move {
        let clock = CpuClock::start();
        let tasks: Vec<_> = (0..TIMEOUT_TASKS)
            .map(|_| {
                tk::spawn(async move {
                    for _ in 0..rounds {
                        tk::time::timeout(READ_TIMEOUT, tk::task::yield_now())
                            .await
                            .expect("the timeout never fires");
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("timeout task");
        }
        clock.elapsed()
    })
}

/// [`SLEEPERS`] tasks that each sleep 1 ms, `n / SLEEPERS` times in a row,
/// reading `time::Instant` around each sleep.
pub(crate) fn sleepers(flavor: Flavor, n: usize) -> Duration {
    let rounds = n / SLEEPERS;
    runtime(flavor).block_on(async move {
        let clock = CpuClock::start();
        let tasks: Vec<_> = (0..SLEEPERS)
            .map(|_| {
                tk::spawn(async move {
                    let mut slept = Duration::ZERO;
                    for _ in 0..rounds {
                        let before = tk::time::Instant::now();
                        tk::time::sleep(SLEEP).await;
                        slept += before.elapsed();
                    }
                    slept
                })
            })
            .collect();
        for task in tasks {
            assert!(task.await.expect("sleeper") >= SLEEP * rounds as u32);
        }
        clock.elapsed()
    })
}
