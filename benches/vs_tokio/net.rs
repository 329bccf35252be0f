//! Network workloads: 1-byte TCP echo over simulated hosts and links
//! (tokio: real loopback sockets), and 100,000 idle simulated connections
//! (set-up time and memory, printed after the table).

use std::cell::RefCell;
use std::hint::black_box;
use std::rc::Rc;
use std::time::{Duration, Instant as HostInstant};

use crate::harness::{detsim_rt, vm_rss_bytes};
use crate::idle_streams::{Streams, open_idle};

// --- 1-byte TCP echo; n round trips -----------------------------------------
//
// detsim: simulated hosts and links (no faults); tokio: real sockets on
// 127.0.0.1, so its column includes the host kernel's loopback path. The
// 64-host variant runs n / 64 round trips on each of 64 connections at
// once (64 client hosts in detsim; 64 connections in tokio).

pub(crate) async fn detsim_echo_server() -> std::io::Result<()> {
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

pub(crate) async fn detsim_echo_client(mut conn: detsim::net::TcpStream, n: usize) {
    use futures::{AsyncReadExt, AsyncWriteExt};
    let mut byte = [0u8];
    for i in 0..n {
        conn.write_all(&[i as u8]).await.unwrap();
        conn.read_exact(&mut byte).await.unwrap();
    }
}

pub(crate) fn detsim_tcp_echo_one(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        detsim::net::host("echo", detsim_echo_server);
        let conn = detsim::net::TcpStream::connect("echo:7").await.unwrap();
        let start = HostInstant::now();
        detsim_echo_client(conn, n).await;
        start.elapsed()
    })
}

pub(crate) fn detsim_tcp_echo_64_hosts(n: usize) -> Duration {
    detsim_echo_from_hosts(64, n / 64, wall_clock)
}

/// Host time since the first call: a clock for [`detsim_echo_from_hosts`].
fn wall_clock() -> Duration {
    static EPOCH: std::sync::OnceLock<HostInstant> = std::sync::OnceLock::new();
    EPOCH.get_or_init(HostInstant::now).elapsed()
}

/// `hosts` client hosts connect to one echo server, then all at once run
/// `per_host` 1-byte round trips each; returns how far `clock` moved
/// while they ran (connecting is left out).
pub(crate) fn detsim_echo_from_hosts(
    hosts: usize,
    per_host: usize,
    clock: fn() -> Duration,
) -> Duration {
    detsim_rt().block_on(async move {
        detsim::net::host("echo", detsim_echo_server);
        let ready = std::rc::Rc::new(std::cell::Cell::new(0));
        let mut go = Vec::new();
        let clients: Vec<_> = (0..hosts)
            .map(|h| {
                let ready = ready.clone();
                let (tx, rx) = futures::channel::oneshot::channel::<()>();
                go.push(tx);
                detsim::net::client(&format!("client-{h}"), async move {
                    let conn = detsim::net::TcpStream::connect("echo:7").await.unwrap();
                    ready.set(ready.get() + 1);
                    rx.await.unwrap();
                    detsim_echo_client(conn, per_host).await;
                })
            })
            .collect();
        while ready.get() < hosts {
            detsim::time::sleep(Duration::from_micros(10)).await;
        }
        let start = clock();
        for tx in go {
            tx.send(()).unwrap();
        }
        for c in clients {
            c.await.unwrap();
        }
        clock().saturating_sub(start)
    })
}

pub(crate) fn tokio_rt_io() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("build tokio runtime with IO")
}

pub(crate) async fn tokio_echo_listener() -> std::net::SocketAddr {
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

pub(crate) fn tokio_tcp_echo_one(n: usize) -> Duration {
    tokio_rt_io().block_on(async move {
        let addr = tokio_echo_listener().await;
        let conn = tokio::net::TcpStream::connect(addr).await.unwrap();
        conn.set_nodelay(true).unwrap();
        let start = HostInstant::now();
        tokio_echo_client(conn, n).await;
        start.elapsed()
    })
}

pub(crate) fn tokio_tcp_echo_64_conns(n: usize) -> Duration {
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
// --- 100,000 idle TCP connections: set-up time and memory -------------------
//
// Not a ratio against tokio (100k real sockets need raised fd limits):
// printed after the table. Memory is the VmRSS growth of this process
// divided by the connections, both simulated ends included, no tasks and
// no buffered payload, nor the vectors holding the streams (sized
// beforehand); measured before any other workload so freed memory from
// earlier runs does not hide growth.

pub(crate) const IDLE_CONNECTIONS: usize = 100_000;

pub(crate) struct IdleReport {
    pub(crate) connections: usize,
    pub(crate) setup: Duration,
    pub(crate) bytes_per_connection: f64,
}

pub(crate) fn idle_connections(count: usize) -> IdleReport {
    const HOSTS: usize = 100;
    let rt = detsim_rt();
    rt.block_on(async move {
        let mut config = detsim::net::NetConfig::default();
        config.listen_backlog = count + 1;
        detsim::net::configure(config);
        // Sized beforehand, as `tests/idle_memory.rs` does: the bench's own
        // handles (eight bytes a stream) are not the connections' memory,
        // and a doubling `Vec` would count up to twice that.
        let accepted: Streams = Rc::new(RefCell::new(Vec::with_capacity(count)));
        let connected: Streams = Rc::new(RefCell::new(Vec::with_capacity(count)));
        let rss_before = vm_rss_bytes();
        let start = HostInstant::now();
        open_idle(count, HOSTS, &accepted, &connected).await;
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
