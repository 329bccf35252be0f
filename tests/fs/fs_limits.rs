//! Offsets and lengths past the largest file: the errors Linux gives for
//! its `s_maxbytes`, never an overflow inside detsim.

use std::io::{ErrorKind, SeekFrom};

use detsim::Runtime;
use detsim::fs::{self, File, OpenOptions};
use futures::{AsyncSeekExt, AsyncWriteExt};

/// ext4's limit with 4 KiB blocks, the one the simulated disk has.
const MAX_FILE_BYTES: u64 = ((1 << 32) - 1) * 4096;

#[track_caller]
fn assert_kind<T: std::fmt::Debug>(res: std::io::Result<T>, kind: ErrorKind) {
    assert_eq!(res.unwrap_err().kind(), kind);
}

async fn open_rw(path: &str) -> File {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .open(path)
        .await
        .unwrap()
}

#[test]
fn writes_near_u64_max_fail_with_einval_or_efbig_and_change_nothing() {
    Runtime::sim(0).block_on(async {
        let f = open_rw("/f").await;
        f.write_all_at(b"abc".to_vec(), 0).await.0.unwrap();
        for offset in [u64::MAX, u64::MAX - 1, i64::MAX as u64 + 1] {
            let (res, _) = f.write_at(vec![1; 8], offset).await;
            assert_kind(res, ErrorKind::InvalidInput);
            let (res, _) = f.write_all_at(vec![1; 8], offset).await;
            assert_kind(res, ErrorKind::InvalidInput);
            let (res, _) = f.read_at(vec![0; 8], offset).await;
            assert_kind(res, ErrorKind::InvalidInput);
        }
        for offset in [i64::MAX as u64, MAX_FILE_BYTES, MAX_FILE_BYTES + 1] {
            let (res, _) = f.write_at(vec![1; 8], offset).await;
            assert_kind(res, ErrorKind::FileTooLarge);
            // A read there is a read past the end.
            let (res, _) = f.read_at(vec![0; 8], offset).await;
            assert_eq!(res.unwrap(), 0);
        }
        // An empty write checks only the sign, as Linux's pwrite.
        let (res, _) = f.write_at(Vec::new(), MAX_FILE_BYTES + 1).await;
        assert_eq!(res.unwrap(), 0);
        assert_eq!(fs::read("/f").await.unwrap(), b"abc");
    });
}

#[test]
fn set_len_past_the_limit_is_efbig_and_above_i64_max_einval() {
    Runtime::sim(2).block_on(async {
        let f = open_rw("/f").await;
        assert_kind(f.set_len(u64::MAX).await, ErrorKind::InvalidInput);
        assert_kind(
            f.set_len(i64::MAX as u64 + 1).await,
            ErrorKind::InvalidInput,
        );
        assert_kind(f.set_len(i64::MAX as u64).await, ErrorKind::FileTooLarge);
        assert_kind(f.set_len(MAX_FILE_BYTES + 1).await, ErrorKind::FileTooLarge);
        // At the limit itself: allowed by the file system, refused by the
        // 1 GiB disk.
        assert_kind(f.set_len(MAX_FILE_BYTES).await, ErrorKind::StorageFull);
        assert_eq!(f.metadata().await.unwrap().len(), 0);
    });
}

#[test]
fn seeks_that_overflow_or_pass_the_limit_are_einval() {
    Runtime::sim(3).block_on(async {
        let mut f = open_rw("/f").await;
        f.write_all(b"hello").await.unwrap();
        assert_kind(
            f.seek(SeekFrom::Start(u64::MAX)).await,
            ErrorKind::InvalidInput,
        );
        assert_kind(
            f.seek(SeekFrom::Start(MAX_FILE_BYTES + 1)).await,
            ErrorKind::InvalidInput,
        );
        assert_kind(
            f.seek(SeekFrom::End(i64::MAX)).await,
            ErrorKind::InvalidInput,
        );
        assert_kind(f.seek(SeekFrom::End(-6)).await, ErrorKind::InvalidInput);
        assert_eq!(
            f.seek(SeekFrom::Start(MAX_FILE_BYTES)).await.unwrap(),
            MAX_FILE_BYTES
        );
        assert_kind(
            f.seek(SeekFrom::Current(i64::MAX)).await,
            ErrorKind::InvalidInput,
        );
        assert_kind(f.seek(SeekFrom::Current(1)).await, ErrorKind::InvalidInput);
        // A cursor write at the limit is EFBIG, and leaves the position.
        assert_kind(f.write(b"x").await, ErrorKind::FileTooLarge);
        assert_eq!(f.seek(SeekFrom::Current(0)).await.unwrap(), MAX_FILE_BYTES);
        assert_eq!(fs::read("/f").await.unwrap(), b"hello");
    });
}

#[test]
fn the_limit_holds_on_a_disk_large_enough_to_reach_it() {
    Runtime::sim(4).block_on(async {
        let mut config = fs::DiskConfig::default();
        config.capacity_bytes = u64::MAX;
        fs::configure(config);
        let f = open_rw("/f").await;
        let (res, _) = f.write_at(vec![1; 8], MAX_FILE_BYTES).await;
        assert_kind(res, ErrorKind::FileTooLarge);
        assert_kind(f.set_len(MAX_FILE_BYTES + 1).await, ErrorKind::FileTooLarge);
    });
}

#[test]
fn disk_latencies_past_a_year_are_refused_naming_the_field() {
    let payload = std::panic::catch_unwind(|| {
        Runtime::sim(5).block_on(async {
            let mut config = fs::DiskConfig::default();
            config.latency_min = std::time::Duration::MAX;
            config.latency_max = std::time::Duration::MAX;
            fs::configure(config);
        })
    })
    .expect_err("the config was accepted");
    let msg = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(msg.contains("DiskConfig::latency_max"), "{msg}");
    assert!(msg.contains("365 days"), "{msg}");
}

#[test]
fn the_slowest_accepted_disk_saturates_instead_of_overflowing_the_clock() {
    Runtime::sim(6).block_on(async {
        let mut config = fs::DiskConfig::default();
        config.latency_min = detsim::faults::PLAN_DURATION_MAX;
        config.latency_max = detsim::faults::PLAN_DURATION_MAX;
        config.queue_depth = 1;
        config.bandwidth_bytes_per_sec = 1;
        fs::configure(config);
        // Each operation queues a year (plus a day per 86,400 bytes)
        // behind the last: far past the clock's ~584 years.
        let f = open_rw("/f").await;
        let ops: Vec<_> = (0..700).map(|i| f.write_at(vec![1; 8], i * 8)).collect();
        for op in ops {
            op.await.0.unwrap();
        }
    });
}
