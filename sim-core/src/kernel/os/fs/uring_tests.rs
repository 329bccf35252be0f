//! The file ring on a real kernel, and the pool taking over when the
//! kernel refuses a ring: the same operations, the same results.

use std::cell::Cell;
use std::io;
use std::rc::Rc;

use super::{FileRing, RING_ENTRIES};
use crate::kernel::KernelHandle;
use crate::kernel::fs::{FileSystem, OpenFile, OpenFlags};
use crate::kernel::os::fs::file_system::OsFileSystem;

thread_local! {
    /// The entries the next OS runtime built on this thread asks for.
    pub(crate) static ENTRIES: Cell<u32> = const { Cell::new(RING_ENTRIES) };
}

/// More than `IORING_MAX_ENTRIES` (32,768): the kernel refuses such a ring
/// with `EINVAL`, as it refuses any ring under seccomp or
/// `io_uring_disabled` (with `EPERM`) or without io_uring (`ENOSYS`).
const REFUSED_ENTRIES: u32 = 1 << 20;

fn file_system() -> Rc<dyn FileSystem> {
    KernelHandle::current().file_system(|| -> OsFileSystem {
        unreachable!("the OS runtime installs its file system when it is built")
    })
}

fn has_ring() -> bool {
    let rt = crate::runtime::context::runtime("has_ring");
    let os = rt.kernel.os_kernel().expect("an OS runtime");
    os.file_ring().is_some()
}

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("detsim-uring-{name}-{}", std::process::id()))
}

/// Read and write, created empty.
fn new_file() -> OpenFlags {
    OpenFlags {
        read: true,
        write: true,
        create: true,
        truncate: true,
        ..OpenFlags::default()
    }
}

/// Writes, syncs, reads back, writes past the end, reads past EOF, and
/// fails a write on a read-only file: what the contract promises, whichever
/// engine runs it.
async fn file_round_trip(path: &std::path::Path) {
    let fs = file_system();
    let flags = new_file();
    let file: Box<dyn OpenFile> = fs.open(path, &flags).await.unwrap();
    let (n, buf) = file.pwrite(vec![7u8; 4096], 0).await;
    assert_eq!(n.unwrap(), 4096);
    assert_eq!(buf.len(), 4096, "the buffer comes back");
    file.fsync().await.unwrap();
    let (n, _) = file.pwrite(b"tail".to_vec(), 8192).await;
    assert_eq!(n.unwrap(), 4);
    file.fdatasync().await.unwrap();
    let (n, buf) = file.pread(vec![0u8; 4096], 0).await;
    assert_eq!(n.unwrap(), 4096);
    assert!(buf.iter().all(|&b| b == 7));
    let (n, buf) = file.pread(vec![1u8; 8], 8190).await;
    assert_eq!(n.unwrap(), 6, "a read across EOF is short");
    assert_eq!(&buf[..6], &[0, 0, b't', b'a', b'i', b'l']);
    let (n, _) = file.pread(vec![0u8; 8], 1 << 20).await;
    assert_eq!(n.unwrap(), 0, "a read past EOF returns 0");
    let (n, _) = file.pread(vec![0u8; 8], u64::MAX).await;
    assert_eq!(
        n.unwrap_err().raw_os_error(),
        Some(rustix::io::Errno::INVAL.raw_os_error())
    );
    let read_only = fs
        .open(
            path,
            &OpenFlags {
                read: true,
                ..OpenFlags::default()
            },
        )
        .await
        .unwrap();
    let (n, _) = read_only.pwrite(vec![1], 0).await;
    assert_eq!(
        n.unwrap_err().raw_os_error(),
        Some(rustix::io::Errno::BADF.raw_os_error()),
        "writing a read-only file is EBADF"
    );
    drop((file, read_only));
    std::fs::remove_file(path).unwrap();
}

#[test]
fn files_go_through_the_ring_when_the_kernel_grants_one() {
    if let Err(e) = FileRing::new(RING_ENTRIES) {
        // The fallback test below covers such a kernel.
        eprintln!("skipped: this kernel refuses io_uring ({e})");
        return;
    }
    crate::Runtime::os().unwrap().block_on(async {
        assert!(has_ring(), "the runtime took the ring the kernel grants");
        file_round_trip(&temp_path("granted")).await;
    });
}

#[test]
fn files_fall_back_to_the_pool_when_the_kernel_refuses_a_ring() {
    let refused = FileRing::new(REFUSED_ENTRIES)
        .err()
        .expect("the kernel refuses");
    assert_eq!(refused.kind(), io::ErrorKind::InvalidInput, "{refused}");
    ENTRIES.set(REFUSED_ENTRIES);
    let rt = crate::Runtime::os();
    ENTRIES.set(RING_ENTRIES);
    rt.unwrap().block_on(async {
        assert!(!has_ring(), "a refused ring leaves the pool in charge");
        file_round_trip(&temp_path("refused")).await;
    });
}

#[test]
fn a_burst_larger_than_the_ring_completes_every_operation() {
    crate::Runtime::os().unwrap().block_on(async {
        let path = temp_path("burst");
        let fs = file_system();
        let flags = new_file();
        let file = fs.open(&path, &flags).await.unwrap();
        // Submitted together, more than the ring holds; awaited after.
        let writes: Vec<_> = (0..RING_ENTRIES as u64 * 2 + 5)
            .map(|i| file.pwrite(vec![i as u8; 16], i * 16))
            .collect();
        for w in writes {
            assert_eq!(w.await.0.unwrap(), 16);
        }
        file.fsync().await.unwrap();
        let (n, buf) = file.pread(vec![0u8; 16], 300 * 16).await;
        assert_eq!(n.unwrap(), 16);
        assert!(buf.iter().all(|&b| b == 300u64 as u8));
        drop(file);
        std::fs::remove_file(&path).unwrap();
    });
}
