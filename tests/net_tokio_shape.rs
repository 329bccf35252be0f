//! tokio's documented socket idioms, run unchanged on the simulated kernel
//! (20 seeds, default faults: short reads, partial writes, spurious
//! readiness...) and on the OS kernel (real epoll and loopback sockets).

use std::io::ErrorKind;

use detsim::net::{TcpListener, TcpStream};
use detsim::time::{Duration, timeout};
use detsim::{Faults, Runtime, Sim, spawn};
use futures::AsyncWriteExt;

macro_rules! both_backends {
    ($(fn $name:ident() $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body() $body

            #[test]
            fn on_the_simulation() {
                Sim::new().faults(Faults::default()).seeds(20).run(body);
            }

            #[test]
            fn on_the_os() {
                Runtime::os().expect("epoll is available").block_on(body());
            }
        }
    )*};
}

/// A server that writes `message` to its first connection and closes it.
async fn sender(message: Vec<u8>) -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    spawn(async move {
        let (mut conn, _) = listener.accept().await.unwrap();
        conn.write_all(&message).await.unwrap();
        conn.close().await.unwrap();
    });
    addr
}

both_backends! {
    fn the_documented_readable_try_read_loop_reads_to_eof() {
        let message: Vec<u8> = (0..20_000u32).map(|i| i as u8).collect();
        let addr = sender(message.clone()).await;
        let stream = TcpStream::connect(addr).await.unwrap();
        // tokio's `TcpStream::readable` example, word for word: readiness
        // stays set until an operation returns `WouldBlock`, so a read
        // that leaves data behind does not lose the wake-up.
        let read_all = async {
            let mut got = Vec::new();
            let mut buf = [0; 64];
            loop {
                stream.readable().await?;
                match stream.try_read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
                    Err(e) => return Err(e),
                }
            }
            Ok(got)
        };
        let got = timeout(Duration::from_secs(10), read_all)
            .await
            .expect("the loop reaches EOF instead of waiting forever")
            .unwrap();
        assert_eq!(got, message);
    }
}
