//! detsim's simulated executor against tokio's `current_thread` runtime.
//!
//! Each workload runs the same async code on both runtimes in this process,
//! interleaved (detsim, tokio, tokio, detsim, ...: the order flips every
//! repetition so neither side always runs on a warm or a cold cache), and
//! the table shows the median of the repetitions:
//!
//! ```text
//! cargo bench --bench vs_tokio                     # full run
//! DETSIM_BENCH_QUICK=1 cargo bench --bench vs_tokio  # under a minute
//! DETSIM_BENCH_JSON=out.json cargo bench --bench vs_tokio
//! cargo bench --bench vs_tokio -- sleep            # only workloads whose name contains "sleep"
//! DETSIM_BENCH_PROFILE=detsim cargo bench --bench vs_tokio -- ping  # one side only, for perf
//! ```
//!
//! `ratio` is detsim time / tokio time; each workload has a target ratio
//! (issue 2) and the table marks it pass or miss.
//!
//! Only the workload itself is timed, from inside the `block_on` future:
//! building and dropping a runtime is left out on both sides. detsim runs
//! with its default (seeded random) scheduling and the long-poll watchdog
//! off, as a test sweep that disables it would. tokio's timer workloads use
//! a paused clock, so both sides jump virtual time instead of sleeping.
//!
//! Some tokio columns are a different thing, said in the row name or a
//! line after the table: `fs_write_4k_sim_vs_real_disk` compares a write to
//! the simulated disk with a real `tokio::fs` write. The `os_tcp_*` rows
//! run detsim's OS backend (`detsim::Runtime::os()`, real loopback sockets
//! and epoll) against tokio on the same host kernel. Measurements with no
//! tokio twin are printed after the table (the simulated idle connections,
//! a crash-recovery cycle of `examples/wal_kv.rs`, 10,000 real connections
//! held at once) and, where they are a time per operation, written to the
//! JSON with `"tokio_ns": null`.
//!
//! System calls per loopback echo round trip (issue 6), counted once with
//! strace on the 1-connection OS echo, one side at a time, 5 repetitions of
//! 2,000 round trips:
//!
//! ```text
//! DETSIM_BENCH_QUICK=1 DETSIM_BENCH_PROFILE=detsim DETSIM_BENCH_PROFILE_REPS=5 \
//!     strace -c -f target/release/deps/vs_tokio-<hash> --bench os_tcp_echo_1byte_1_conn
//! ```
//!
//! (and the same with `DETSIM_BENCH_PROFILE=tokio`), dividing each count by
//! the 10,000 round trips; set-up (socket, connect, accept, epoll_ctl...) is
//! under 0.01 per round trip. Both sides make 8 per round trip (client and
//! server in one process, so each round trip is two one-byte hops):
//!
//! | syscall                        | detsim    | tokio     |
//! |--------------------------------|-----------|-----------|
//! | `sendto`                       | 2.0       | 2.0       |
//! | `recvfrom` (of them `EAGAIN`)  | 4.0 (2.0) | 4.0 (2.0) |
//! | `epoll_pwait` / `epoll_wait`   | 2.0       | 2.0       |
//! | total                          | 8.0       | 8.0       |
//!
//! Per hop: the reader's `recvfrom` gets its byte, it answers with one
//! `sendto`, its next `recvfrom` says `EAGAIN`, and the thread waits in
//! epoll for the other end's edge.
//!
//! To add a workload: write a detsim and a tokio function with the same
//! body (`fn(ops) -> Duration`, timing only the work) and append a
//! [`Workload`] to [`workloads`].

use std::fmt::Write as _;
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant as HostInstant};

use futures::task::AtomicWaker;

/// One benchmark: the same work on both runtimes.
struct Workload {
    /// Table row and JSON key.
    name: &'static str,
    /// The ratio (detsim / tokio) to stay at or under.
    target: f64,
    /// Operations per repetition in the full run; `ns/op` divides by this.
    ops: usize,
    /// Operations per repetition under `DETSIM_BENCH_QUICK=1`.
    quick_ops: usize,
    /// Runs `ops` operations on a fresh detsim runtime; returns the host
    /// time the operations took.
    detsim: fn(usize) -> Duration,
    /// The same on a fresh tokio `current_thread` runtime.
    tokio: fn(usize) -> Duration,
}

