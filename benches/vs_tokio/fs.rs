//! File system workloads: 4 KiB writes to the simulated disk (tokio: a real
//! temp file), 4 KiB writes each followed by an fsync on the OS backend
//! (its blocking pool, and io_uring with the `io-uring` feature) against
//! `tokio::fs`, and crash-recovery cycles of `examples/wal_kv.rs` (printed
//! after the table).

use std::time::{Duration, Instant as HostInstant};

use crate::harness::{SEED, detsim_rt, median, ns_per_op, tokio_rt};
use crate::os::cpu_clock;

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

pub(crate) fn detsim_fs_write_4k(n: usize) -> Duration {
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

pub(crate) fn tokio_fs_write_4k(n: usize) -> Duration {
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
// --- 4 KiB write (+ fsync) on a real file; n of them --------------------------
//
// Each operation writes 4 KiB at the next offset of a 4 MiB region of a
// real temp file and, in the `fsync` rows, fsyncs the file, awaiting both,
// as a write-ahead log does; the write-only rows show the engines' own
// cost, which the fsync's kernel work (journal commit, device flush)
// dwarfs. detsim: `detsim::fs::File` on `detsim::Runtime::os()`, its
// `write_at` and `sync_all` running on the blocking pool
// (`DETSIM_IO_URING=0`) or on io_uring (the `uring` row, built with
// `--features io-uring`; it falls back to the pool if the kernel refuses a
// ring). tokio: `tokio::fs::File` (`write_all` + `flush`,
// then `sync_all`: spawn_blocking each). Timed by process CPU time, which
// counts the pool's and io_uring's worker threads too; the fsync's wait
// for the disk is not CPU time (the profile mode's wall time shows it).

const FSYNC_REGION_BLOCKS: u64 = 1024;

fn fsync_path(side: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("detsim-bench-fsync-{side}-{}", std::process::id()))
}

/// An OS runtime whose files use the pool (`ring == false`) or io_uring.
fn detsim_os_fs_rt(ring: bool) -> detsim::Runtime {
    // SAFETY: set while no other thread of this process reads the
    // environment (the bench's threads are idle pool threads), and only
    // read by the OS runtime being built here.
    unsafe {
        if ring {
            std::env::remove_var("DETSIM_IO_URING");
        } else {
            std::env::set_var("DETSIM_IO_URING", "0");
        }
    }
    let rt = detsim::Runtime::os().expect("build the detsim OS runtime");
    // SAFETY: as above.
    unsafe { std::env::remove_var("DETSIM_IO_URING") };
    rt
}

fn detsim_os_write(n: usize, ring: bool, fsync: bool) -> Duration {
    let path = fsync_path(if ring { "uring" } else { "pool" });
    let elapsed = detsim_os_fs_rt(ring).block_on(async {
        let file = detsim::fs::File::create(&path).await.unwrap();
        let mut buf = vec![0x5a_u8; FS_BLOCK_BYTES];
        let start = cpu_clock();
        for i in 0..n as u64 {
            let offset = i % FSYNC_REGION_BLOCKS * FS_BLOCK_BYTES as u64;
            let (r, b) = file.write_at(buf, offset).await;
            assert_eq!(r.unwrap(), FS_BLOCK_BYTES);
            buf = b;
            if fsync {
                file.sync_all().await.unwrap();
            }
        }
        cpu_clock() - start
    });
    std::fs::remove_file(&path).unwrap();
    elapsed
}

pub(crate) fn detsim_os_write_fsync_pool(n: usize) -> Duration {
    detsim_os_write(n, false, true)
}

pub(crate) fn detsim_os_write_pool(n: usize) -> Duration {
    detsim_os_write(n, false, false)
}

#[cfg(feature = "io-uring")]
pub(crate) fn detsim_os_write_fsync_uring(n: usize) -> Duration {
    detsim_os_write(n, true, true)
}

#[cfg(feature = "io-uring")]
pub(crate) fn detsim_os_write_uring(n: usize) -> Duration {
    detsim_os_write(n, true, false)
}

fn tokio_fs_write(n: usize, fsync: bool) -> Duration {
    use tokio::io::{AsyncSeekExt, AsyncWriteExt};
    let path = fsync_path("tokio");
    let elapsed = tokio_rt().block_on(async {
        let mut file = tokio::fs::File::create(&path).await.unwrap();
        let buf = vec![0x5a_u8; FS_BLOCK_BYTES];
        let start = cpu_clock();
        for i in 0..n as u64 {
            if i % FSYNC_REGION_BLOCKS == 0 {
                file.seek(std::io::SeekFrom::Start(0)).await.unwrap();
            }
            file.write_all(&buf).await.unwrap();
            file.flush().await.unwrap();
            if fsync {
                file.sync_all().await.unwrap();
            }
        }
        cpu_clock() - start
    });
    std::fs::remove_file(&path).unwrap();
    elapsed
}

pub(crate) fn tokio_fs_write_fsync(n: usize) -> Duration {
    tokio_fs_write(n, true)
}

pub(crate) fn tokio_fs_write_cpu(n: usize) -> Duration {
    tokio_fs_write(n, false)
}

// --- a crash-recovery cycle of examples/wal_kv.rs ---------------------------
//
// No tokio equivalent: printed after the table (and in the JSON with a null
// tokio column). One cycle is one seed of the example's correct check under
// `Faults::default()`: a fresh simulated runtime, 40 puts each appended and
// fsynced, a node crash at a random virtual time, recovery by replaying the
// log, and the check that every acknowledged put survived. The store is the
// example's own module, compiled in here too.

#[path = "../../examples/wal_kv/store.rs"]
mod wal_kv;

pub(crate) struct WalReport {
    /// Median over batches of the host time per cycle.
    pub(crate) per_cycle: Duration,
    pub(crate) cycles: usize,
    pub(crate) failed: usize,
}

/// `batches` batches of `per_batch` cycles, seeds counted up from [`SEED`].
pub(crate) fn wal_kv_cycles(batches: usize, per_batch: usize) -> WalReport {
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
