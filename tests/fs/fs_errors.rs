//! Misuse of the file API fails with the error kinds Linux gives.

use std::io::{ErrorKind, SeekFrom};

use detsim::Runtime;
use detsim::fs::{self, File, OpenOptions};
use futures::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

#[track_caller]
fn assert_kind<T: std::fmt::Debug>(res: std::io::Result<T>, kind: ErrorKind) {
    assert_eq!(res.unwrap_err().kind(), kind);
}

#[test]
fn misuse_fails_with_the_error_kinds_linux_gives() {
    Runtime::sim(0).block_on(async {
        fs::create_dir("/d").await.unwrap();
        fs::write("/d/f", b"x").await.unwrap();

        assert_kind(File::open("/missing").await, ErrorKind::NotFound);
        assert_kind(File::create("/nodir/f").await, ErrorKind::NotFound);
        assert_kind(File::create_new("/d/f").await, ErrorKind::AlreadyExists);
        assert_kind(fs::create_dir("/d").await, ErrorKind::AlreadyExists);
        assert_kind(fs::create_dir("/").await, ErrorKind::AlreadyExists);
        assert_kind(File::create("/d").await, ErrorKind::IsADirectory);
        assert_kind(fs::remove_file("/d").await, ErrorKind::IsADirectory);
        assert_kind(File::open("/d/f/g").await, ErrorKind::NotADirectory);
        assert_kind(fs::remove_dir("/d/f").await, ErrorKind::NotADirectory);
        assert_kind(fs::read_dir("/d/f").await, ErrorKind::NotADirectory);
        assert_kind(fs::remove_dir("/d").await, ErrorKind::DirectoryNotEmpty);
        assert_kind(fs::remove_dir("/").await, ErrorKind::ResourceBusy);
        assert_kind(fs::rename("/d/f", "/d").await, ErrorKind::IsADirectory);
        assert_kind(fs::rename("/d", "/d/inside").await, ErrorKind::InvalidInput);
        assert_kind(fs::rename("/nope", "/x").await, ErrorKind::NotFound);
        assert_kind(fs::create_dir_all("/d/f/g").await, ErrorKind::NotADirectory);
        assert_kind(fs::create_dir_all("/d/f").await, ErrorKind::AlreadyExists);

        // Options std rejects before touching the disk.
        assert_kind(
            OpenOptions::new().open("/d/f").await,
            ErrorKind::InvalidInput,
        );
        let read_create = OpenOptions::new().read(true).create(true).open("/g").await;
        assert_kind(read_create, ErrorKind::InvalidInput);

        // A read-only handle: Linux's EBADF, reported as PermissionDenied.
        let ro = File::open("/d/f").await.unwrap();
        let (res, _) = ro.write_at(b"y".to_vec(), 0).await;
        assert_kind(res, ErrorKind::PermissionDenied);
        assert_kind(ro.set_len(0).await, ErrorKind::InvalidInput);
        let wo = OpenOptions::new().write(true).open("/d/f").await.unwrap();
        let (res, _) = wo.read_at(vec![0; 1], 0).await;
        assert_kind(res, ErrorKind::PermissionDenied);

        // A directory opened read-only can be fsynced but not read.
        let dir = File::open("/d").await.unwrap();
        dir.sync_all().await.unwrap();
        let (res, _) = dir.read_at(vec![0; 1], 0).await;
        assert_kind(res, ErrorKind::IsADirectory);

        // A handle from before a crash is dead.
        fs::crash();
        let (res, _) = ro.read_at(vec![0; 1], 0).await;
        assert!(res.unwrap_err().to_string().contains("reopen"));
    });
}

#[test]
fn reads_past_the_end_return_zero_and_rename_replaces_files() {
    Runtime::sim(1).block_on(async {
        fs::write("/a", b"abc").await.unwrap();
        fs::write("/b", b"old").await.unwrap();
        let f = File::open("/a").await.unwrap();
        let (n, _) = f.read_at(vec![0; 4], 3).await;
        assert_eq!(n.unwrap(), 0);
        fs::rename("/a", "/b").await.unwrap();
        assert_eq!(fs::read("/b").await.unwrap(), b"abc");
        assert!(!fs::try_exists("/a").await.unwrap());
        // The open handle still reads the renamed file.
        let (n, buf) = f.read_at(vec![0; 3], 0).await;
        assert_eq!((n.unwrap(), &buf[..]), (3, &b"abc"[..]));
    });
}

#[test]
fn the_cursor_reads_writes_and_seeks_like_std() {
    Runtime::sim(2).block_on(async {
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .open("relative.txt")
            .await
            .unwrap();
        f.write_all(b"hello, world").await.unwrap();
        assert_eq!(f.seek(SeekFrom::Current(-5)).await.unwrap(), 7);
        let mut word = String::new();
        f.read_to_string(&mut word).await.unwrap();
        assert_eq!(word, "world");
        assert_eq!(f.seek(SeekFrom::End(-12)).await.unwrap(), 0);
        assert_kind(f.seek(SeekFrom::Current(-1)).await, ErrorKind::InvalidInput);
        f.close().await.unwrap();
        assert_eq!(fs::read("/relative.txt").await.unwrap(), b"hello, world");

        let mut log = OpenOptions::new()
            .append(true)
            .open("/relative.txt")
            .await
            .unwrap();
        log.write_all(b"!").await.unwrap();
        assert_eq!(log.seek(SeekFrom::Current(0)).await.unwrap(), 13);
        assert_eq!(fs::read("/relative.txt").await.unwrap(), b"hello, world!");
    });
}