fn workloads() -> Vec<Workload> {
    vec![
        Workload {
            name: "spawn_join_batch_10k",
            target: 0.5,
            ops: 10_000,
            quick_ops: 10_000,
            detsim: detsim_spawn_join_batch,
            tokio: tokio_spawn_join_batch,
        },
        Workload {
            name: "spawn_await_one_at_a_time",
            target: 0.3,
            ops: 10_000,
            quick_ops: 10_000,
            detsim: detsim_spawn_await_serial,
            tokio: tokio_spawn_await_serial,
        },
        Workload {
            name: "yield_now_100_tasks",
            target: 1.0,
            ops: 100 * 500,
            quick_ops: 100 * 100,
            detsim: detsim_yield_many,
            tokio: tokio_yield_many,
        },
        Workload {
            name: "ping_pong_wake",
            target: 0.5,
            ops: 100_000,
            quick_ops: 20_000,
            detsim: detsim_ping_pong,
            tokio: tokio_ping_pong,
        },
        Workload {
            name: "sleep_chain_10k",
            target: 0.15,
            ops: 10_000,
            quick_ops: 10_000,
            detsim: detsim_sleep_chain,
            tokio: tokio_sleep_chain,
        },
        Workload {
            name: "random_sleepers_1k",
            target: 0.6,
            ops: SLEEPERS * 10,
            quick_ops: SLEEPERS * 2,
            detsim: detsim_random_sleepers,
            tokio: tokio_random_sleepers,
        },
        // Issue 3: the kernel's devices.
        Workload {
            name: "duplex_ping_pong_1byte",
            target: 0.5,
            ops: 100_000,
            quick_ops: 20_000,
            detsim: detsim_duplex_ping_pong,
            tokio: tokio_duplex_ping_pong,
        },
        Workload {
            // tokio has no block device: its column is a spawn_blocking
            // round trip, what tokio::fs pays per operation.
            name: "block_dev_submit_complete",
            target: 0.5,
            ops: 20_000,
            quick_ops: 5_000,
            detsim: detsim_block_device_op,
            tokio: tokio_spawn_blocking_op,
        },
        // Issue 4: the network. tokio's column is a real loopback TCP
        // round trip through the host kernel.
        Workload {
            name: "tcp_echo_1byte_1_conn",
            target: 0.1,
            ops: 50_000,
            quick_ops: 10_000,
            detsim: detsim_tcp_echo_one,
            tokio: tokio_tcp_echo_one,
        },
        Workload {
            name: "tcp_echo_1byte_64_hosts",
            target: 0.1,
            ops: 64 * 1_000,
            quick_ops: 64 * 200,
            detsim: detsim_tcp_echo_64_hosts,
            tokio: tokio_tcp_echo_64_conns,
        },
        // Issue 5: the simulated disk. tokio has no simulated disk: its
        // column is a tokio::fs::File 4 KiB write to a real temp file
        // (spawn_blocking + pwrite into the host page cache), a different
        // thing.
        Workload {
            name: "fs_write_4k_sim_vs_real_disk",
            target: 0.5,
            ops: 20_000,
            quick_ops: 5_000,
            detsim: detsim_fs_write_4k,
            tokio: tokio_fs_write_4k,
        },
        // Issue 6: the OS backend. Both columns are real loopback TCP
        // through the host kernel, on the same kind of executor loop.
        Workload {
            name: "os_tcp_echo_1byte_1_conn",
            target: 0.9,
            ops: 5_000,
            quick_ops: 2_000,
            detsim: detsim_os_tcp_echo_one,
            tokio: tokio_tcp_echo_one,
        },
        Workload {
            name: "os_tcp_echo_1byte_64_conns",
            target: 0.95,
            ops: 64 * 100,
            quick_ops: 64 * 40,
            detsim: detsim_os_tcp_echo_64_conns,
            tokio: tokio_tcp_echo_64_conns,
        },
    ]
}

/// The seed of every detsim runtime here: one fixed schedule, so repeated
/// runs measure the same interleaving.
const SEED: u64 = 0x2a;

fn detsim_rt() -> detsim::Runtime {
    let mut config = detsim::Config::default();
    config.long_poll_budget = Duration::ZERO;
    detsim::Runtime::with_config(SEED, config)
}

fn tokio_rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("build tokio runtime")
}

/// A tokio runtime whose clock only moves when every task waits on a timer,
/// like detsim's virtual clock.
fn tokio_rt_paused() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("build paused tokio runtime")
}

// --- spawn 10k tasks, then join them all -----------------------------------

