//! The stand-in's `net` in both worlds: the same bodies over real
//! loopback sockets on a tokio runtime and over the simulated network,
//! the wrong-world error, and determinism under the default faults.

use std::io::ErrorKind;
use std::net::SocketAddr;

use detsim::{Faults, Sim};
use detsim_tokio::io::{AsyncReadExt, AsyncWriteExt};
use detsim_tokio::net::{TcpListener, TcpSocket, TcpStream, UdpSocket, lookup_host};

const MESSAGE_BYTES: usize = 3_000;

fn message() -> Vec<u8> {
    (0..MESSAGE_BYTES).map(|i| (i % 251) as u8).collect()
}

/// Accepts one connection, peeks at it, and echoes it back through the
/// owned halves, reunited at the end.
async fn echo_once(listener: TcpListener) -> std::io::Result<()> {
    let (mut conn, peer) = listener.accept().await?;
    assert_eq!(conn.peer_addr()?, peer);
    let mut first = [0; 1];
    assert_eq!(conn.peek(&mut first).await?, 1);
    assert_eq!(first[0], 0, "peek must see the first byte");
    {
        let (mut r, mut w) = conn.split();
        detsim_tokio::io::copy(&mut r, &mut w).await?;
    }
    let local = conn.local_addr()?;
    let (r, mut w) = conn.into_split();
    w.shutdown().await?;
    let conn = r.reunite(w).expect("the halves of one stream reunite");
    // Not `peer_addr`: Linux says `NotConnected` once the peer has closed.
    assert_eq!(conn.local_addr()?, local);
    Ok(())
}

/// Connects, sends the message, half-closes and reads the echo.
async fn echo_client(addr: String) -> std::io::Result<Vec<u8>> {
    let conn = TcpStream::connect(addr.as_str()).await?;
    conn.set_nodelay(true)?;
    assert!(conn.nodelay()?);
    conn.set_ttl(9)?;
    assert_eq!(conn.ttl()?, 9);
    let (mut r, mut w) = conn.into_split();
    w.write_all(&message()).await?;
    drop(w); // dropping the owned write half sends FIN, as tokio's does
    let mut back = Vec::new();
    r.read_to_end(&mut back).await?;
    Ok(back)
}

fn real_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn tcp_echo_runs_on_real_tokio_over_loopback() {
    real_runtime().block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.set_ttl(33).unwrap();
        assert_eq!(listener.ttl().unwrap(), 33);
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(echo_once(listener));
        let back = echo_client(addr.to_string()).await.unwrap();
        assert_eq!(back, message());
        server.await.unwrap().unwrap();
    });
}

#[test]
fn tcp_echo_runs_in_the_simulation_under_default_faults() {
    let report = Sim::new()
        .faults(Faults::default())
        .seeds(60)
        .check_determinism(true)
        .run(|| async {
            let listener = TcpListener::bind(("0.0.0.0", 7)).await?;
            let client = detsim::net::client("c", echo_client("main:7".to_string()));
            echo_once(listener).await?;
            assert_eq!(client.await.unwrap()?, message());
            std::io::Result::Ok(())
        });
    assert_eq!(report.runs.len(), 60);
}

#[test]
fn the_same_seed_gives_the_same_digest_through_the_stand_in() {
    let digest = |seed| {
        let rt = detsim::Runtime::sim(seed);
        rt.block_on(async {
            let listener = TcpListener::bind("0.0.0.0:7").await.unwrap();
            let client = detsim::net::client("c", echo_client("main:7".to_string()));
            echo_once(listener).await.unwrap();
            assert_eq!(client.await.unwrap().unwrap(), message());
        });
        rt.digest()
    };
    assert_eq!(digest(5), digest(5));
    assert_ne!(digest(5), digest(6), "the seed decides the schedule");
}

#[test]
fn tcp_socket_binds_and_listens_in_both_worlds() {
    async fn body(bind: SocketAddr) -> std::io::Result<SocketAddr> {
        let socket = TcpSocket::new_v4()?;
        socket.set_reuseaddr(true)?;
        assert!(socket.reuseaddr()?);
        socket.bind(bind)?;
        let listener = socket.listen(16)?;
        listener.local_addr()
    }
    let real = real_runtime().block_on(body("127.0.0.1:0".parse().unwrap()));
    assert!(real.unwrap().ip().is_loopback());
    let sim = detsim::Runtime::sim(1).block_on(body("0.0.0.0:80".parse().unwrap()));
    assert_eq!(sim.unwrap().port(), 80);
}

#[test]
fn udp_round_trip_in_both_worlds() {
    async fn body(any: &str) -> std::io::Result<()> {
        let a = UdpSocket::bind(any).await?;
        let b = UdpSocket::bind(any).await?;
        b.connect(a.local_addr()?).await?;
        b.send(b"ping").await?;
        let mut buf = [0; 16];
        let (n, from) = a.recv_from(&mut buf).await?;
        assert_eq!(&buf[..n], b"ping");
        assert_eq!(from, b.local_addr()?);
        a.send_to(b"pong", from).await?;
        let n = b.recv(&mut buf).await?;
        assert_eq!(&buf[..n], b"pong");
        Ok(())
    }
    real_runtime().block_on(body("127.0.0.1:0")).unwrap();
    // Datagrams are lost under faults; without them this exchange is exact.
    detsim::Runtime::sim(3).block_on(body("0.0.0.0:0")).unwrap();
}

#[test]
fn lookup_host_resolves_simulated_hosts_inside_and_the_system_outside() {
    let real: Vec<SocketAddr> = real_runtime()
        .block_on(lookup_host("localhost:80"))
        .unwrap()
        .collect();
    assert!(real.iter().any(|a| a.ip().is_loopback()), "{real:?}");
    detsim::Runtime::sim(0).block_on(async {
        detsim::net::host("db", || async {});
        let found: Vec<SocketAddr> = lookup_host(("db", 5432)).await.unwrap().collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].ip(), detsim::net::lookup("db").unwrap());
        let missing = lookup_host("nowhere:1").await.map(drop).unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::NotFound);
    });
}

#[test]
fn a_tokio_socket_used_inside_a_simulation_fails_with_a_clear_error() {
    let listener = real_runtime()
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let err = detsim::Runtime::sim(0)
        .block_on(async { listener.accept().await.map(drop) })
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("made outside a detsim runtime"), "{text}");
    assert!(text.contains("TcpListener"), "{text}");
}

#[test]
fn a_simulated_socket_used_outside_its_run_fails_with_a_clear_error() {
    let socket = detsim::Runtime::sim(0)
        .block_on(UdpSocket::bind("0.0.0.0:9"))
        .unwrap();
    let err = real_runtime()
        .block_on(async { socket.send_to(b"x", "127.0.0.1:9").await })
        .unwrap_err();
    assert!(
        err.to_string().contains("made inside a detsim runtime"),
        "{err}"
    );
    let err = socket.local_addr().unwrap_err();
    assert!(err.to_string().contains("used outside it"), "{err}");
}

#[test]
fn std_conversions_are_refused_inside_the_simulation() {
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let err = detsim::Runtime::sim(0)
        .block_on(async { TcpListener::from_std(std_listener).map(drop) })
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported);
}
