//! The operations of the model test, run against detsim's simulated disk
//! and the reference model side by side.

use std::io::{self, ErrorKind, SeekFrom};
use std::sync::atomic::Ordering;

use detsim::faults::CrashOutcome;
use detsim::fs::{self, DiskConfig, File, OpenOptions};
use detsim::{Config, Faults, Runtime};
use futures::{AsyncSeekExt, AsyncWriteExt};

use super::model::Model;
use super::plans::{STATS, io_errors_on};

pub const DIRS: [&str; 4] = ["/", "/a", "/b", "/a/c"];
pub const FILES: [&str; 8] = [
    "/f", "/g", "/a/f", "/a/g", "/b/f", "/b/g", "/a/c/f", "/a/c/g",
];

/// ext4's file-size limit, the one sim-fs has.
const MAX_FILE_BYTES: u64 = ((1 << 32) - 1) * 4096;

#[derive(Clone, Debug)]
pub enum Op {
    /// Open with write + create (no truncate), write `len` bytes of `byte`.
    Write {
        file: usize,
        offset: u64,
        len: usize,
        byte: u8,
    },
    /// Open with append + create, write `len` bytes at the end.
    Append {
        file: usize,
        len: usize,
        byte: u8,
    },
    /// Open read-write + create, seek to `offset`, write through the
    /// cursor (`AsyncWrite::write_all`).
    CursorWrite {
        file: usize,
        offset: u64,
        len: usize,
        byte: u8,
    },
    Fsync(usize),
    SetLen {
        file: usize,
        len: u64,
    },
    Rename {
        from: usize,
        to: usize,
    },
    Unlink(usize),
    Mkdir(usize),
    Rmdir(usize),
    SyncDir(usize),
    Read(usize),
    /// An offset or length past the file-size limit: an error, no change.
    OutOfRange {
        file: usize,
        kind: u8,
    },
    Crash,
}

/// An injected `EIO`.
pub fn is_eio(e: &io::Error) -> bool {
    e.raw_os_error() == Some(5)
}

/// Runs one case: `ops` on a fresh simulated disk under `plan`, checked
/// step by step against the model. `Err` names the first disagreement.
pub fn run_case(ops: &[Op], plan: Faults, seed: u64) -> Result<(), String> {
    STATS.cases.fetch_add(1, Ordering::Relaxed);
    let outcome = plan.disk.crash_outcome;
    let eio_allowed = io_errors_on(&plan);
    let mut config = Config::default();
    config.faults = plan;
    // What is checked here is the disk, not poll times: a busy host must
    // not fail a case (and a long poll would not shrink).
    config.long_poll_budget = std::time::Duration::ZERO;
    let ops = ops.to_vec();
    let run = Runtime::with_config(seed, config).try_block_on(async move {
        let mut disk = DiskConfig::default();
        disk.sector_size_bytes = 512;
        fs::configure(disk);
        let mut case = Case {
            model: Model::new(),
            outcome,
            eio_allowed,
        };
        for (i, op) in ops.iter().enumerate() {
            STATS.ops.fetch_add(1, Ordering::Relaxed);
            case.step(op)
                .await
                .map_err(|e| format!("operation #{i} {op:?}: {e}"))?;
        }
        Ok::<(), String>(())
    });
    match run {
        Ok(result) => result,
        Err(failure) => Err(format!("the simulation failed: {failure}")),
    }
}

pub struct Case {
    pub model: Model,
    pub outcome: CrashOutcome,
    pub eio_allowed: bool,
}

/// Checks that an operation's outcome is the model's.
fn agree<T>(what: &str, real: &io::Result<T>, model: Result<(), ErrorKind>) -> Result<(), String> {
    match (real, model) {
        (Ok(_), Ok(())) => Ok(()),
        (Err(e), Err(kind)) if e.kind() == kind => Ok(()),
        (Err(e), want) => Err(format!("{what}: got error {e}, the model says {want:?}")),
        (Ok(_), Err(kind)) => Err(format!("{what}: succeeded, the model says {kind:?}")),
    }
}

