//! A bulk transfer under the default fault plan keeps large reads: a
//! partial write or a short read cuts one segment, and the writer, woken
//! only once a batch of room is free (as Linux announces send-buffer
//! room), fills it with one large write again. Before the batching, each
//! cut segment stayed cut: 4 MiB arrived in reads of about 24 bytes.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use detsim::net::{self, TcpListener, TcpStream};
use detsim::{Faults, Sim};
use futures::{AsyncReadExt, AsyncWriteExt};

const CHUNK: usize = 64 * 1024;
const BYTES: usize = 4 << 20;

/// Reads the server needs for `BYTES` under `faults` on `seed`.
fn reads(faults: Faults, seed: u64) -> u64 {
    let reads = Arc::new(AtomicU64::new(0));
    let counted = reads.clone();
    Sim::new().faults(faults).seed(seed).jobs(1).run(move || {
        let counted = counted.clone();
        async move {
            net::host("server", move || {
                let counted = counted.clone();
                async move {
                    let listener = TcpListener::bind("0.0.0.0:7").await?;
                    let (mut conn, _) = listener.accept().await?;
                    let (mut buf, mut got) = (vec![0u8; CHUNK], 0);
                    while got < BYTES {
                        let n = conn.read(&mut buf).await?;
                        assert!(n > 0, "EOF after {got} bytes");
                        got += n;
                        counted.fetch_add(1, Ordering::Relaxed);
                    }
                    io::Result::Ok(())
                }
            });
            let client = net::client("client", async {
                let mut conn = TcpStream::connect("server:7").await?;
                for _ in 0..BYTES / CHUNK {
                    conn.write_all(&[0x5a; CHUNK]).await?;
                }
                detsim::time::sleep(detsim::time::Duration::from_secs(10)).await;
                io::Result::Ok(())
            });
            client.await.expect("the client task")
        }
    });
    reads.load(Ordering::Relaxed)
}

#[test]
fn default_faults_cut_a_bulk_transfer_into_a_few_times_the_reads_not_thousands() {
    for seed in 0..3 {
        let none = reads(Faults::none(), seed);
        let default = reads(Faults::default(), seed);
        assert_eq!(
            none,
            (BYTES / CHUNK) as u64,
            "seed {seed}: one read per write"
        );
        assert!(
            default <= 8 * none,
            "seed {seed}: {default} reads under Faults::default(), {none} without faults"
        );
    }
}