fn detsim_spawn_join_batch(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        let handles: Vec<_> = (0..n).map(|i| detsim::spawn(async move { i })).collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

fn tokio_spawn_join_batch(n: usize) -> Duration {
    tokio_rt().block_on(async move {
        let start = HostInstant::now();
        let handles: Vec<_> = (0..n).map(|i| tokio::spawn(async move { i })).collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

// --- spawn one task and await it, n times -----------------------------------

fn detsim_spawn_await_serial(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        let mut sum = 0;
        for i in 0..n {
            sum += detsim::spawn(async move { i }).await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

fn tokio_spawn_await_serial(n: usize) -> Duration {
    tokio_rt().block_on(async move {
        let start = HostInstant::now();
        let mut sum = 0;
        for i in 0..n {
            sum += tokio::spawn(async move { i }).await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

// --- 100 tasks yielding; n is the total number of yields --------------------

const YIELDERS: usize = 100;

fn detsim_yield_many(n: usize) -> Duration {
    let per_task = n / YIELDERS;
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        let handles: Vec<_> = (0..YIELDERS)
            .map(|_| {
                detsim::spawn(async move {
                    for _ in 0..per_task {
                        detsim::task::yield_now().await;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        start.elapsed()
    })
}

fn tokio_yield_many(n: usize) -> Duration {
    let per_task = n / YIELDERS;
    tokio_rt().block_on(async move {
        let start = HostInstant::now();
        let handles: Vec<_> = (0..YIELDERS)
            .map(|_| {
                tokio::spawn(async move {
                    for _ in 0..per_task {
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        start.elapsed()
    })
}

// --- two tasks handing a token back and forth; n is the number of hand-offs --
//
// The mechanism is runtime-free (an atomic counter and one `AtomicWaker` per
// player), so both sides run identical futures and only the executors' wake
// and poll paths differ. It is `Send`, so tokio uses plain `tokio::spawn`
// rather than paying for a `LocalSet`.

struct Court {
    /// How many hits so far; player `hits % 2` is to play.
    hits: AtomicUsize,
    wakers: [AtomicWaker; 2],
}

impl Court {
    fn new() -> Arc<Court> {
        Arc::new(Court {
            hits: AtomicUsize::new(0),
            wakers: [AtomicWaker::new(), AtomicWaker::new()],
        })
    }
}

/// Resolves when the court has seen exactly `hit` hits: `me`'s turn.
struct MyTurn<'a> {
    court: &'a Court,
    me: usize,
    hit: usize,
}

impl Future for MyTurn<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.court.hits.load(Ordering::Acquire) == self.hit {
            return Poll::Ready(());
        }
        self.court.wakers[self.me].register(cx.waker());
        // Checked again after registering: a hit in between would otherwise
        // be a lost wakeup.
        if self.court.hits.load(Ordering::Acquire) == self.hit {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

/// Player `me` makes every hit `h < n` with `h % 2 == me`.
async fn player(court: Arc<Court>, me: usize, n: usize) {
    for hit in (me..n).step_by(2) {
        MyTurn {
            court: &court,
            me,
            hit,
        }
        .await;
        court.hits.store(hit + 1, Ordering::Release);
        court.wakers[1 - me].wake();
    }
}

fn detsim_ping_pong(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let court = Court::new();
        let start = HostInstant::now();
        let a = detsim::spawn(player(court.clone(), 0, n));
        let b = detsim::spawn(player(court.clone(), 1, n));
        a.await.unwrap();
        b.await.unwrap();
        assert_eq!(court.hits.load(Ordering::Relaxed), n);
        start.elapsed()
    })
}

fn tokio_ping_pong(n: usize) -> Duration {
    tokio_rt().block_on(async move {
        let court = Court::new();
        let start = HostInstant::now();
        let a = tokio::spawn(player(court.clone(), 0, n));
        let b = tokio::spawn(player(court.clone(), 1, n));
        a.await.unwrap();
        b.await.unwrap();
        assert_eq!(court.hits.load(Ordering::Relaxed), n);
        start.elapsed()
    })
}

// --- one task sleeping 1 ms, n times in a row -------------------------------

const CHAIN_STEP: Duration = Duration::from_millis(1);

fn detsim_sleep_chain(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        for _ in 0..n {
            detsim::time::sleep(CHAIN_STEP).await;
        }
        start.elapsed()
    })
}

fn tokio_sleep_chain(n: usize) -> Duration {
    tokio_rt_paused().block_on(async move {
        let start = HostInstant::now();
        for _ in 0..n {
            tokio::time::sleep(CHAIN_STEP).await;
        }
        start.elapsed()
    })
}

// --- 1,000 tasks sleeping until random deadlines ----------------------------
//
// n is the total number of sleepers: n / SLEEPERS rounds of SLEEPERS tasks,
// one round after another on the same runtime. Deadlines are whole
// milliseconds (tokio's timer resolution) from a fixed-seed generator, the
// same list on both sides.

const SLEEPERS: usize = 1_000;
const SLEEP_MAX_MS: u64 = 10_000;

/// splitmix64: deterministic, and independent of both runtimes' RNGs.
fn deadlines_ms() -> Vec<u64> {
    let mut state: u64 = 0x5eed_0fde_751a;
    (0..SLEEPERS)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            1 + z % SLEEP_MAX_MS
        })
        .collect()
}

fn detsim_random_sleepers(n: usize) -> Duration {
    let deadlines = deadlines_ms();
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        for _ in 0..n / SLEEPERS {
            let base = detsim::time::Instant::now();
            let handles: Vec<_> = deadlines
                .iter()
                .map(|&ms| {
                    let at = base + Duration::from_millis(ms);
                    detsim::spawn(detsim::time::sleep_until(at))
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        }
        start.elapsed()
    })
}

fn tokio_random_sleepers(n: usize) -> Duration {
    let deadlines = deadlines_ms();
    tokio_rt_paused().block_on(async move {
        let start = HostInstant::now();
        for _ in 0..n / SLEEPERS {
            let base = tokio::time::Instant::now();
            let handles: Vec<_> = deadlines
                .iter()
                .map(|&ms| {
                    let at = base + Duration::from_millis(ms);
                    tokio::spawn(tokio::time::sleep_until(at))
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        }
        start.elapsed()
    })
}

// --- 1-byte ping-pong over an in-memory duplex; n round trips --------------

fn detsim_duplex_ping_pong(n: usize) -> Duration {
    use futures::{AsyncReadExt, AsyncWriteExt};
    detsim_rt().block_on(async move {
        let (mut a, mut b) = detsim::io::duplex(64);
        let start = HostInstant::now();
        let echo = detsim::spawn(async move {
            let mut byte = [0u8];
            for _ in 0..n {
                b.read_exact(&mut byte).await.unwrap();
                b.write_all(&byte).await.unwrap();
            }
        });
        let mut byte = [0u8];
        for i in 0..n {
            a.write_all(&[i as u8]).await.unwrap();
            a.read_exact(&mut byte).await.unwrap();
        }
        echo.await.unwrap();
        start.elapsed()
    })
}

fn tokio_duplex_ping_pong(n: usize) -> Duration {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    tokio_rt().block_on(async move {
        let (mut a, mut b) = tokio::io::duplex(64);
        let start = HostInstant::now();
        let echo = tokio::spawn(async move {
            let mut byte = [0u8];
            for _ in 0..n {
                b.read_exact(&mut byte).await.unwrap();
                b.write_all(&byte).await.unwrap();
            }
        });
        let mut byte = [0u8];
        for i in 0..n {
            a.write_all(&[i as u8]).await.unwrap();
            a.read_exact(&mut byte).await.unwrap();
        }
        echo.await.unwrap();
        start.elapsed()
    })
}

// --- one completion-model operation, submitted and awaited; n of them -------

fn detsim_block_device_op(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let dev = detsim::io::BlockDevice::new(detsim::io::BlockDeviceConfig::default());
        let mut buf = vec![0u8; 512];
        let start = HostInstant::now();
        for i in 0..n {
            let (r, b) = dev.write_at(buf, (i as u64 % 1024) * 4096).await;
            black_box(r.unwrap());
            buf = b;
        }
        start.elapsed()
    })
}

fn tokio_spawn_blocking_op(n: usize) -> Duration {
    tokio_rt().block_on(async move {
        let mut buf = vec![0u8; 512];
        let start = HostInstant::now();
        for i in 0..n {
            buf = tokio::task::spawn_blocking(move || {
                buf[0] = i as u8;
                buf
            })
            .await
            .unwrap();
        }
        black_box(&buf);
        start.elapsed()
    })
}

// --- 1-byte TCP echo; n round trips -----------------------------------------
//
// detsim: simulated hosts and links (no faults); tokio: real sockets on
// 127.0.0.1, so its column includes the host kernel's loopback path. The
// 64-host variant runs n / 64 round trips on each of 64 connections at
// once (64 client hosts in detsim; 64 connections in tokio).

async fn detsim_echo_server() -> std::io::Result<()> {
    use futures::{AsyncReadExt, AsyncWriteExt};
    let listener = detsim::net::TcpListener::bind("0.0.0.0:7").await?;
    loop {
        let (mut conn, _) = listener.accept().await?;
        detsim::spawn(async move {
            let mut byte = [0u8];
            while conn.read(&mut byte).await.unwrap_or(0) == 1 {
                conn.write_all(&byte).await.unwrap();
            }
        });
    }
}

async fn detsim_echo_client(mut conn: detsim::net::TcpStream, n: usize) {
    use futures::{AsyncReadExt, AsyncWriteExt};
    let mut byte = [0u8];
    for i in 0..n {
        conn.write_all(&[i as u8]).await.unwrap();
        conn.read_exact(&mut byte).await.unwrap();
    }
}

fn detsim_tcp_echo_one(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        detsim::net::host("echo", detsim_echo_server);
        let conn = detsim::net::TcpStream::connect("echo:7").await.unwrap();
        let start = HostInstant::now();
        detsim_echo_client(conn, n).await;
        start.elapsed()
    })
}

fn detsim_tcp_echo_64_hosts(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        detsim::net::host("echo", detsim_echo_server);
        let ready = std::rc::Rc::new(std::cell::Cell::new(0));
        let mut go = Vec::new();
        let clients: Vec<_> = (0..64)
            .map(|h| {
                let ready = ready.clone();
                let (tx, rx) = futures::channel::oneshot::channel::<()>();
                go.push(tx);
                detsim::net::client(&format!("client-{h}"), async move {
                    let conn = detsim::net::TcpStream::connect("echo:7").await.unwrap();
                    ready.set(ready.get() + 1);
                    rx.await.unwrap();
                    detsim_echo_client(conn, n / 64).await;
                })
            })
            .collect();
        while ready.get() < 64 {
            detsim::time::sleep(Duration::from_micros(10)).await;
        }
        let start = HostInstant::now();
        for tx in go {
            tx.send(()).unwrap();
        }
        for c in clients {
            c.await.unwrap();
        }
        start.elapsed()
    })
}

fn tokio_rt_io() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build tokio runtime with IO")
}

async fn tokio_echo_listener() -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut conn, _) = listener.accept().await.unwrap();
            conn.set_nodelay(true).unwrap();
            tokio::spawn(async move {
                let mut byte = [0u8];
                while conn.read(&mut byte).await.unwrap_or(0) == 1 {
                    conn.write_all(&byte).await.unwrap();
                }
            });
        }
    });
    addr
}

async fn tokio_echo_client(mut conn: tokio::net::TcpStream, n: usize) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut byte = [0u8];
    for i in 0..n {
        conn.write_all(&[i as u8]).await.unwrap();
        conn.read_exact(&mut byte).await.unwrap();
    }
}

fn tokio_tcp_echo_one(n: usize) -> Duration {
    tokio_rt_io().block_on(async move {
        let addr = tokio_echo_listener().await;
        let conn = tokio::net::TcpStream::connect(addr).await.unwrap();
        conn.set_nodelay(true).unwrap();
        let start = HostInstant::now();
        tokio_echo_client(conn, n).await;
        start.elapsed()
    })
}

fn tokio_tcp_echo_64_conns(n: usize) -> Duration {
    tokio_rt_io().block_on(async move {
        let addr = tokio_echo_listener().await;
        let mut conns = Vec::new();
        for _ in 0..64 {
            let conn = tokio::net::TcpStream::connect(addr).await.unwrap();
            conn.set_nodelay(true).unwrap();
            conns.push(conn);
        }
        let start = HostInstant::now();
        let clients: Vec<_> = conns
            .into_iter()
            .map(|c| tokio::spawn(tokio_echo_client(c, n / 64)))
            .collect();
        for c in clients {
            c.await.unwrap();
        }
        start.elapsed()
    })
}

// --- 4 KiB file writes, each awaited to completion; n of them ---------------
//
// detsim: a simulated file on the simulated disk (no faults), owned-buffer
// `write_at` over a 4 MiB region, so each write is one submission and one
// completion at a seeded virtual time. tokio: a real temp file through
// `tokio::fs::File` (`write_all` hands the buffer to spawn_blocking, `flush`
// waits for the pwrite): host page cache, no fsync on either side.
//
// The simulated disk keeps every unsynced write (its crash model decides
// each one's fate at a crash), so without an fsync memory grows by 4 KiB a
// write: in a 20,000-write repetition most of detsim's time is page
// faults and copying, not the submit/complete path.

const FS_BLOCK_BYTES: usize = 4096;
const FS_REGION_BLOCKS: usize = 1024;

fn detsim_fs_write_4k(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let file = detsim::fs::File::create("/bench-4k").await.unwrap();
        let mut buf = vec![0x5a_u8; FS_BLOCK_BYTES];
        let start = HostInstant::now();
        for i in 0..n {
            let offset = (i % FS_REGION_BLOCKS * FS_BLOCK_BYTES) as u64;
            let (r, b) = file.write_at(buf, offset).await;
            assert_eq!(r.unwrap(), FS_BLOCK_BYTES);
            buf = b;
        }
        start.elapsed()
    })
}

