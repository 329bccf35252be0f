//! detsim's IO, time and task types are `Send + Sync` where tokio's are, and
//! so are the futures of their async methods: code written for tokio
//! (hyper's pooled client, tonic, `axum::serve`, `Send`-bounded executors)
//! accepts them. These are compile-time assertions, plus a `Send`-bounded
//! generic used on a live connection on both kernels, and the same-runtime
//! check that replaces `Rc`.

use std::future::Future;
use std::sync::Arc;

use detsim::fs::{self, File, OpenOptions};
use detsim::net::{self, TcpListener, TcpSocket, TcpStream, UdpSocket};
use detsim::time::{Duration, Instant, Interval, Sleep, Timeout};
use detsim::{Faults, JoinHandle, Runtime, Sim, spawn};
use futures::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

fn send_sync<T: Send + Sync>() {}
fn send_future<F: Future + Send>(_: F) {}

#[test]
fn io_time_and_task_types_are_send_and_sync() {
    send_sync::<TcpStream>();
    send_sync::<TcpListener>();
    send_sync::<TcpSocket>();
    send_sync::<UdpSocket>();
    send_sync::<net::tcp::OwnedReadHalf>();
    send_sync::<net::tcp::OwnedWriteHalf>();
    send_sync::<net::tcp::ReadHalf<'static>>();
    send_sync::<net::tcp::WriteHalf<'static>>();
    send_sync::<File>();
    send_sync::<OpenOptions>();
    send_sync::<fs::ReadDir>();
    send_sync::<fs::Metadata>();
    send_sync::<JoinHandle<()>>();
    // The output never leaves the runtime's thread, so even a `!Send`
    // output keeps the handle `Send`.
    send_sync::<JoinHandle<std::rc::Rc<u8>>>();
    send_sync::<Sleep>();
    send_sync::<Timeout<Sleep>>();
    send_sync::<Interval>();
    send_sync::<Instant>();
}

/// Never called: it only has to compile. Every async method's future is
/// `Send` when its arguments are.
#[allow(dead_code, clippy::diverging_sub_expression, unreachable_code)]
async fn futures_of_async_methods_are_send(
    stream: &TcpStream,
    listener: &TcpListener,
    udp: &UdpSocket,
    file: &File,
    mut owned: TcpStream,
    socket: TcpSocket,
) {
    send_future(TcpStream::connect("server:7"));
    send_future(socket.connect("10.0.0.2:7".parse().unwrap()));
    send_future(TcpListener::bind("0.0.0.0:7"));
    send_future(listener.accept());
    send_future(stream.readable());
    send_future(stream.writable());
    send_future(stream.ready(detsim::kernel::Interest::READABLE));
    send_future(stream.peek(&mut [0; 4]));
    send_future(owned.read(&mut [0; 4]));
    send_future(owned.write_all(b"x"));
    send_future(UdpSocket::bind("0.0.0.0:9"));
    send_future(udp.send_to(b"x", "server:9"));
    send_future(udp.recv_from(&mut [0; 4]));
    send_future(udp.connect("server:9"));
    send_future(udp.send(b"x"));
    send_future(udp.recv(&mut [0; 4]));
    send_future(udp.readable());
    send_future(File::open("/a"));
    send_future(File::create("/a"));
    send_future(OpenOptions::new().read(true).open("/a"));
    send_future(file.read_at(vec![0; 4], 0));
    send_future(file.write_at(vec![0; 4], 0));
    send_future(file.write_all_at(vec![0; 4], 0));
    send_future(file.read_exact_at(vec![0; 4], 0));
    send_future(file.sync_all());
    send_future(file.sync_data());
    send_future(file.set_len(0));
    send_future(file.metadata());
    send_future(fs::read("/a"));
    send_future(fs::write("/a", b"x"));
    send_future(fs::rename("/a", "/b"));
    send_future(fs::remove_file("/a"));
    send_future(fs::create_dir("/d"));
    send_future(fs::create_dir_all("/d/e"));
    send_future(fs::remove_dir("/d"));
    send_future(fs::sync_dir("/d"));
    send_future(fs::read_dir("/d"));
    send_future(fs::metadata("/a"));
    send_future(fs::try_exists("/a"));
    send_future(detsim::time::sleep(Duration::from_secs(1)));
    send_future(detsim::time::timeout(Duration::from_secs(1), async {}));
    send_future(spawn(async {}));
}

/// What a tokio-style library asks of a connection.
fn needs_send<T: AsyncRead + AsyncWrite + Send + Unpin + 'static>(io: T) -> T {
    io
}

both_backends! {
    fn a_send_bounded_generic_accepts_a_live_tcp_stream() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = spawn(async move {
            let mut conn = needs_send(TcpStream::connect(addr).await.unwrap());
            conn.write_all(b"ping").await.unwrap();
            let mut back = [0; 4];
            conn.read_exact(&mut back).await.unwrap();
            back
        });
        let (conn, _) = listener.accept().await.unwrap();
        // Shared through an `Arc`, as a `Sync` value may be, then split
        // into halves that are `Send` too.
        let conn = Arc::new(conn);
        assert!(conn.peer_addr().is_ok());
        let (mut rd, mut wr) = Arc::try_unwrap(conn).unwrap().into_split();
        let mut buf = [0; 4];
        needs_send_read(&mut rd).read_exact(&mut buf).await.unwrap();
        wr.write_all(&buf).await.unwrap();
        assert_eq!(&client.await.unwrap(), b"ping");
    }
}

fn needs_send_read<T: AsyncRead + Send + Unpin>(io: T) -> T {
    io
}

#[test]
fn a_stream_moved_to_another_thread_panics_there_naming_its_runtime() {
    let rt = detsim::Runtime::sim(0x51);
    let udp = rt.block_on(async { UdpSocket::bind("0.0.0.0:9").await.unwrap() });
    let err = std::thread::spawn(move || udp.local_addr().map(|_| ()))
        .join()
        .expect_err("used on another thread, the socket must panic");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("belongs to runtime seed 0x51"), "{msg}");
    assert!(msg.contains("outside any runtime"), "{msg}");
}

#[test]
fn a_socket_dropped_on_another_thread_is_released_by_its_runtime() {
    let rt = detsim::Runtime::sim(0x52);
    let udp = rt.block_on(async { UdpSocket::bind("0.0.0.0:9").await.unwrap() });
    std::thread::spawn(move || drop(udp)).join().unwrap();
    // The port is free again once the runtime has run a turn.
    rt.block_on(async {
        UdpSocket::bind("0.0.0.0:9").await.unwrap();
    });
}
