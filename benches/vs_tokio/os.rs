//! Workloads on detsim's OS backend (`detsim::Runtime::os()`): 1-byte TCP
//! echo over real loopback sockets against tokio's, and 10,000 concurrent
//! connections to a child process (printed after the table).

use std::sync::OnceLock;
use std::time::{Duration, Instant as HostInstant};

use crate::net::detsim_echo_client;

// --- the clock of the OS rows: process CPU time ------------------------------
//
// Both sides of an OS row spend most of their time in the host kernel
// (syscalls, the loopback path), on a machine shared with other work: wall
// time counts every moment another process held the CPU, CPU time only
// this process's work. So these rows time the process's CPU clock, on both
// sides alike. Under `DETSIM_BENCH_PROFILE` they fall back to wall time,
// as the profile mode promises (rustix's clock calls do not run under
// valgrind).

/// Where the rows' clock stands now.
pub(crate) fn cpu_clock() -> Duration {
    static PROFILING: OnceLock<bool> = OnceLock::new();
    if *PROFILING.get_or_init(|| std::env::var_os("DETSIM_BENCH_PROFILE").is_some()) {
        static ORIGIN: OnceLock<HostInstant> = OnceLock::new();
        return ORIGIN.get_or_init(HostInstant::now).elapsed();
    }
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

// --- 1-byte TCP echo on the OS backend; n round trips -------------------------
//
// The same program on both sides: a listener task that spawns one echo
// task per connection (read 1 byte, write it back, until EOF), and clients
// that write 1 byte and read it back, n times, on 127.0.0.1 with
// TCP_NODELAY. detsim: `detsim::Runtime::os()` (epoll, the detsim
// executor); tokio: a `current_thread` runtime with IO enabled.

fn detsim_os_rt() -> detsim::Runtime {
    detsim::Runtime::os().expect("build the detsim OS runtime")
}

async fn detsim_os_echo_listener() -> std::net::SocketAddr {
    use futures::{AsyncReadExt, AsyncWriteExt};
    let listener = detsim::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
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

pub(crate) fn detsim_os_tcp_echo_one(n: usize) -> Duration {
    detsim_os_rt().block_on(async move {
        let addr = detsim_os_echo_listener().await;
        let conn = detsim_os_connect(addr).await;
        let start = cpu_clock();
        detsim_echo_client(conn, n).await;
        cpu_clock() - start
    })
}

pub(crate) fn detsim_os_tcp_echo_64_conns(n: usize) -> Duration {
    detsim_os_rt().block_on(async move {
        let addr = detsim_os_echo_listener().await;
        let mut conns = Vec::new();
        for _ in 0..64 {
            conns.push(detsim_os_connect(addr).await);
        }
        let start = cpu_clock();
        let clients: Vec<_> = conns
            .into_iter()
            .map(|c| detsim::spawn(detsim_echo_client(c, n / 64)))
            .collect();
        for c in clients {
            c.await.unwrap();
        }
        cpu_clock() - start
    })
}

async fn tokio_os_connect(addr: std::net::SocketAddr) -> tokio::net::TcpStream {
    let conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.set_nodelay(true).unwrap();
    conn
}

async fn tokio_os_echo_client(mut conn: tokio::net::TcpStream, n: usize) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut byte = [0u8];
    for i in 0..n {
        conn.write_all(&[i as u8]).await.unwrap();
        conn.read_exact(&mut byte).await.unwrap();
    }
}

pub(crate) fn tokio_os_tcp_echo_one(n: usize) -> Duration {
    crate::net::tokio_rt_io().block_on(async move {
        let addr = crate::net::tokio_echo_listener().await;
        let conn = tokio_os_connect(addr).await;
        let start = cpu_clock();
        tokio_os_echo_client(conn, n).await;
        cpu_clock() - start
    })
}

pub(crate) fn tokio_os_tcp_echo_64_conns(n: usize) -> Duration {
    crate::net::tokio_rt_io().block_on(async move {
        let addr = crate::net::tokio_echo_listener().await;
        let mut conns = Vec::new();
        for _ in 0..64 {
            conns.push(tokio_os_connect(addr).await);
        }
        let start = cpu_clock();
        let clients: Vec<_> = conns
            .into_iter()
            .map(|c| tokio::spawn(tokio_os_echo_client(c, n / 64)))
            .collect();
        for c in clients {
            c.await.unwrap();
        }
        cpu_clock() - start
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

pub(crate) const OS_CONNECTIONS: usize = 10_000;
const CONNECT_BATCH: usize = 64;
pub(crate) const ECHO_CHILD_ENV: &str = "DETSIM_BENCH_ECHO_CHILD";

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
pub(crate) fn run_echo_child() {
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

pub(crate) struct ConnectionsReport {
    pub(crate) nofile_limit: Option<u64>,
    pub(crate) setup: Duration,
    pub(crate) echoed: usize,
    pub(crate) echo_time: Duration,
}

pub(crate) fn os_connections(count: usize) -> ConnectionsReport {
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
