//! detsim's simulated disks: files with completion-based IO, a page cache
//! that a crash takes away, and the storage faults real disks have.
//!
//! Each node has its own disk, created on first use (or with
//! [`configure`]); every task uses its node's. The API mirrors std and
//! tokio: [`File`], [`OpenOptions`], [`read`], [`write`](write()), [`rename`],
//! [`create_dir_all`]... plus io_uring-style [`File::read_at`] and
//! [`File::write_at`] with owned buffers, futures-io `AsyncRead`,
//! `AsyncWrite` and `AsyncSeek`, and [`crash`].
//!
//! The types and functions are written once, over the kernel's
//! file-system contract ([`detsim::kernel::fs`](sim_core::kernel::fs):
//! `open`, `pread`, `pwrite`, `fsync`, `rename`... each returning a kernel
//! `Completion`), and never ask which kernel they run on. Under the
//! simulation the file system is this crate's disks, installed in the
//! runtime on first use ([`file_system`]); on the OS runtime
//! (`detsim::Runtime::os()`) it is the OS kernel's real one, each system
//! call on the runtime's blocking pool, with real paths and the real
//! kernel's errors (sim-core's `kernel/os/fs` lists how it differs from
//! the simulation). The simulation-only [`crash`] and [`configure`] panic
//! there, saying so.
//!
//! ```
//! use detsim::fs::{self, File};
//!
//! detsim::Runtime::sim(7).block_on(async {
//!     fs::create_dir_all("/db").await.unwrap();
//!     let f = File::create("/db/wal").await.unwrap();
//!     let (res, _) = f.write_all_at(b"put k v".to_vec(), 0).await;
//!     res.unwrap();
//!     f.sync_all().await.unwrap(); // the data is durable...
//!     fs::sync_dir("/db").await.unwrap(); // ...and so is its name
//!     fs::sync_dir("/").await.unwrap(); // ...and /db's
//!     fs::crash();
//!     assert_eq!(fs::read("/db/wal").await.unwrap(), b"put k v");
//! });
//! ```
//!
//! # Durability model
//!
//! Every file has two versions: the **page cache**, which reads see, and
//! the **durable media**, which is what survives a crash. A completed write
//! or `set_len` (and an `O_TRUNC` open) changes the page cache and is
//! appended to the file's log of unsynced changes; [`File::sync_all`]
//! (fsync) applies the log to the media, in order.
//!
//! Directory operations (creating a file or directory, removing one,
//! renaming) change the tree at once (a rename atomically: readers see the
//! old name or the new, never neither) and are appended to **one journal**
//! per disk, in the order they happened. An fsync of a directory
//! ([`sync_dir`], or `File::open(dir)` then `sync_all`) commits the journal
//! up to and including the last operation that touches that directory (a
//! rename touches both of its directories), and with it every earlier
//! operation, whichever directories those touch: the journal commits in
//! order, as ext4's (jbd2) does, each commit carrying every earlier
//! metadata change. So a namespace on the media is
//! always one the operations passed through: a file renamed from `/a` to
//! `/b` is never in both after a crash. An fsync of a file does not make
//! its name durable, nor does an fsync of a directory make its files' data
//! durable.
//!
//! A **crash** ([`crash`], or `detsim::node::crash` for a node's disk)
//! keeps what was durable; what else reached the media is the fault
//! plan's `disk.crash_outcome` (`detsim::faults::CrashOutcome`):
//!
//! - `LoseUnsynced` (`Faults::none()`, and `Faults::legal()`, the plan
//!   `Runtime::sim` and `Sim::new()` start with): nothing else. Every file holds what its last fsync made durable and
//!   the namespace is the journal's last committed state. No random draw.
//! - `KeepUnsynced`: everything, as when only the process died: the media
//!   becomes the page cache (but for changes a failed fsync dropped). No
//!   random draw.
//! - `Seeded` (`Faults::default()`, `Faults::chaos()`), each decision a
//!   traced, shrinkable fault:
//!   - the pending journal keeps a prefix: each operation is lost with the
//!     `crash_loss` probability, and everything after the first lost one
//!     is lost too (a later operation never survives an earlier one);
//!   - each unsynced write, independently: if it spans more than one
//!     sector ([`DiskConfig::sector_size_bytes`], default 4096) it is torn
//!     with the `torn_write` probability: a prefix of its sector-sized
//!     pieces, or any proper subset of them, reaches the media; a piece is
//!     never split, so a sector holds wholly old or wholly new bytes.
//!     Otherwise it is lost with the `crash_loss` probability, or kept
//!     whole. Each `set_len` is lost or kept the same way. Kept changes
//!     apply in their original order, but any subset may be kept: a disk's
//!     cache may persist a later write and lose an earlier one.
//!
//! Then the page cache becomes the media; files and directories that no
//! durable entry names (created but never fsynced into their directory)
//! are gone; every open [`File`] and every operation in flight fails from
//! then on (the process that held them is, in the model, gone).
//!
//! # Faults
//!
//! From the run's fault plan (`Faults::disk`), each kind on its own seeded
//! stream and traced when it hits: `EIO` on reads, writes and fsyncs (raw OS
//! error 5, as std reports it on Linux); latent sector errors (a sector
//! written goes bad; reads touching it fail with `EIO` until it is
//! rewritten); at crashes, lost and torn writes. Opt-in corruption for
//! checksum tests: bit flips in data read, and misdirected writes (a write
//! lands 1 to 8 sectors away from its offset and reports success). From
//! the kernel's completion model: reordered, delayed and short
//! completions. From [`DiskConfig`]: latency per operation (a seeded draw
//! between a minimum and a maximum, plus transfer time at the configured
//! bandwidth, queued on `queue_depth` channels) and a capacity, past which
//! writes fail with `StorageFull` and change nothing.
//!
//! When a liveness phase's faults end (`detsim::liveness`), the storage
//! faults stop with the run's fault rolls: no new `EIO`, bad sector or
//! corruption, and a crash the test causes afterwards loses and tears
//! nothing under a seeded outcome. What they did before stays: a bad
//! sector fails reads until it is rewritten, lost writes stay lost.
//!
//! After an fsync of a file fails with `EIO`, the changes it covered are
//! dropped from the log: they stay visible in the page cache until a crash
//! but never reach the media, and the next fsync succeeds (Linux since
//! 2018's "fsyncgate": the error is reported once). After an fsync of a
//! directory fails, its journal entries stay pending: a later directory
//! fsync may commit them, and a crash keeps a prefix of them as usual.
//!
//! # Divergence from Linux
//!
//! - Writes through a handle not opened for writing (or reads through one
//!   not opened for reading) fail with `PermissionDenied` naming the fix;
//!   Linux says `EBADF`, which std reports as an uncategorized raw OS error
//!   9. `set_len` on such a handle is `InvalidInput` (`EINVAL`), as Linux.
//! - An fsync error is reported to the fsync that hit it only; Linux
//!   reports it once per open file description that saw the error.
//! - `ENOSPC` comes only from the operation that would pass the capacity,
//!   never later from fsync, and a write that does not fit writes nothing
//!   (Linux may write part). Files have no holes: a gap counts as space.
//!   Space of removed files is free at once.
//! - Directory entries become durable only by an fsync of a directory
//!   (theirs, or one whose change came later in the journal); ext4 often
//!   commits them with an unrelated file fsync too, or with its periodic
//!   commit. Relying on that is a bug the simulation is meant to find.
//! - A failed directory fsync leaves its entries pending; ext4 would abort
//!   its journal and remount read-only. The simulation keeps every crash
//!   state a prefix of the journal instead.
//!   File length and data are one thing: `sync_data` is `sync_all`.
//! - The largest file is ext4's with 4 KiB blocks, 16 TiB minus 4 KiB
//!   (`(2^32 - 1)` blocks), whatever the sector size: ext4 is what most
//!   Linux machines and CI runners format their disks with, so code meets
//!   the limit where it would in production; XFS and btrfs allow up to
//!   `i64::MAX`. As on Linux, a write at or past the limit is `EFBIG`
//!   (`FileTooLarge`) and one that crosses it is cut short there;
//!   `set_len` past it is `EFBIG`; a seek past it is `EINVAL`
//!   (`InvalidInput`), and so is any offset or length above `i64::MAX`
//!   (`off_t` is signed). The content is held in memory, so a capacity
//!   set above the host's memory lets one large write exhaust it.
//! - A crash tears only unsynced writes, at sector boundaries; it never
//!   damages durable data or half-writes a sector.
//! - No permissions, owners, timestamps, links, symlinks or special files;
//!   paths are Unix paths, relative paths are relative to `/`, `..` is
//!   resolved by name. `read_dir` is sorted by name.
//! - Metadata operations (open, mkdir, rename...) take a device latency
//!   and complete like data operations; an operation whose future is
//!   dropped still takes effect, as on io_uring.
//! - The cursor's position is detsim's, not a kernel file offset: a seek
//!   from the start or the current position touches no disk (after a
//!   crash it succeeds, and the next read or write fails), and one from
//!   the end reads the page cache's length at once, as Linux's `lseek`
//!   reads the in-memory inode. It is bounded by the largest file on both
//!   kernels.
//!
//! # Modules
//!
//! - [`File`] and [`OpenOptions`]: open files, completion-style and cursor
//!   IO; [`FileCompletion`], an owned-buffer operation in flight.
//! - Directories: [`create_dir`], [`create_dir_all`], [`read_dir`],
//!   [`remove_dir`], [`sync_dir`].
//! - Names and whole files: [`rename`], [`remove_file`], [`read`],
//!   [`write`](write()), [`metadata`], [`try_exists`].
//! - The disk: [`DiskConfig`], [`configure`], [`crash`] (simulation only).
//! - The contract: [`file_system`], the runtime's file system as the
//!   kernel sees it. Inside: `registry.rs` (the disks by node) and
//!   `kernel_fs.rs` implement `FileSystem` for them, `sim_file.rs`
//!   `OpenFile`; `cursor.rs` is the cursor over any `OpenFile`.

#![deny(missing_docs)]

mod completion;
mod config;
mod crash;
mod cursor;
mod dir;
mod disk;
mod entries;
mod error;
mod file;
mod file_io;
mod inode;
mod kernel_fs;
mod limits;
mod metadata;
mod namespace;
mod open_options;
mod path;
mod registry;
mod sim_file;

pub use completion::FileCompletion;
pub use config::DiskConfig;
pub use dir::{DirEntry, ReadDir, create_dir, create_dir_all, read_dir, remove_dir, sync_dir};
pub use entries::{read, remove_file, rename, write};
pub use file::File;
pub use metadata::{FileType, Metadata, metadata, try_exists};
pub use open_options::OpenOptions;
pub use registry::{configure, crash, file_system};
