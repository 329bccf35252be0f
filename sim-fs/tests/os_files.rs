//! The OS twin of the simulated disk: `detsim::fs` on `Runtime::os()`
//! touches real files, with the real kernel's errors, and refuses the
//! simulation-only helpers loudly.

#![cfg(target_os = "linux")]

use std::io::{ErrorKind, SeekFrom};
use std::path::PathBuf;

use detsim::Runtime;
use detsim::fs::{self, DiskConfig, File, OpenOptions};
use futures::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// A fresh directory under the system's temporary directory, removed on
/// drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("detsim-fs-os-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn os() -> Runtime {
    Runtime::os().expect("epoll is available")
}

#[test]
fn files_written_through_detsim_are_real_files_that_std_reads() {
    let dir = TempDir::new("real");
    let path = dir.0.join("a");
    let p = path.clone();
    os().block_on(async move {
        let f = File::create(&p).await.unwrap();
        let (res, _) = f.write_all_at(b"hello, disk".to_vec(), 0).await;
        res.unwrap();
        f.sync_all().await.unwrap();
        f.sync_data().await.unwrap();
        fs::sync_dir(p.parent().unwrap()).await.unwrap();
    });
    assert_eq!(std::fs::read(&path).unwrap(), b"hello, disk");
    std::fs::write(dir.0.join("b"), b"from std").unwrap();
    let b = dir.0.join("b");
    let got = os().block_on(async move { fs::read(b).await.unwrap() });
    assert_eq!(got, b"from std");
}

#[test]
fn the_errors_are_the_real_kernels() {
    let dir = TempDir::new("errors");
    let d = dir.0.clone();
    os().block_on(async move {
        fs::write(d.join("f"), b"x").await.unwrap();
        // Written through a read-only handle: Linux's EBADF (raw OS error
        // 9), where the simulation says PermissionDenied.
        let ro = File::open(d.join("f")).await.unwrap();
        let (res, buf) = ro.write_at(b"y".to_vec(), 0).await;
        assert_eq!(res.unwrap_err().raw_os_error(), Some(9));
        assert_eq!(buf, b"y", "the buffer comes back with the error");
        let err = fs::create_dir(d.join("f").join("g")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotADirectory);
        let err = fs::remove_dir(&d).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::DirectoryNotEmpty);
        let err = OpenOptions::new().open(d.join("f")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "no access mode");
        assert!(fs::try_exists(d.join("f")).await.unwrap());
    });
}

#[test]
fn a_write_at_whose_completion_is_dropped_still_lands() {
    let dir = TempDir::new("dropped");
    let path = dir.0.join("f");
    let p = path.clone();
    os().block_on(async move {
        let f = File::create(&p).await.unwrap();
        drop(f.write_at(b"landed".to_vec(), 0));
        // Submitted means on the pool: nothing awaits it, yet it runs.
        for _ in 0..1000 {
            if fs::metadata(&p).await.unwrap().len() == 6 {
                break;
            }
            detsim::time::sleep(detsim::time::Duration::from_millis(1)).await;
        }
    });
    assert_eq!(std::fs::read(&path).unwrap(), b"landed");
}

#[test]
fn the_cursor_follows_append_mode_to_the_end_of_the_file() {
    let dir = TempDir::new("append");
    let d = dir.0.clone();
    os().block_on(async move {
        let path = d.join("log");
        fs::write(&path, b"one ").await.unwrap();
        let mut log = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)
            .await
            .unwrap();
        log.write_all(b"two").await.unwrap();
        assert_eq!(log.seek(SeekFrom::Current(0)).await.unwrap(), 7);
        assert_eq!(log.seek(SeekFrom::Start(0)).await.unwrap(), 0);
        let mut all = String::new();
        log.read_to_string(&mut all).await.unwrap();
        assert_eq!(all, "one two");
        let err = log.seek(SeekFrom::Current(-100)).await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(22), "EINVAL, as lseek says");
    });
}

#[test]
#[should_panic(expected = "fs::crash only exists in the simulation")]
fn crash_on_the_os_runtime_panics_saying_it_is_simulation_only() {
    os().block_on(async { fs::crash() });
}

#[test]
#[should_panic(expected = "fs::configure only exists in the simulation")]
fn configure_on_the_os_runtime_panics_saying_it_is_simulation_only() {
    os().block_on(async { fs::configure(DiskConfig::default()) });
}
