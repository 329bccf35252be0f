//! The kernel's file-system contract (`detsim::kernel::fs`), driven
//! directly on both kernels: the simulated disks and the OS kernel's real
//! files answer every call the same way, with Linux's error kinds.
//!
//! Each body works in its own directory: under the simulation (a fresh
//! disk per seed, `Faults::default()`) any absolute path; on the OS a
//! fresh directory under `std::env::temp_dir()`, removed when the body
//! ends. The default fault plan injects `EIO` on reads, writes and fsyncs
//! and short completions: the helpers below handle them as correct code
//! must, so every assertion holds on both kernels.

use std::io::{self, ErrorKind};
use std::path::PathBuf;
use std::rc::Rc;

use detsim::kernel::KernelHandle;
use detsim::kernel::fs::{DirEntry, FileSystem, OpenFile, OpenFlags, Stat};
use detsim::time::{Duration, sleep};
use detsim::{Faults, Runtime, Sim};

/// A body's directory and the file system under test.
struct Scratch {
    fs: Rc<dyn FileSystem>,
    root: PathBuf,
    on_os: bool,
}

impl Scratch {
    /// `/kernel-fs/<name>` under the simulation,
    /// `$TMPDIR/detsim-kernel-fs-<pid>-<name>` on the OS, created through
    /// the file system under test.
    async fn new(name: &str) -> Scratch {
        let on_os = KernelHandle::current().is_os();
        let root = if on_os {
            let root = std::env::temp_dir()
                .join(format!("detsim-kernel-fs-{}-{name}", std::process::id()));
            // A leftover of an earlier process with the same pid.
            let _ = std::fs::remove_dir_all(&root);
            root
        } else {
            PathBuf::from("/kernel-fs").join(name)
        };
        let fs = detsim::fs::file_system();
        fs.mkdir_all(&root).await.unwrap();
        Scratch { fs, root, on_os }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Opens `name` with `flags` (see [`open_flags`]), which must succeed.
    async fn open(&self, name: &str, flags: &str) -> Box<dyn OpenFile> {
        let path = self.path(name);
        match self.fs.open(&path, &open_flags(flags)).await {
            Ok(file) => file,
            Err(e) => panic!("open {} ({flags}): {e}", path.display()),
        }
    }

    /// The names in directory `name` ("" for the root), in the order
    /// `readdir` gave them, each with whether it is a directory.
    async fn listing(&self, name: &str) -> Vec<(String, bool)> {
        let entries: Vec<DirEntry> = self.fs.readdir(&self.path(name)).await.unwrap();
        entries
            .into_iter()
            .map(|e| (e.name.to_string_lossy().into_owned(), e.is_dir))
            .collect()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.on_os {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

/// Open flags from letters: `r`ead, `w`rite, `a`ppend, `t`runcate,
/// `c`reate, e`x`clusive create.
fn open_flags(letters: &str) -> OpenFlags {
    let has = |c| letters.contains(c);
    OpenFlags {
        read: has('r'),
        write: has('w'),
        append: has('a'),
        truncate: has('t'),
        create: has('c'),
        create_new: has('x'),
    }
}

/// Linux's `EIO`, which the simulation's fault plan injects.
fn is_eio(e: &io::Error) -> bool {
    e.raw_os_error() == Some(5)
}

/// The kind of `result`'s error, or a panic naming what succeeded.
#[track_caller]
fn err_kind<T: std::fmt::Debug>(result: io::Result<T>) -> ErrorKind {
    match result {
        Ok(v) => panic!("expected an error, got Ok({v:?})"),
        Err(e) => e.kind(),
    }
}

/// `pwrite`s all of `data` at `offset`: the rest again after a short
/// completion, the same again after `EIO` (which wrote nothing).
async fn pwrite_all(file: &dyn OpenFile, data: &[u8], offset: u64) {
    let mut done = 0;
    while done < data.len() {
        let at = offset + done as u64;
        match file.pwrite(data[done..].to_vec(), at).await {
            (Ok(0), _) => panic!("pwrite at {at} wrote nothing"),
            (Ok(n), buf) => {
                assert_eq!(buf, &data[done..], "pwrite hands its buffer back");
                done += n;
            }
            (Err(e), _) if is_eio(&e) => {}
            (Err(e), _) => panic!("pwrite at {at}: {e}"),
        }
    }
}

/// One `pread` of `len` bytes at `offset`, again after `EIO`.
async fn pread(file: &dyn OpenFile, len: usize, offset: u64) -> Vec<u8> {
    loop {
        match file.pread(vec![0xee; len], offset).await {
            (Ok(n), buf) => {
                assert_eq!(buf.len(), len, "pread hands its whole buffer back");
                return buf[..n].to_vec();
            }
            (Err(e), _) if is_eio(&e) => {}
            (Err(e), _) => panic!("pread at {offset}: {e}"),
        }
    }
}

/// `len` bytes from `offset`, or fewer if the file ends first.
async fn pread_all(file: &dyn OpenFile, len: usize, offset: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < len {
        let part = pread(file, len - out.len(), offset + out.len() as u64).await;
        if part.is_empty() {
            break;
        }
        out.extend_from_slice(&part);
    }
    out
}

/// `fsync` (or `fdatasync`) until one succeeds.
async fn sync(file: &dyn OpenFile, data_only: bool) {
    loop {
        let result = if data_only {
            file.fdatasync().await
        } else {
            file.fsync().await
        };
        match result {
            Ok(()) => return,
            Err(e) if is_eio(&e) => {}
            Err(e) => panic!("fsync: {e}"),
        }
    }
}

both_backends! {
    fn writes_at_offsets_read_back_with_zeros_in_the_gap() {
        let dir = Scratch::new("offsets").await;
        let file = dir.open("f", "rwc").await;
        pwrite_all(&*file, b"hello", 0).await;
        pwrite_all(&*file, b"world", 10).await;
        assert_eq!(pread_all(&*file, 100, 0).await, b"hello\0\0\0\0\0world");
        assert_eq!(pread_all(&*file, 4, 3).await, b"lo\0\0");
        // Overwrite across the gap's edge.
        pwrite_all(&*file, b"XYZ", 8).await;
        assert_eq!(pread_all(&*file, 100, 0).await, b"hello\0\0\0XYZorld");
        let stat = file.fstat().await.unwrap();
        assert_eq!(stat, Stat { len: 15, is_dir: false });
        assert_eq!(file.seek_end().await.unwrap(), 15);
    }

    fn reads_at_the_end_are_short_and_past_it_empty() {
        let dir = Scratch::new("eof").await;
        let file = dir.open("f", "rwc").await;
        let data: Vec<u8> = (0..100u8).collect();
        pwrite_all(&*file, &data, 0).await;
        // Asked for 64 at 80: at most the 20 that are there.
        let tail = pread(&*file, 64, 80).await;
        assert!(!tail.is_empty() && tail.len() <= 20, "{} bytes", tail.len());
        assert_eq!(tail, &data[80..80 + tail.len()]);
        assert_eq!(pread_all(&*file, 64, 80).await, &data[80..]);
        assert!(pread(&*file, 10, 100).await.is_empty(), "at the end");
        assert!(pread(&*file, 10, 1 << 30).await.is_empty(), "past the end");
    }

    fn appending_writes_land_at_the_end_whatever_the_offset() {
        let dir = Scratch::new("append").await;
        let file = dir.open("log", "wc").await;
        pwrite_all(&*file, b"one ", 0).await;
        drop(file);
        let log = dir.open("log", "a").await;
        pwrite_all(&*log, b"two", 0).await;
        let file = dir.open("log", "r").await;
        assert_eq!(pread_all(&*file, 100, 0).await, b"one two");
    }

    fn fsync_and_fdatasync_work_on_files_and_directories() {
        let dir = Scratch::new("fsync").await;
        let file = dir.open("f", "wc").await;
        pwrite_all(&*file, b"durable", 0).await;
        sync(&*file, false).await;
        sync(&*file, true).await;
        // A directory's fsync: opened read-only, as on Linux.
        let parent = dir.open("", "r").await;
        sync(&*parent, false).await;
        let file = dir.open("f", "r").await;
        assert_eq!(pread_all(&*file, 100, 0).await, b"durable");
    }

    fn ftruncate_shrinks_and_zero_extends() {
        let dir = Scratch::new("truncate").await;
        let file = dir.open("f", "rwc").await;
        pwrite_all(&*file, b"abcdef", 0).await;
        file.ftruncate(2).await.unwrap();
        assert_eq!(file.fstat().await.unwrap().len, 2);
        file.ftruncate(5).await.unwrap();
        assert_eq!(pread_all(&*file, 100, 0).await, b"ab\0\0\0");
        // An existing file opened with O_TRUNC starts empty.
        let again = dir.open("f", "wt").await;
        assert_eq!(again.fstat().await.unwrap().len, 0);
    }

    fn rename_replaces_an_existing_target() {
        let dir = Scratch::new("rename").await;
        pwrite_all(&*dir.open("new", "wc").await, b"version 2", 0).await;
        pwrite_all(&*dir.open("current", "wc").await, b"version 1", 0).await;
        dir.fs.rename(&dir.path("new"), &dir.path("current")).await.unwrap();
        assert_eq!(err_kind(dir.fs.stat(&dir.path("new")).await), ErrorKind::NotFound);
        let current = dir.open("current", "r").await;
        assert_eq!(pread_all(&*current, 100, 0).await, b"version 2");
        assert_eq!(dir.listing("").await, [("current".to_string(), false)]);
    }

    fn an_unlinked_file_keeps_working_through_its_open_handle() {
        let dir = Scratch::new("unlink").await;
        let file = dir.open("f", "rwc").await;
        pwrite_all(&*file, b"still here", 0).await;
        dir.fs.unlink(&dir.path("f")).await.unwrap();
        assert_eq!(err_kind(dir.fs.stat(&dir.path("f")).await), ErrorKind::NotFound);
        assert!(dir.listing("").await.is_empty());
        assert_eq!(pread_all(&*file, 100, 0).await, b"still here");
        pwrite_all(&*file, b"!", 10).await;
        assert_eq!(pread_all(&*file, 100, 0).await, b"still here!");
        // The name is free for a new file.
        let new = dir.open("f", "rwx").await;
        assert_eq!(new.fstat().await.unwrap().len, 0);
    }

    fn readdir_lists_what_mkdir_and_open_created_sorted_by_name() {
        let dir = Scratch::new("readdir").await;
        dir.fs.mkdir(&dir.path("b")).await.unwrap();
        dir.fs.mkdir(&dir.path("a")).await.unwrap();
        drop(dir.open("c", "wc").await);
        dir.fs.mkdir_all(&dir.path("d/e/f")).await.unwrap();
        // Already there: fine.
        dir.fs.mkdir_all(&dir.path("d/e")).await.unwrap();
        let names = |list: &[(&str, bool)]| -> Vec<(String, bool)> {
            list.iter().map(|(n, d)| (n.to_string(), *d)).collect()
        };
        assert_eq!(
            dir.listing("").await,
            names(&[("a", true), ("b", true), ("c", false), ("d", true)])
        );
        assert_eq!(dir.listing("d/e").await, names(&[("f", true)]));
        assert!(dir.listing("d/e/f").await.is_empty());
        dir.fs.rmdir(&dir.path("d/e/f")).await.unwrap();
        assert!(dir.listing("d/e").await.is_empty());
    }

    fn stat_says_what_a_path_names() {
        let dir = Scratch::new("stat").await;
        pwrite_all(&*dir.open("f", "wc").await, b"abc", 0).await;
        dir.fs.mkdir(&dir.path("d")).await.unwrap();
        assert_eq!(dir.fs.stat(&dir.path("f")).await.unwrap(), Stat { len: 3, is_dir: false });
        // A directory's length is its file system's (0 simulated, 4096 on ext4).
        assert!(dir.fs.stat(&dir.path("d")).await.unwrap().is_dir);
        assert!(dir.open("d", "r").await.fstat().await.unwrap().is_dir);
    }

    fn errors_have_the_kinds_linux_gives() {
        let dir = Scratch::new("errors").await;
        let fs = &dir.fs;
        let p = |name: &str| dir.path(name);
        pwrite_all(&*dir.open("file", "wc").await, b"x", 0).await;
        fs.mkdir(&p("full")).await.unwrap();
        drop(dir.open("full/inside", "wc").await);
        fs.mkdir(&p("empty")).await.unwrap();

        // NotFound.
        assert_eq!(err_kind(fs.open(&p("none"), &open_flags("r")).await), ErrorKind::NotFound);
        assert_eq!(err_kind(fs.open(&p("no/f"), &open_flags("wc")).await), ErrorKind::NotFound);
        assert_eq!(err_kind(fs.stat(&p("none")).await), ErrorKind::NotFound);
        assert_eq!(err_kind(fs.unlink(&p("none")).await), ErrorKind::NotFound);
        assert_eq!(err_kind(fs.rmdir(&p("none")).await), ErrorKind::NotFound);
        assert_eq!(err_kind(fs.readdir(&p("none")).await), ErrorKind::NotFound);
        assert_eq!(err_kind(fs.rename(&p("none"), &p("x")).await), ErrorKind::NotFound);
        assert_eq!(err_kind(fs.mkdir(&p("no/d")).await), ErrorKind::NotFound);

        // AlreadyExists.
        assert_eq!(err_kind(fs.mkdir(&p("empty")).await), ErrorKind::AlreadyExists);
        assert_eq!(err_kind(fs.mkdir(&p("file")).await), ErrorKind::AlreadyExists);
        assert_eq!(err_kind(fs.mkdir_all(&p("file")).await), ErrorKind::AlreadyExists);
        assert_eq!(
            err_kind(fs.open(&p("file"), &open_flags("wx")).await),
            ErrorKind::AlreadyExists
        );

        // IsADirectory.
        assert_eq!(err_kind(fs.open(&p("empty"), &open_flags("w")).await), ErrorKind::IsADirectory);
        assert_eq!(err_kind(fs.unlink(&p("empty")).await), ErrorKind::IsADirectory);
        assert_eq!(err_kind(fs.rename(&p("file"), &p("empty")).await), ErrorKind::IsADirectory);
        let opened_dir = dir.open("empty", "r").await;
        let (res, _) = opened_dir.pread(vec![0; 4], 0).await;
        assert_eq!(err_kind(res), ErrorKind::IsADirectory);

        // NotADirectory.
        assert_eq!(err_kind(fs.stat(&p("file/x")).await), ErrorKind::NotADirectory);
        assert_eq!(err_kind(fs.open(&p("file/x"), &open_flags("r")).await), ErrorKind::NotADirectory);
        assert_eq!(err_kind(fs.rmdir(&p("file")).await), ErrorKind::NotADirectory);
        assert_eq!(err_kind(fs.readdir(&p("file")).await), ErrorKind::NotADirectory);
        assert_eq!(err_kind(fs.mkdir_all(&p("file/d")).await), ErrorKind::NotADirectory);
        assert_eq!(err_kind(fs.rename(&p("empty"), &p("file")).await), ErrorKind::NotADirectory);

        // DirectoryNotEmpty.
        assert_eq!(err_kind(fs.rmdir(&p("full")).await), ErrorKind::DirectoryNotEmpty);

        // InvalidInput: std's checks of the flags, before anything else.
        for flags in ["", "c", "rt", "wat"] {
            let res = fs.open(&p("file"), &open_flags(flags)).await;
            assert_eq!(err_kind(res), ErrorKind::InvalidInput, "flags {flags:?}");
        }

        // The failed calls changed nothing.
        let listed = dir.listing("").await;
        let names: Vec<_> = listed.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["empty", "file", "full"]);
        assert_eq!(pread_all(&*dir.open("file", "r").await, 10, 0).await, b"x");
    }

    fn completions_of_concurrent_operations_all_arrive() {
        let dir = Scratch::new("concurrent").await;
        let file = dir.open("f", "rwc").await;
        const BLOCKS: usize = 24;
        const BLOCK: usize = 512;
        let block = |i: usize| vec![i as u8 + 1; BLOCK];
        // Every write in flight at once, with stats of the directory.
        let writes: Vec<_> = (0..BLOCKS)
            .map(|i| file.pwrite(block(i), (i * BLOCK) as u64))
            .collect();
        let stats: Vec<_> = (0..4).map(|_| dir.fs.stat(&dir.root)).collect();
        // Awaited last first: each arrives whatever the order.
        for stat in stats.into_iter().rev() {
            assert!(stat.await.unwrap().is_dir);
        }
        let mut short = Vec::new();
        for (i, write) in writes.into_iter().enumerate().rev() {
            match write.await {
                (Ok(n), _) if n == BLOCK => {}
                (Ok(n), _) => short.push((i, n)),
                (Err(e), _) if is_eio(&e) => short.push((i, 0)),
                (Err(e), _) => panic!("block {i}: {e}"),
            }
        }
        // Finish what a short completion or EIO left undone.
        for (i, done) in short {
            pwrite_all(&*file, &block(i)[done..], (i * BLOCK + done) as u64).await;
        }
        let all = pread_all(&*file, BLOCKS * BLOCK + 1, 0).await;
        let expected: Vec<u8> = (0..BLOCKS).flat_map(block).collect();
        assert_eq!(all, expected);
    }

    fn a_dropped_completion_still_takes_effect() {
        let dir = Scratch::new("dropped").await;
        drop(dir.fs.mkdir(&dir.path("made")));
        // The mkdir is not cancelled: it shows up, in its own time.
        let mut waited = Duration::ZERO;
        while dir.fs.stat(&dir.path("made")).await.is_err() {
            assert!(waited < Duration::from_secs(10), "the dropped mkdir never happened");
            sleep(Duration::from_millis(1)).await;
            waited += Duration::from_millis(1);
        }
        assert_eq!(dir.listing("").await, [("made".to_string(), true)]);
    }
}