fn tokio_fs_write_4k(n: usize) -> Duration {
    use tokio::io::{AsyncSeekExt, AsyncWriteExt};
    let path = std::env::temp_dir().join(format!("detsim-bench-4k-{}", std::process::id()));
    let elapsed = tokio_rt().block_on(async {
        let mut file = tokio::fs::File::create(&path).await.unwrap();
        let buf = vec![0x5a_u8; FS_BLOCK_BYTES];
        let start = HostInstant::now();
        for i in 0..n {
            if i % FS_REGION_BLOCKS == 0 {
                file.seek(std::io::SeekFrom::Start(0)).await.unwrap();
            }
            file.write_all(&buf).await.unwrap();
            file.flush().await.unwrap();
        }
        start.elapsed()
    });
    std::fs::remove_file(&path).unwrap();
    elapsed
}

// --- 1-byte TCP echo on the OS backend; n round trips -------------------------
//
// The same program as the tokio side above (`tokio_echo_listener`,
// `tokio_echo_client`), on `detsim::Runtime::os()`: real sockets on
// 127.0.0.1 with TCP_NODELAY, epoll, the detsim executor.

fn detsim_os_rt() -> detsim::Runtime {
    detsim::Runtime::os().expect("build the detsim OS runtime")
}

async fn detsim_os_echo_listener() -> std::net::SocketAddr {
    use futures::{AsyncReadExt, AsyncWriteExt};
    let listener = detsim::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr();
    detsim::spawn(async move {
        loop {
            let (mut conn, _) = listener.accept().await.unwrap();
            conn.set_nodelay(true).unwrap();
            detsim::spawn(async move {
                let mut byte = [0u8];
                while conn.read(&mut byte).await.unwrap_or(0) == 1 {
                    conn.write_all(&byte).await.unwrap();
                }
            });
        }
    });
    addr
}