impl Case {
    /// An error the plan may inject: counted; anything else is a bug.
    fn injected(&self, what: &str, e: &io::Error) -> Result<(), String> {
        if self.eio_allowed && is_eio(e) {
            STATS.io_errors.fetch_add(1, Ordering::Relaxed);
            Ok(())
        } else {
            Err(format!("{what}: unexpected error {e}"))
        }
    }

    async fn step(&mut self, op: &Op) -> Result<(), String> {
        match *op {
            Op::Write {
                file,
                offset,
                len,
                byte,
            } => {
                let path = FILES[file];
                let opened = OpenOptions::new().write(true).create(true).open(path).await;
                let expected = self.model.open_create(path);
                agree("open for write", &opened, expected.map(drop))?;
                let (Ok(f), Ok(id)) = (opened, expected) else {
                    return Ok(());
                };
                let data = vec![byte; len];
                match f.write_all_at(data.clone(), offset).await.0 {
                    Ok(()) => self.model.wrote(id, offset, &data),
                    Err(e) => {
                        self.injected("write", &e)?;
                        self.model.write_failed(id);
                    }
                }
            }
            Op::Append { file, len, byte } => {
                let path = FILES[file];
                let opened = OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(path)
                    .await;
                let expected = self.model.open_create(path);
                agree("open for append", &opened, expected.map(drop))?;
                let (Ok(f), Ok(id)) = (opened, expected) else {
                    return Ok(());
                };
                let data = vec![byte; len];
                // The offset is ignored in append mode, as pwrite's on O_APPEND.
                match f.write_all_at(data.clone(), u64::from(byte)).await.0 {
                    Ok(()) => self.model.appended(id, &data),
                    Err(e) => {
                        self.injected("append", &e)?;
                        self.model.write_failed(id);
                    }
                }
            }
            Op::CursorWrite {
                file,
                offset,
                len,
                byte,
            } => {
                let path = FILES[file];
                let opened = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .open(path)
                    .await;
                let expected = self.model.open_create(path);
                agree("open for a cursor write", &opened, expected.map(drop))?;
                let (Ok(mut f), Ok(id)) = (opened, expected) else {
                    return Ok(());
                };
                let pos = f.seek(SeekFrom::Start(offset)).await;
                if pos.as_ref().ok() != Some(&offset) {
                    return Err(format!("seek to {offset}: {pos:?}"));
                }
                let data = vec![byte; len];
                match f.write_all(&data).await {
                    Ok(()) => {
                        self.model.wrote(id, offset, &data);
                        let end = f.seek(SeekFrom::Current(0)).await;
                        if end.as_ref().ok() != Some(&(offset + len as u64)) {
                            return Err(format!("the cursor ended at {end:?}"));
                        }
                    }
                    Err(e) => {
                        self.injected("cursor write", &e)?;
                        self.model.write_failed(id);
                    }
                }
            }
            Op::Fsync(file) => {
                let path = FILES[file];
                let opened = File::open(path).await;
                let expected = self.model.file(path);
                agree("open for fsync", &opened, expected.map(drop))?;
                let (Ok(f), Ok(id)) = (opened, expected) else {
                    return Ok(());
                };
                match f.sync_all().await {
                    Ok(()) => self.model.fsynced(id, true),
                    Err(e) => {
                        self.injected("fsync", &e)?;
                        self.model.fsynced(id, false);
                    }
                }
            }
            Op::SetLen { file, len } => {
                let path = FILES[file];
                let opened = OpenOptions::new().write(true).open(path).await;
                let expected = self.model.file(path);
                agree("open for set_len", &opened, expected.map(drop))?;
                let (Ok(f), Ok(id)) = (opened, expected) else {
                    return Ok(());
                };
                f.set_len(len).await.map_err(|e| format!("set_len: {e}"))?;
                self.model.set_len(id, len);
            }
            Op::Rename { from, to } => {
                let real = fs::rename(FILES[from], FILES[to]).await;
                agree("rename", &real, self.model.rename(FILES[from], FILES[to]))?;
            }
            Op::Unlink(file) => {
                let real = fs::remove_file(FILES[file]).await;
                agree("remove_file", &real, self.model.unlink(FILES[file]))?;
            }
            Op::Mkdir(dir) => {
                let real = fs::create_dir(DIRS[dir]).await;
                agree("create_dir", &real, self.model.mkdir(DIRS[dir]))?;
            }
            Op::Rmdir(dir) => {
                let real = fs::remove_dir(DIRS[dir]).await;
                agree("remove_dir", &real, self.model.rmdir(DIRS[dir]))?;
            }
            Op::SyncDir(dir) => {
                let opened = File::open(DIRS[dir]).await;
                let expected = self.model.open_dir(DIRS[dir]);
                agree("open a directory", &opened, expected.map(drop))?;
                let (Ok(d), Ok(id)) = (opened, expected) else {
                    return Ok(());
                };
                match d.sync_all().await {
                    Ok(()) => self.model.dir_synced(id),
                    Err(e) => self.injected("sync_dir", &e)?,
                }
            }
            Op::Read(file) => {
                let path = FILES[file];
                let real = fs::read(path).await;
                let expected = self.model.file(path);
                match (&real, expected) {
                    (Err(e), Ok(_)) if is_eio(e) => self.injected("read", e)?,
                    _ => agree("read", &real, expected.map(drop))?,
                }
                if let (Ok(data), Ok(id)) = (real, expected) {
                    if let Some(cache) = &self.model.files[&id].cache {
                        if &data != cache {
                            return Err(format!(
                                "read {} bytes, the page cache holds {}: {}",
                                data.len(),
                                cache.len(),
                                first_difference(&data, cache)
                            ));
                        }
                    }
                }
            }
            Op::OutOfRange { file, kind } => self.out_of_range(FILES[file], kind).await?,
            Op::Crash => self.crash().await?,
        }
        Ok(())
    }

