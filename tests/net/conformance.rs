//! The same test bodies on the simulated kernel and on the OS kernel.
//!
//! Each scenario is written once; `both_backends!` runs it under the
//! simulation (20 seeds, default faults: short reads, partial writes,
//! spurious readiness...) and on `Runtime::os()` (real epoll and loopback
//! sockets). Bodies bind `127.0.0.1:0` and connect to the listener's
//! reported address, which both backends understand.

use std::cell::RefCell;
use std::io::ErrorKind;
use std::rc::Rc;

use detsim::net::{TcpListener, TcpStream, UdpSocket};
use detsim::time::{Duration, sleep};
use detsim::{Faults, Runtime, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

async fn echo_server() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    spawn(async move {
        loop {
            let (conn, _) = listener.accept().await.unwrap();
            spawn(async move {
                let (mut r, mut w) = conn.into_split();
                futures::io::copy(&mut r, &mut w).await.unwrap();
                w.close().await.unwrap();
            });
        }
    });
    addr
}

both_backends! {
    fn echo_round_trips_a_message() {
        let addr = echo_server().await;
        let mut conn = TcpStream::connect(addr).await.unwrap();
        let message: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        conn.write_all(&message).await.unwrap();
        conn.close().await.unwrap();
        let mut back = Vec::new();
        conn.read_to_end(&mut back).await.unwrap();
        assert_eq!(back, message);
    }

    fn half_close_lets_the_peer_finish_reading_and_answer() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            conn.read_to_end(&mut request).await.unwrap();
            conn.write_all(&(request.len() as u32).to_be_bytes()).await.unwrap();
        });
        let mut conn = TcpStream::connect(addr).await.unwrap();
        conn.write_all(&[1; 300]).await.unwrap();
        conn.close().await.unwrap();
        let mut len = [0u8; 4];
        conn.read_exact(&mut len).await.unwrap();
        assert_eq!(u32::from_be_bytes(len), 300);
        assert!(conn.write_all(b"more").await.is_err(), "writing after close (shutdown of the write half) fails");
        server.await.unwrap();
    }

    fn connecting_to_a_closed_port_is_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    }

    fn the_first_write_after_the_peer_closed_succeeds_and_the_reset_it_provokes_fails_a_later_one() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spawn(async move {
            let (mut conn, _) = listener.accept().await.unwrap();
            conn.write_all(b"bye").await.unwrap();
            // Nothing unread: dropping it sends FIN.
        });
        let mut conn = TcpStream::connect(addr).await.unwrap();
        server.await.unwrap();
        let mut got = Vec::new();
        conn.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"bye", "the data, then EOF once the FIN arrived");
        // The peer's socket is closed, but nothing here knows it yet.
        conn.write_all(b"are you there?").await.unwrap();
        // The closed socket answered that segment with RST.
        sleep(Duration::from_millis(50)).await;
        let err = conn.write_all(b"hello?").await.unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::BrokenPipe | ErrorKind::ConnectionReset),
            "{err}"
        );
        let err = conn.write_all(b"hello?").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err}");
        assert_eq!(conn.read(&mut [0; 8]).await.unwrap(), 0, "EOF stays EOF");
    }

    fn closing_with_unread_data_resets_the_peer_once_then_eof() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = spawn(async move {
            let (conn, _) = listener.accept().await.unwrap();
            // Long enough for the client's bytes to arrive, unread.
            sleep(Duration::from_millis(50)).await;
            drop(conn);
        });
        let mut conn = TcpStream::connect(addr).await.unwrap();
        conn.write_all(b"never read").await.unwrap();
        server.await.unwrap();
        sleep(Duration::from_millis(50)).await;
        let err = conn.read(&mut [0; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
        // The error is reported once (Linux's SO_ERROR); after it the
        // socket is shut down both ways.
        let err = conn.write_all(b"x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err}");
        assert_eq!(conn.read(&mut [0; 8]).await.unwrap(), 0);
    }

    fn reads_with_small_and_large_buffers_see_the_same_bytes() {
        let addr = echo_server().await;
        let message: Vec<u8> = (0..5_000u32).map(|i| (i * 7) as u8).collect();
        for chunk in [1usize, 3, 4096, 65_536] {
            let mut conn = TcpStream::connect(addr).await.unwrap();
            conn.write_all(&message).await.unwrap();
            conn.close().await.unwrap();
            let mut back = Vec::new();
            let mut buf = vec![0u8; chunk];
            loop {
                let n = conn.read(&mut buf).await.unwrap();
                if n == 0 {
                    break;
                }
                assert!(n <= chunk);
                back.extend_from_slice(&buf[..n]);
            }
            assert_eq!(back, message, "buffer of {chunk} bytes");
        }
    }

    fn udp_round_trips_a_datagram() {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b_addr = b.local_addr().unwrap();
        let echo = spawn(async move {
            let mut buf = [0u8; 64];
            let (n, from) = b.recv_from(&mut buf).await.unwrap();
            b.send_to(&buf[..n], from).await.unwrap();
        });
        // Datagrams may be lost under the simulation's fault plan: retry.
        let mut buf = [0u8; 64];
        loop {
            a.send_to(b"ping", b_addr).await.unwrap();
            match detsim::time::timeout(Duration::from_millis(200), a.recv_from(&mut buf)).await {
                Ok(got) => {
                    let (n, _) = got.unwrap();
                    assert_eq!(&buf[..n], b"ping");
                    break;
                }
                Err(_) => continue,
            }
        }
        echo.await.unwrap();
    }

    fn timers_fire_in_deadline_order() {
        let order = Rc::new(RefCell::new(Vec::new()));
        let tasks: Vec<_> = [30u64, 10, 20]
            .into_iter()
            .map(|ms| {
                let order = order.clone();
                spawn(async move {
                    sleep(Duration::from_millis(ms)).await;
                    order.borrow_mut().push(ms);
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.borrow(), vec![10, 20, 30]);
    }
}

// Files. Each body works in its own directory: any absolute path under the
// simulation (a fresh disk per seed), a fresh temporary directory on the
// OS, removed when the body ends. The default fault plan injects `EIO` on
// disk reads, writes and fsyncs, and short completions: the helpers below
// handle them as correct code must, so the bodies hold on both kernels.

mod fs_support {
    use std::io::{self, ErrorKind};
    use std::ops::Deref;
    use std::path::{Path, PathBuf};

    use detsim::fs::{self, File};
    use detsim::kernel::KernelHandle;

    /// A test's directory: its path, and (on the OS) the duty to remove it.
    pub struct Scratch {
        path: PathBuf,
        on_os: bool,
    }

    /// `/conformance/<name>` under the simulation;
    /// `$TMPDIR/detsim-conformance-<pid>-<name>` on the OS. Not created:
    /// the body creates it, through the API under test.
    pub fn scratch_dir(name: &str) -> Scratch {
        let on_os = KernelHandle::current().is_os();
        let path = if on_os {
            let path = std::env::temp_dir()
                .join(format!("detsim-conformance-{}-{name}", std::process::id()));
            // A leftover of an earlier process with the same pid.
            let _ = std::fs::remove_dir_all(&path);
            path
        } else {
            PathBuf::from("/conformance").join(name)
        };
        Scratch { path, on_os }
    }

    impl Deref for Scratch {
        type Target = Path;

        fn deref(&self) -> &Path {
            &self.path
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            if self.on_os {
                let _ = std::fs::remove_dir_all(&self.path);
            }
        }
    }

    /// Linux's `EIO`, which the simulation's fault plan injects.
    pub fn is_eio(e: &io::Error) -> bool {
        e.raw_os_error() == Some(5)
    }

    /// Writes all of `data` at `offset` with `write_at`, resubmitting the
    /// rest after a short completion and retrying a write that failed with
    /// `EIO` (it wrote nothing).
    pub async fn write_fully(file: &File, data: &[u8], offset: u64) {
        let mut done = 0;
        while done < data.len() {
            let (res, _) = file
                .write_at(data[done..].to_vec(), offset + done as u64)
                .await;
            match res {
                Ok(0) => panic!("write_at wrote 0 of {} bytes", data.len() - done),
                Ok(n) => done += n,
                Err(e) if is_eio(&e) => {}
                Err(e) => panic!("write_at at {}: {e}", offset + done as u64),
            }
        }
    }

    /// Reads `len` bytes at `offset` with `read_at` (fewer if the file ends
    /// first), resubmitting after short completions and `EIO`.
    pub async fn read_fully(file: &File, len: usize, offset: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            let (res, buf) = file
                .read_at(vec![0; len - out.len()], offset + out.len() as u64)
                .await;
            match res {
                Ok(0) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) if is_eio(&e) => {}
                Err(e) => panic!("read_at at {}: {e}", offset + out.len() as u64),
            }
        }
        out
    }

    /// Creates `path` holding `data`, durably: after an fsync fails with
    /// `EIO` the data it covered is lost (Linux since "fsyncgate"), so the
    /// whole file is written again rather than the fsync retried.
    pub async fn write_durably(path: &Path, data: &[u8]) {
        loop {
            let file = File::create(path).await.unwrap();
            write_fully(&file, data, 0).await;
            match file.sync_all().await {
                Ok(()) => return,
                Err(e) if is_eio(&e) => {}
                Err(e) => panic!("sync_all of {}: {e}", path.display()),
            }
        }
    }

    /// `fs::read`, retried after `EIO`.
    pub async fn read_file(path: &Path) -> io::Result<Vec<u8>> {
        loop {
            match fs::read(path).await {
                Err(e) if is_eio(&e) => {}
                result => return result,
            }
        }
    }

    /// Fsyncs the directory `path` so its new entries are durable; an
    /// `EIO` (which drops them from the journal) is retried once the
    /// entries are named again, as a careful program would.
    pub async fn sync_dir(path: &Path) {
        loop {
            match fs::sync_dir(path).await {
                Ok(()) => return,
                Err(e) if is_eio(&e) => {}
                Err(e) => panic!("sync_dir {}: {e}", path.display()),
            }
        }
    }

    /// The kind of `result`'s error, or a panic naming what succeeded.
    #[track_caller]
    pub fn err_kind<T: std::fmt::Debug>(result: io::Result<T>) -> ErrorKind {
        match result {
            Ok(v) => panic!("expected an error, got Ok({v:?})"),
            Err(e) => e.kind(),
        }
    }
}

use detsim::fs::{self, File, OpenOptions};
use fs_support::{
    err_kind, read_file, read_fully, scratch_dir, sync_dir, write_durably, write_fully,
};

both_backends! {
    fn a_file_written_and_fsynced_reads_back_the_same_bytes() {
        let dir = scratch_dir("round-trip");
        fs::create_dir_all(&*dir).await.unwrap();
        let path = dir.join("data");
        let data: Vec<u8> = (0..20_000u32).map(|i| (i * 31) as u8).collect();
        write_durably(&path, &data).await;
        sync_dir(&dir).await;
        assert_eq!(read_file(&path).await.unwrap(), data);
        assert_eq!(fs::metadata(&path).await.unwrap().len(), data.len() as u64);
        let file = File::open(&path).await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), data.len() as u64);
        assert_eq!(read_fully(&file, data.len() + 10, 0).await, data);
    }

    fn the_cursor_writes_seeks_and_reads_the_same_bytes() {
        use futures::AsyncSeekExt;
        use std::io::SeekFrom;

        let dir = scratch_dir("cursor");
        fs::create_dir_all(&*dir).await.unwrap();
        let path = dir.join("log");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .open(&path)
            .await
            .unwrap();
        let data: Vec<u8> = (0..5_000u32).map(|i| (i % 251) as u8).collect();
        // A failed write_all leaves an unknown prefix written: start over.
        loop {
            assert_eq!(file.seek(SeekFrom::Start(0)).await.unwrap(), 0);
            match file.write_all(&data).await {
                Ok(()) => break,
                Err(e) if fs_support::is_eio(&e) => {}
                Err(e) => panic!("write_all: {e}"),
            }
        }
        assert_eq!(file.seek(SeekFrom::End(-100)).await.unwrap(), 4_900);
        let mut tail = Vec::new();
        loop {
            match file.read_to_end(&mut tail).await {
                Ok(_) => break,
                Err(e) if fs_support::is_eio(&e) => {}
                Err(e) => panic!("read_to_end: {e}"),
            }
        }
        assert_eq!(tail, &data[4_900..]);
    }

    fn rename_moves_the_content_and_the_old_name_is_gone() {
        let dir = scratch_dir("rename");
        fs::create_dir_all(&*dir).await.unwrap();
        let (old, new) = (dir.join("tmp"), dir.join("final"));
        write_durably(&old, b"version 2").await;
        fs::rename(&old, &new).await.unwrap();
        sync_dir(&dir).await;
        assert_eq!(read_file(&new).await.unwrap(), b"version 2");
        assert_eq!(err_kind(read_file(&old).await), ErrorKind::NotFound);
        assert!(!fs::try_exists(&old).await.unwrap());
        assert!(fs::try_exists(&new).await.unwrap());
    }

    fn read_dir_lists_the_created_entries_sorted_by_name() {
        let dir = scratch_dir("read-dir");
        fs::create_dir_all(&*dir).await.unwrap();
        for name in ["c", "a", "b"] {
            write_durably(&dir.join(name), name.as_bytes()).await;
        }
        fs::create_dir(dir.join("d")).await.unwrap();
        let entries: Vec<_> = fs::read_dir(&*dir).await.unwrap().map(Result::unwrap).collect();
        let names: Vec<_> = entries
            .iter()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a", "b", "c", "d"]);
        let dirs: Vec<_> = entries.iter().map(|e| e.file_type().is_dir()).collect();
        assert_eq!(dirs, [false, false, false, true]);
        assert_eq!(entries[0].path(), dir.join("a"));
        // Removed entries leave the listing.
        fs::remove_file(dir.join("b")).await.unwrap();
        fs::remove_dir(dir.join("d")).await.unwrap();
        let names: Vec<_> = fs::read_dir(&*dir)
            .await
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a", "c"]);
    }

    fn create_new_on_an_existing_file_is_already_exists() {
        let dir = scratch_dir("create-new");
        fs::create_dir_all(&*dir).await.unwrap();
        let path = dir.join("once");
        let first = File::create_new(&path).await.unwrap();
        write_fully(&first, b"first", 0).await;
        assert_eq!(err_kind(File::create_new(&path).await), ErrorKind::AlreadyExists);
        assert_eq!(
            err_kind(OpenOptions::new().write(true).create_new(true).open(&path).await),
            ErrorKind::AlreadyExists
        );
        assert_eq!(err_kind(fs::create_dir(&*dir).await), ErrorKind::AlreadyExists);
        // The failed attempts left the file alone.
        assert_eq!(read_file(&path).await.unwrap(), b"first");
    }

    fn a_missing_file_is_not_found() {
        let dir = scratch_dir("missing");
        fs::create_dir_all(&*dir).await.unwrap();
        let path = dir.join("nobody");
        assert_eq!(err_kind(fs::read(&path).await), ErrorKind::NotFound);
        assert_eq!(err_kind(File::open(&path).await), ErrorKind::NotFound);
        assert_eq!(err_kind(fs::metadata(&path).await), ErrorKind::NotFound);
        assert_eq!(err_kind(fs::remove_file(&path).await), ErrorKind::NotFound);
        assert_eq!(err_kind(fs::rename(&path, dir.join("x")).await), ErrorKind::NotFound);
        assert_eq!(err_kind(fs::read_dir(dir.join("no-dir")).await), ErrorKind::NotFound);
        assert_eq!(
            err_kind(File::create(dir.join("no-dir").join("f")).await),
            ErrorKind::NotFound
        );
        assert!(!fs::try_exists(&path).await.unwrap());
    }

    fn write_at_and_read_at_at_offsets_see_the_same_bytes() {
        let dir = scratch_dir("offsets");
        fs::create_dir_all(&*dir).await.unwrap();
        let file = File::create_new(dir.join("blocks")).await.unwrap();
        // Blocks written out of order, with a gap that reads back as zeros.
        let block = |i: u8| vec![i; 4096];
        for i in [3u8, 0, 1] {
            write_fully(&file, &block(i), u64::from(i) * 4096).await;
        }
        // Across a block boundary: overwrites the end of 0, the start of 1.
        write_fully(&file, &[9; 100], 4096 - 50).await;
        let mut expected = [block(0), block(1), vec![0; 4096], block(3)].concat();
        expected[4096 - 50..4096 + 50].fill(9);
        assert_eq!(file.metadata().await.unwrap().len(), 4 * 4096);
        // Whole, in odd-sized pieces, and past the end.
        assert_eq!(read_fully(&file, 4 * 4096, 0).await, expected);
        for (offset, len) in [(1usize, 4095usize), (4000, 300), (8191, 2), (12_000, 5_000)] {
            let got = read_fully(&file, len, offset as u64).await;
            let end = (offset + len).min(expected.len());
            assert_eq!(got, &expected[offset..end], "{len} bytes at {offset}");
        }
        assert!(read_fully(&file, 10, 1 << 20).await.is_empty());
        file.set_len(4096).await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), 4096);
    }
}