async fn detsim_os_connect(addr: std::net::SocketAddr) -> detsim::net::TcpStream {
    let conn = detsim::net::TcpStream::connect(addr).await.unwrap();
    conn.set_nodelay(true).unwrap();
    conn
}

fn detsim_os_tcp_echo_one(n: usize) -> Duration {
    detsim_os_rt().block_on(async move {
        let addr = detsim_os_echo_listener().await;
        let conn = detsim_os_connect(addr).await;
        let start = HostInstant::now();
        detsim_echo_client(conn, n).await;
        start.elapsed()
    })
}

fn detsim_os_tcp_echo_64_conns(n: usize) -> Duration {
    detsim_os_rt().block_on(async move {
        let addr = detsim_os_echo_listener().await;
        let mut conns = Vec::new();
        for _ in 0..64 {
            conns.push(detsim_os_connect(addr).await);
        }
        let start = HostInstant::now();
        let clients: Vec<_> = conns
            .into_iter()
            .map(|c| detsim::spawn(detsim_echo_client(c, n / 64)))
            .collect();
        for c in clients {
            c.await.unwrap();
        }
        start.elapsed()
    })
}

// --- 10,000 concurrent loopback connections on the OS backend ----------------
//
// Not a ratio: printed after the table. The client ends live in this
// process, the server ends in a child process (this bench binary again,
// with `DETSIM_BENCH_ECHO_CHILD=1`, also on `detsim::Runtime::os()`): with
// both ends here, 10,000 connections need 20,000 descriptors plus a few,
// over this machine's hard RLIMIT_NOFILE of 20,000, which only
// CAP_SYS_RESOURCE may raise. Both processes raise their soft limit to the
// hard one. Set-up is every connect (with TCP_NODELAY), one after another,
// in batches of [`CONNECT_BATCH`] confirmed by an echo on the batch's last
// connection; then every connection echoes one byte, all at once, while all
// stay open.
//
// Why the batches: `detsim::net::TcpListener` listens with std's backlog
// of 128. Unpaced, a burst of connects overflows the child's accept queue
// whenever the child is off the CPU for a few milliseconds (two cores,
// shared), Linux drops the SYN, and that connect waits out the 1 s SYN
// retransmission: 10,000 connections took 8 s that way, almost all of it
// in some 40 such waits.

const OS_CONNECTIONS: usize = 10_000;
const CONNECT_BATCH: usize = 64;
const ECHO_CHILD_ENV: &str = "DETSIM_BENCH_ECHO_CHILD";

/// Raises the soft RLIMIT_NOFILE to the hard limit; returns the new soft
/// limit (`None`: unlimited).
fn raise_nofile_limit() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    limit.current = limit.maximum;
    setrlimit(Resource::Nofile, limit).expect("raise RLIMIT_NOFILE to the hard limit");
    getrlimit(Resource::Nofile).current
}

/// The child's whole life: serve 1-byte echo on 127.0.0.1, print the port,
/// exit when the parent closes our stdin.
fn run_echo_child() {
    raise_nofile_limit();
    // A plain thread, outside the runtime: the only way to notice the
    // parent going away while the executor waits in epoll.
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
    detsim_os_rt().block_on(async {
        let addr = detsim_os_echo_listener().await;
        println!("{}", addr.port());
        std::io::Write::flush(&mut std::io::stdout()).unwrap();
        std::future::pending::<()>().await;
    });
}

struct ConnectionsReport {
    nofile_limit: Option<u64>,
    setup: Duration,
    echoed: usize,
    echo_time: Duration,
}