    /// An offset or length past the limit fails with Linux's error and
    /// changes nothing (the next read checks that).
    async fn out_of_range(&mut self, path: &str, kind: u8) -> Result<(), String> {
        let opened = OpenOptions::new().read(true).write(true).open(path).await;
        agree("open", &opened, self.model.file(path).map(drop))?;
        let Ok(mut f) = opened else { return Ok(()) };
        let (res, want) = match kind {
            0 => (
                f.write_at(vec![1; 9], u64::MAX - 4).await.0,
                ErrorKind::InvalidInput,
            ),
            1 => (
                f.write_at(vec![1; 9], MAX_FILE_BYTES).await.0,
                ErrorKind::FileTooLarge,
            ),
            2 => (
                f.read_at(vec![0; 9], u64::MAX).await.0,
                ErrorKind::InvalidInput,
            ),
            3 => (
                f.set_len(u64::MAX).await.map(|()| 0),
                ErrorKind::InvalidInput,
            ),
            4 => (
                f.set_len(MAX_FILE_BYTES + 1).await.map(|()| 0),
                ErrorKind::FileTooLarge,
            ),
            _ => (
                f.seek(SeekFrom::Start(MAX_FILE_BYTES + 1)).await.map(|_| 0),
                ErrorKind::InvalidInput,
            ),
        };
        match res {
            Err(e) if e.kind() == want => Ok(()),
            other => Err(format!(
                "out of range #{kind}: got {other:?}, want {want:?}"
            )),
        }
    }
}

pub fn first_difference(a: &[u8], b: &[u8]) -> String {
    match a.iter().zip(b).position(|(x, y)| x != y) {
        Some(i) => format!("first difference at byte {i}"),
        None => "one is a prefix of the other".to_string(),
    }
}
