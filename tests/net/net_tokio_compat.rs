//! With the `tokio` feature, detsim's TCP types implement tokio's
//! `AsyncRead`/`AsyncWrite`, so code written against tokio's traits (its
//! codecs, `tokio::io::copy`, `AsyncReadExt`) runs on the simulation.

use detsim::net::{self, TcpListener, TcpStream};
use detsim::{Faults, Sim};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn tokio_io_traits_drive_simulated_tcp_under_faults() {
    Sim::new()
        .faults(Faults::default())
        .seeds(100)
        .run(|| async {
            net::host("echo", || async {
                let listener = TcpListener::bind("0.0.0.0:7").await?;
                loop {
                    let (mut conn, _) = listener.accept().await?;
                    detsim::spawn(async move {
                        // tokio's borrowed split, spelled as in tokio.
                        let (mut r, mut w) = conn.split();
                        tokio::io::copy(&mut r, &mut w).await.unwrap();
                        w.shutdown().await.unwrap();
                    });
                }
                #[allow(unreachable_code)]
                std::io::Result::Ok(())
            });
            let mut conn = TcpStream::connect("echo:7").await.unwrap();
            let message: Vec<u8> = (0..5_000u32).map(|i| (i % 253) as u8).collect();
            conn.write_all(&message).await.unwrap();
            // tokio's spelling: no inherent `shutdown` shadows the trait's.
            conn.shutdown().await.unwrap();
            let mut back = Vec::new();
            conn.read_to_end(&mut back).await.unwrap();
            assert_eq!(back, message);
        });
}