fn os_connections(count: usize) -> ConnectionsReport {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let nofile_limit = raise_nofile_limit();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env(ECHO_CHILD_ENV, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the echo server child");
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().parse().expect("the child prints its port");
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let (setup, echoed, echo_time) = detsim_os_rt().block_on(async move {
        use futures::{AsyncReadExt, AsyncWriteExt};
        let start = HostInstant::now();
        let mut conns: Vec<detsim::net::TcpStream> = Vec::with_capacity(count);
        while conns.len() < count {
            for _ in 0..CONNECT_BATCH.min(count - conns.len()) {
                conns.push(detsim_os_connect(addr).await);
            }
            // The child has accepted every connection so far once the last
            // one echoes (accept queues are FIFO).
            let last = conns.last_mut().unwrap();
            let mut byte = [0u8];
            last.write_all(&[1]).await.unwrap();
            last.read_exact(&mut byte).await.unwrap();
        }
        let setup = start.elapsed();
        let start = HostInstant::now();
        let echoes: Vec<_> = conns
            .into_iter()
            .map(|mut conn| {
                detsim::spawn(async move {
                    let mut byte = [0u8];
                    let ok = conn.write_all(&[42]).await.is_ok()
                        && conn.read_exact(&mut byte).await.is_ok()
                        && byte == [42];
                    (ok, conn)
                })
            })
            .collect();
        // Every connection stays open until all have echoed.
        let mut held = Vec::with_capacity(count);
        let mut echoed = 0;
        for e in echoes {
            let (ok, conn) = e.await.unwrap();
            echoed += usize::from(ok);
            held.push(conn);
        }
        (setup, echoed, start.elapsed())
    });
    drop(child.stdin.take());
    child.wait().expect("wait for the echo server child");
    ConnectionsReport {
        nofile_limit,
        setup,
        echoed,
        echo_time,
    }
}

// --- a crash-recovery cycle of examples/wal_kv.rs ---------------------------
//
// No tokio equivalent: printed after the table (and in the JSON with a null
// tokio column). One cycle is one seed of the example's correct check under
// `Faults::default()`: a fresh simulated runtime, 40 puts each appended and
// fsynced, a node crash at a random virtual time, recovery by replaying the
// log, and the check that every acknowledged put survived. The store is the
// example's own module, compiled in here too.

#[path = "../examples/wal_kv/store.rs"]
mod wal_kv;

#[path = "support/seed_memory.rs"]
mod seed_memory;

struct WalReport {
    /// Median over batches of the host time per cycle.
    per_cycle: Duration,
    cycles: usize,
    failed: usize,
}

/// `batches` batches of `per_batch` cycles, seeds counted up from [`SEED`].
fn wal_kv_cycles(batches: usize, per_batch: usize) -> WalReport {
    let mut config = detsim::Config::default();
    config.long_poll_budget = Duration::ZERO;
    config.faults = detsim::Faults::default();
    let mut seed = SEED;
    let mut failed = 0;
    let mut per_cycle_ns = Vec::with_capacity(batches);
    for _ in 0..batches {
        let start = HostInstant::now();
        for _ in 0..per_batch {
            let rt = detsim::Runtime::with_config(seed, config.clone());
            if !matches!(rt.try_block_on(wal_kv::crash_recovery(false)), Ok(Ok(()))) {
                failed += 1;
            }
            seed += 1;
        }
        per_cycle_ns.push(ns_per_op(start.elapsed(), per_batch));
    }
    WalReport {
        per_cycle: Duration::from_nanos(median(&mut per_cycle_ns) as u64),
        cycles: batches * per_batch,
        failed,
    }
}

// --- 100,000 idle TCP connections: set-up time and memory -------------------
//
// Not a ratio against tokio (100k real sockets need raised fd limits):
// printed after the table. Memory is the VmRSS growth of this process
// divided by the connections, both simulated ends included, no tasks and
// no buffered payload; measured before any other workload so freed memory
// from earlier runs does not hide growth.

const IDLE_CONNECTIONS: usize = 100_000;

/// Resident memory from /proc (Linux); 0 elsewhere.
fn vm_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

struct IdleReport {
    connections: usize,
    setup: Duration,
    bytes_per_connection: f64,
}

fn idle_connections(count: usize) -> IdleReport {
    use std::cell::RefCell;
    use std::rc::Rc;
    const HOSTS: usize = 100;
    let rt = detsim_rt();
    rt.block_on(async move {
        let mut config = detsim::net::NetConfig::default();
        config.listen_backlog = count + 1;
        detsim::net::configure(config);
        let accepted: Rc<RefCell<Vec<detsim::net::TcpStream>>> = Rc::default();
        let connected: Rc<RefCell<Vec<detsim::net::TcpStream>>> = Rc::default();
        let rss_before = vm_rss_bytes();
        let start = HostInstant::now();
        {
            let accepted = accepted.clone();
            detsim::net::host("server", move || {
                let accepted = accepted.clone();
                async move {
                    let listener = detsim::net::TcpListener::bind("0.0.0.0:80").await?;
                    loop {
                        let (conn, _) = listener.accept().await?;
                        accepted.borrow_mut().push(conn);
                    }
                    #[allow(unreachable_code)]
                    std::io::Result::Ok(())
                }
            });
        }
        let clients: Vec<_> = (0..HOSTS)
            .map(|h| {
                let connected = connected.clone();
                detsim::net::client(&format!("client-{h}"), async move {
                    for _ in 0..count / HOSTS {
                        let conn = detsim::net::TcpStream::connect("server:80").await.unwrap();
                        connected.borrow_mut().push(conn);
                    }
                })
            })
            .collect();
        for c in clients {
            c.await.unwrap();
        }
        while accepted.borrow().len() < count / HOSTS * HOSTS {
            detsim::time::sleep(Duration::from_millis(1)).await;
        }
        let setup = start.elapsed();
        let grown = vm_rss_bytes().saturating_sub(rss_before);
        let connections = accepted.borrow().len();
        black_box((&accepted, &connected));
        IdleReport {
            connections,
            setup,
            bytes_per_connection: grown as f64 / connections as f64,
        }
    })
}

// --- the harness --------------------------------------------------------------

struct Row {
    name: &'static str,
    target: f64,
    detsim_ns: f64,
    tokio_ns: f64,
    /// (min, max) of the per-repetition detsim/tokio ratios: the noise.
    ratio_spread: (f64, f64),
}

impl Row {
    fn ratio(&self) -> f64 {
        self.detsim_ns / self.tokio_ns
    }

    fn passes(&self) -> bool {
        self.ratio() <= self.target
    }
}

fn median(xs: &mut [f64]) -> f64 {
    xs.sort_by(f64::total_cmp);
    let mid = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[mid]
    } else {
        (xs[mid - 1] + xs[mid]) / 2.0
    }
}

fn ns_per_op(d: Duration, ops: usize) -> f64 {
    d.as_nanos() as f64 / ops as f64
}

