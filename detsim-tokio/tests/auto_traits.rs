//! The stand-in's types have tokio's auto traits (checked at compile
//! time): a service that moves a socket to another task, or stores a
//! file in an `Arc`, compiles against both.

use detsim_tokio as stand_in;

/// Asserts that `$ours` and `$theirs` both are `Send + Sync + Unpin`.
macro_rules! send_sync_unpin {
    ($($ours:ty => $theirs:ty),* $(,)?) => {{
        fn check<T: Send + Sync + Unpin>() {}
        $(
            check::<$ours>();
            check::<$theirs>();
        )*
    }};
}

fn send<T: Send>(_: &T) {}

#[test]
fn net_types_are_send_sync_and_unpin_as_tokios() {
    send_sync_unpin!(
        stand_in::net::TcpListener => tokio::net::TcpListener,
        stand_in::net::TcpStream => tokio::net::TcpStream,
        stand_in::net::TcpSocket => tokio::net::TcpSocket,
        stand_in::net::UdpSocket => tokio::net::UdpSocket,
        stand_in::net::tcp::OwnedReadHalf => tokio::net::tcp::OwnedReadHalf,
        stand_in::net::tcp::OwnedWriteHalf => tokio::net::tcp::OwnedWriteHalf,
        stand_in::net::tcp::ReadHalf<'static> => tokio::net::tcp::ReadHalf<'static>,
        stand_in::net::tcp::WriteHalf<'static> => tokio::net::tcp::WriteHalf<'static>,
        stand_in::net::tcp::ReuniteError => tokio::net::tcp::ReuniteError,
    );
}

#[test]
fn io_std_streams_are_send_sync_and_unpin_as_tokios() {
    send_sync_unpin!(
        stand_in::io::Stdin => tokio::io::Stdin,
        stand_in::io::Stdout => tokio::io::Stdout,
        stand_in::io::Stderr => tokio::io::Stderr,
    );
}

/// The futures of the async methods are `Send`, as tokio's are, so a
/// task that awaits them can be spawned on a multi-threaded runtime.
#[test]
fn net_futures_are_send() {
    let rt = detsim::Runtime::sim(0);
    rt.block_on(async {
        let listener = stand_in::net::TcpListener::bind("0.0.0.0:1").await.unwrap();
        send(&stand_in::net::TcpStream::connect("main:1"));
        send(&stand_in::net::TcpListener::bind(("0.0.0.0", 2)));
        send(&listener.accept());
        send(&stand_in::net::UdpSocket::bind("0.0.0.0:3"));
        send(&stand_in::net::lookup_host("main:4"));
    });
}

#[test]
fn fs_types_are_send_sync_and_unpin_as_tokios() {
    send_sync_unpin!(
        stand_in::fs::File => tokio::fs::File,
        stand_in::fs::OpenOptions => tokio::fs::OpenOptions,
        stand_in::fs::ReadDir => tokio::fs::ReadDir,
        stand_in::fs::DirEntry => tokio::fs::DirEntry,
        stand_in::fs::DirBuilder => tokio::fs::DirBuilder,
        stand_in::fs::Metadata => std::fs::Metadata,
        stand_in::fs::FileType => std::fs::FileType,
    );
}

#[test]
fn fs_futures_are_send() {
    detsim::Runtime::sim(0).block_on(async {
        send(&stand_in::fs::read("/x"));
        send(&stand_in::fs::File::open("/x"));
        send(&stand_in::fs::remove_dir_all("/x"));
        send(&stand_in::fs::read_dir("/x"));
    });
}
