//! Workloads on detsim's simulated devices (`detsim::io`): a duplex byte
//! stream (readiness model) and a block device (completion model).

use std::hint::black_box;
use std::time::{Duration, Instant as HostInstant};

use crate::harness::{detsim_rt, tokio_rt};

// --- 1-byte ping-pong over an in-memory duplex; n round trips --------------

pub(crate) fn detsim_duplex_ping_pong(n: usize) -> Duration {
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

pub(crate) fn tokio_duplex_ping_pong(n: usize) -> Duration {
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

pub(crate) fn detsim_block_device_op(n: usize) -> Duration {
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

pub(crate) fn tokio_spawn_blocking_op(n: usize) -> Duration {
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