/// Warms both sides up once, then runs `reps` interleaved repetitions.
fn measure(w: &Workload, ops: usize, reps: usize) -> Row {
    black_box((w.detsim)(ops));
    black_box((w.tokio)(ops));
    let mut detsim = Vec::with_capacity(reps);
    let mut tokio = Vec::with_capacity(reps);
    for rep in 0..reps {
        if rep % 2 == 0 {
            detsim.push(ns_per_op((w.detsim)(ops), ops));
            tokio.push(ns_per_op((w.tokio)(ops), ops));
        } else {
            tokio.push(ns_per_op((w.tokio)(ops), ops));
            detsim.push(ns_per_op((w.detsim)(ops), ops));
        }
    }
    let ratios: Vec<f64> = detsim.iter().zip(&tokio).map(|(d, t)| d / t).collect();
    let spread = ratios
        .iter()
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), &r| {
            (lo.min(r), hi.max(r))
        });
    Row {
        name: w.name,
        target: w.target,
        detsim_ns: median(&mut detsim),
        tokio_ns: median(&mut tokio),
        ratio_spread: spread,
    }
}

fn print_table(rows: &[Row], reps: usize) {
    println!();
    println!(
        "{:<30} | {:>12} | {:>11} | {:>6} | {:<11} | per-rep ratio min..max",
        "workload", "detsim ns/op", "tokio ns/op", "ratio", "target"
    );
    println!("{}", "-".repeat(104));
    for r in rows {
        let verdict = if r.passes() { "pass" } else { "MISS" };
        println!(
            "{:<30} | {:>12.1} | {:>11.1} | {:>6.3} | <={:<4.2} {:<4} | {:.3}..{:.3}",
            r.name,
            r.detsim_ns,
            r.tokio_ns,
            r.ratio(),
            r.target,
            verdict,
            r.ratio_spread.0,
            r.ratio_spread.1,
        );
    }
    let passed = rows.iter().filter(|r| r.passes()).count();
    println!(
        "\n{passed}/{} targets met (median of {reps} interleaved repetitions; ratio = detsim / tokio)",
        rows.len()
    );
}

/// Issue 3 and 4 targets in absolute terms: µs per round trip, and the
/// 64-host echo against the one-connection echo.
fn print_absolute_targets(rows: &[Row]) {
    let ns = |name: &str| rows.iter().find(|r| r.name == name).map(|r| r.detsim_ns);
    let verdict = |ok: bool| if ok { "pass" } else { "MISS" };
    for name in ["duplex_ping_pong_1byte", "tcp_echo_1byte_1_conn"] {
        if let Some(ns) = ns(name) {
            println!(
                "{name}: {:.3} µs per round trip (target <= 0.3) {}",
                ns / 1000.0,
                verdict(ns <= 300.0)
            );
        }
    }
    if let (Some(one), Some(many)) = (ns("tcp_echo_1byte_1_conn"), ns("tcp_echo_1byte_64_hosts")) {
        println!(
            "tcp_echo_1byte_64_hosts: {:.2}x the one-connection cost per round trip \
             (target <= 2) {}",
            many / one,
            verdict(many / one <= 2.0)
        );
    }
    if let Some(ns) = ns("block_dev_submit_complete") {
        println!(
            "block_dev_submit_complete: {ns:.0} ns per submit->complete (tokio column: a spawn_blocking round trip)"
        );
    }
    if let Some(r) = rows
        .iter()
        .find(|r| r.name == "fs_write_4k_sim_vs_real_disk")
    {
        println!(
            "fs_write_4k_sim_vs_real_disk: {:.0} ns per simulated 4 KiB write+complete \
             (tokio column: a real 4 KiB tokio::fs write to the host page cache, {:.0} ns: \
             disk vs simulation, not the same work)",
            r.detsim_ns, r.tokio_ns
        );
    }
    for name in ["os_tcp_echo_1byte_1_conn", "os_tcp_echo_1byte_64_conns"] {
        if let Some(r) = rows.iter().find(|r| r.name == name) {
            println!(
                "{name}: {:.2} µs per round trip on detsim's OS backend, {:.2} µs on tokio",
                r.detsim_ns / 1000.0,
                r.tokio_ns / 1000.0
            );
        }
    }
}

/// `{"workload": {"detsim_ns": .., "tokio_ns": .., "ratio": ..}, ...}`;
/// `extras` (detsim-only measurements, ns per operation) get `null` for
/// `tokio_ns` and `ratio`.
fn to_json(rows: &[Row], extras: &[(&str, f64)]) -> String {
    let mut entries: Vec<String> = rows
        .iter()
        .map(|r| {
            // Names are plain identifiers: nothing to escape.
            format!(
                "  \"{}\": {{\"detsim_ns\": {:.3}, \"tokio_ns\": {:.3}, \"ratio\": {:.5}}}",
                r.name,
                r.detsim_ns,
                r.tokio_ns,
                r.ratio()
            )
        })
        .collect();
    entries.extend(extras.iter().map(|(name, ns)| {
        format!("  \"{name}\": {{\"detsim_ns\": {ns:.3}, \"tokio_ns\": null, \"ratio\": null}}")
    }));
    let mut out = String::from("{\n");
    for (i, e) in entries.iter().enumerate() {
        let sep = if i + 1 == entries.len() { "" } else { "," };
        writeln!(out, "{e}{sep}").expect("write to String");
    }
    out.push_str("}\n");
    out
}

/// Runs one side only, long enough for a sampling profiler to see it; no
/// table. `side` is `detsim` or `tokio`; `DETSIM_BENCH_PROFILE_REPS`
/// overrides the repetition count (a few are enough under strace).
fn profile(selected: &[Workload], side: &str, quick: bool) {
    let reps = std::env::var("DETSIM_BENCH_PROFILE_REPS")
        .ok()
        .map(|v| {
            v.parse::<usize>()
                .unwrap_or_else(|_| panic!("DETSIM_BENCH_PROFILE_REPS={v}: expected a count"))
        })
        .unwrap_or(if quick { 200 } else { 1_000 });
    for w in selected {
        let run = match side {
            "detsim" => w.detsim,
            "tokio" => w.tokio,
            other => panic!("DETSIM_BENCH_PROFILE={other}: expected `detsim` or `tokio`"),
        };
        let ops = if quick { w.quick_ops } else { w.ops };
        let total: Duration = (0..reps).map(|_| run(ops)).sum();
        println!(
            "{side} {:<30} {:>8.1} ns/op over {reps} repetitions",
            w.name,
            ns_per_op(total, ops * reps)
        );
    }
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Whether a detsim-only measurement printed after the table runs: no
/// filter, or a filter that is part of its name.
fn extra_selected(filters: &[String], name: &str) -> bool {
    filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str()))
}

fn main() {
    if env_flag(ECHO_CHILD_ENV) {
        run_echo_child();
        return;
    }
    let quick = env_flag("DETSIM_BENCH_QUICK");
    let reps = if quick { 21 } else { 101 };
    // `cargo bench` passes `--bench`; any other argument filters by name.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let selected: Vec<Workload> = workloads()
        .into_iter()
        .filter(|w| filters.is_empty() || filters.iter().any(|f| w.name.contains(f.as_str())))
        .collect();
    println!(
        "detsim vs tokio current_thread: {} workloads, {reps} repetitions{}",
        selected.len(),
        if quick { " (quick)" } else { "" }
    );
    let started = HostInstant::now();
    if let Ok(side) = std::env::var("DETSIM_BENCH_PROFILE") {
        profile(&selected, &side, quick);
        return;
    }
    // Measured first, on a fresh heap; printed after the table.
    let idle = extra_selected(&filters, "idle_connections").then(|| {
        idle_connections(if quick {
            IDLE_CONNECTIONS / 10
        } else {
            IDLE_CONNECTIONS
        })
    });
    // Also before the workloads: their freed memory would hide growth.
    let seeds = extra_selected(&filters, "seed_memory").then(|| {
        let more = if quick { 20_000 } else { 99_000 };
        let report = seed_memory::seed_memory(1_000, more, vm_rss_bytes);
        eprintln!("  seed_memory done ({:.1?} elapsed)", started.elapsed());
        report
    });
    let rows: Vec<Row> = selected
        .iter()
        .map(|w| {
            let ops = if quick { w.quick_ops } else { w.ops };
            let row = measure(w, ops, reps);
            eprintln!(
                "  {:<30} done ({ops} ops/rep, {:.1?} elapsed)",
                w.name,
                started.elapsed()
            );
            row
        })
        .collect();
    let wal = extra_selected(&filters, "wal_kv_crash_recovery").then(|| {
        let (batches, per_batch) = if quick { (5, 40) } else { (11, 100) };
        wal_kv_cycles(batches, per_batch)
    });
    let os_conns = extra_selected(&filters, "os_connections_10k").then(|| {
        let report = os_connections(OS_CONNECTIONS);
        eprintln!(
            "  os_connections_10k done ({:.1?} elapsed)",
            started.elapsed()
        );
        report
    });
    print_table(&rows, reps);
    print_absolute_targets(&rows);
    if let Some(idle) = idle {
        println!(
            "idle_connections: {} simulated TCP connections set up in {:.1?} ({:.2} µs each); \
             VmRSS grew {:.0} bytes per connection, both ends (target <= 1024) {}",
            idle.connections,
            idle.setup,
            idle.setup.as_secs_f64() * 1e6 / idle.connections as f64,
            idle.bytes_per_connection,
            if idle.bytes_per_connection <= 1024.0 {
                "pass"
            } else {
                "MISS"
            }
        );
    }
    if let Some(m) = &seeds {
        println!(
            "seed_memory: VmRSS {:.1} MB after {} seeds (TCP echo, UDP receive timing out, \
             fsynced write; one thread), {:.1} MB after {} more: {:.0} bytes per seed \
             (target: a few MB in all, under 64 bytes per seed) {}",
            m.rss_first as f64 / 1e6,
            m.first,
            m.rss_after as f64 / 1e6,
            m.more,
            m.bytes_per_seed(),
            if m.bytes_per_seed() < 64.0 {
                "pass"
            } else {
                "MISS"
            }
        );
    }
    if let Some(wal) = &wal {
        println!(
            "wal_kv_crash_recovery: {:.1} µs per crash-recovery cycle of examples/wal_kv.rs \
             (one seed under Faults::default(): 40 fsynced puts, crash, replay, check; \
             median of batches, {} cycles, {} failed; no tokio equivalent)",
            wal.per_cycle.as_secs_f64() * 1e6,
            wal.cycles,
            wal.failed
        );
    }
    if let Some(c) = &os_conns {
        println!(
            "os_connections_10k: {OS_CONNECTIONS} concurrent loopback connections on detsim's OS \
             backend (server ends in a child process, RLIMIT_NOFILE {}): set up in {:.1?} \
             ({:.1} µs each); {}/{OS_CONNECTIONS} echoed one byte, all at once, in {:.1?} {}",
            c.nofile_limit
                .map_or_else(|| "unlimited".to_string(), |l| l.to_string()),
            c.setup,
            c.setup.as_secs_f64() * 1e6 / OS_CONNECTIONS as f64,
            c.echoed,
            c.echo_time,
            if c.echoed == OS_CONNECTIONS {
                "pass"
            } else {
                "MISS"
            }
        );
    }
    if let Some(path) = std::env::var_os("DETSIM_BENCH_JSON") {
        let extras: Vec<(&str, f64)> = wal
            .iter()
            .map(|w| ("wal_kv_crash_recovery_cycle", w.per_cycle.as_nanos() as f64))
            .collect();
        std::fs::write(&path, to_json(&rows, &extras))
            .unwrap_or_else(|e| panic!("DETSIM_BENCH_JSON={}: {e}", path.to_string_lossy()));
        println!("wrote {}", path.to_string_lossy());
    }
}
