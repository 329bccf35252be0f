//! [`FileRing`]: file reads, writes and fsyncs through io_uring, instead
//! of a blocking-pool thread each (cargo feature `io-uring`).
//!
//! One ring per OS runtime, owned by its kernel. An operation becomes one
//! submission queue entry, handed to the kernel at once
//! (`io_uring_enter`), so an operation never awaited still takes effect,
//! as on the pool. The ring owns what the operation needs until its
//! completion arrives: the buffer (the kernel writes into or reads from
//! it meanwhile; it is never touched, moved or freed before that), the
//! descriptor (an `Arc` of the file, so it cannot close and be reused)
//! and the [`Slot`] that completes the awaiting task's
//! [`Completion`](crate::kernel::Completion).
//!
//! Completions are reaped on the runtime's thread: right after each
//! submission (a buffered write to the page cache usually completes inside
//! `io_uring_enter`, so its task goes on without waiting at all), and
//! whenever `epoll_wait` returns. The ring signals an eventfd for every
//! completion, registered with the kernel's epoll, so a completion that
//! arrives while the runtime waits (an fsync finished by an io-wq worker)
//! wakes it.
//!
//! # When the pool serves instead
//!
//! - The kernel refuses the ring: no io_uring (`ENOSYS`, kernels before
//!   5.1), forbidden (`EPERM`: seccomp, `kernel.io_uring_disabled`, a
//!   container's policy), or too old to have `IORING_OP_READ`, `_WRITE`
//!   and `_FSYNC` (the probe needs 5.6). The runtime then has no ring and
//!   every file operation runs on the pool, as in the default build.
//! - `DETSIM_IO_URING=0` (or `off`) when the runtime is built.
//! - [`RING_ENTRIES`] operations are already in flight: the next one runs
//!   on the pool, so the completion queue can never overflow.
//! - Everything but pread, pwrite, fsync and fdatasync (open, stat,
//!   rename...) always runs on the pool.
//!
//! # Divergence from the pool
//!
//! None that a caller can see: each operation is the same single syscall
//! (`pread`, `pwrite`, `fsync`, `fdatasync`) with its result, short or an
//! error, handed back as is. Offsets above `i64::MAX` fail with `EINVAL`
//! before reaching the ring (where `-1` would mean "the file position").
//! Dropping the runtime waits for operations still in flight, since the
//! kernel may still use their buffers.

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::sync::{Arc, Mutex, MutexGuard};

use io_uring::{IoUring, Probe, cqueue, opcode, squeue, types};
use rustix::event::{EventfdFlags, eventfd};

use crate::kernel::completion::Slot;
use crate::kernel::{BufResult, Completion, ResourceId};

/// Submission queue entries; also the bound on operations in flight (the
/// completion queue has twice as many entries).
pub(crate) const RING_ENTRIES: u32 = 256;

/// The most one read or write asks for: Linux's own cap on a transfer.
const MAX_TRANSFER: usize = 0x7fff_f000;

/// An io_uring instance for files, and the operations in flight on it.
/// `Send + Sync` because open files are; used from the runtime's thread
/// only (every file checks its home runtime first), so its lock is never
/// contended.
pub(crate) struct FileRing {
    state: Mutex<RingState>,
    /// Signalled by the kernel for every completion; registered with epoll.
    eventfd: OwnedFd,
}

struct RingState {
    ring: IoUring,
    /// Operations in flight, indexed by their `user_data`.
    ops: Vec<Option<InFlight>>,
    free: Vec<usize>,
    in_flight: usize,
}

/// What an operation in flight owns until its completion.
struct InFlight {
    /// Keeps the descriptor open (and its number unused) until the kernel
    /// is done with it.
    _file: Arc<std::fs::File>,
    op: Op,
}

enum Op {
    Read(Vec<u8>, Slot<BufResult<usize, Vec<u8>>>),
    Write(Vec<u8>, Slot<BufResult<usize, Vec<u8>>>),
    Sync(Slot<io::Result<()>>),
}

impl Op {
    /// Completes the awaiting task's operation with the kernel's `result`
    /// (a byte count, or a negated errno).
    fn complete(self, result: i32) {
        let outcome = |r: i32| {
            if r < 0 {
                Err(io::Error::from_raw_os_error(-r))
            } else {
                Ok(r as usize)
            }
        };
        match self {
            Op::Read(buf, slot) | Op::Write(buf, slot) => slot.complete((outcome(result), buf)),
            Op::Sync(slot) => slot.complete(outcome(result).map(drop)),
        }
    }
}

impl FileRing {
    /// A ring of `entries` whose completions signal a new eventfd, if the
    /// kernel grants one that can read, write and fsync.
    ///
    /// # Errors
    ///
    /// The kernel's refusal (see the module docs), or `Unsupported` when
    /// an opcode is missing.
    pub(crate) fn new(entries: u32) -> io::Result<FileRing> {
        let ring = IoUring::new(entries)?;
        let mut probe = Probe::new();
        ring.submitter().register_probe(&mut probe)?;
        for (code, name) in [
            (opcode::Read::CODE, "IORING_OP_READ"),
            (opcode::Write::CODE, "IORING_OP_WRITE"),
            (opcode::Fsync::CODE, "IORING_OP_FSYNC"),
        ] {
            if !probe.is_supported(code) {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    format!("io_uring without {name}"),
                ));
            }
        }
        let eventfd = eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?;
        ring.submitter().register_eventfd(eventfd.as_raw_fd())?;
        Ok(FileRing {
            state: Mutex::new(RingState {
                ring,
                ops: Vec::new(),
                free: Vec::new(),
                in_flight: 0,
            }),
            eventfd,
        })
    }

    /// The descriptor the kernel signals on every completion.
    pub(crate) fn eventfd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.eventfd.as_fd()
    }

    fn lock(&self) -> MutexGuard<'_, RingState> {
        // Nothing below panics while the lock is held; the state is whole.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `pread` of `buf.len()` bytes at `offset`; `Err(buf)` when the ring
    /// is full (the caller uses the pool).
    #[track_caller]
    pub(crate) fn pread(
        &self,
        file: &Arc<std::fs::File>,
        mut buf: Vec<u8>,
        offset: u64,
    ) -> Result<Completion<BufResult<usize, Vec<u8>>>, Vec<u8>> {
        if offset > i64::MAX as u64 {
            return Ok(Completion::ready((Err(einval()), buf)));
        }
        let (ptr, len) = (buf.as_mut_ptr(), buf.len().min(MAX_TRANSFER) as u32);
        let sqe = opcode::Read::new(types::Fd(file.as_raw_fd()), ptr, len)
            .offset(offset)
            .build();
        let (completion, slot) = Completion::new(ResourceId::NONE);
        self.submit(file, sqe, Op::Read(buf, slot))
            .map(|()| completion)
            .map_err(|op| match op {
                Op::Read(buf, _) => buf,
                _ => unreachable!("submit hands back the operation it was given"),
            })
    }

    /// `pwrite` of `buf` at `offset`; `Err(buf)` when the ring is full.
    #[track_caller]
    pub(crate) fn pwrite(
        &self,
        file: &Arc<std::fs::File>,
        buf: Vec<u8>,
        offset: u64,
    ) -> Result<Completion<BufResult<usize, Vec<u8>>>, Vec<u8>> {
        if offset > i64::MAX as u64 {
            return Ok(Completion::ready((Err(einval()), buf)));
        }
        let (ptr, len) = (buf.as_ptr(), buf.len().min(MAX_TRANSFER) as u32);
        let sqe = opcode::Write::new(types::Fd(file.as_raw_fd()), ptr, len)
            .offset(offset)
            .build();
        let (completion, slot) = Completion::new(ResourceId::NONE);
        self.submit(file, sqe, Op::Write(buf, slot))
            .map(|()| completion)
            .map_err(|op| match op {
                Op::Write(buf, _) => buf,
                _ => unreachable!("submit hands back the operation it was given"),
            })
    }

    /// `fsync`, or `fdatasync` if `data_only`; `Err(())` when the ring is
    /// full.
    #[track_caller]
    pub(crate) fn fsync(
        &self,
        file: &Arc<std::fs::File>,
        data_only: bool,
    ) -> Result<Completion<io::Result<()>>, ()> {
        let flags = if data_only {
            types::FsyncFlags::DATASYNC
        } else {
            types::FsyncFlags::empty()
        };
        let sqe = opcode::Fsync::new(types::Fd(file.as_raw_fd()))
            .flags(flags)
            .build();
        let (completion, slot) = Completion::new(ResourceId::NONE);
        self.submit(file, sqe, Op::Sync(slot))
            .map(|()| completion)
            .map_err(drop)
    }

    /// Hands `sqe` to the kernel, `op` keeping what it uses until its
    /// completion; then reaps what already completed. Gives `op` back if
    /// the ring is full or the kernel refuses the submission.
    fn submit(&self, file: &Arc<std::fs::File>, sqe: squeue::Entry, op: Op) -> Result<(), Op> {
        {
            let mut st = self.lock();
            if st.in_flight >= RING_ENTRIES as usize {
                return Err(op);
            }
            let index = match st.free.pop() {
                Some(i) => i,
                None => {
                    st.ops.push(None);
                    st.ops.len() - 1
                }
            };
            let sqe = sqe.user_data(index as u64);
            // SAFETY: the buffer `sqe` points into is owned by `op`, which
            // the ring keeps (never moving the heap allocation, never
            // touching its bytes) until the entry's completion is reaped,
            // or until `Drop` has waited for it; the descriptor stays open
            // through `_file`. At most RING_ENTRIES are in flight and each
            // is submitted at once, so the queue has room.
            let pushed = unsafe { st.ring.submission().push(&sqe) };
            if pushed.is_err() {
                st.free.push(index);
                return Err(op);
            }
            st.ops[index] = Some(InFlight {
                _file: Arc::clone(file),
                op,
            });
            st.in_flight += 1;
            submit_all(&st.ring);
        }
        self.reap();
        Ok(())
    }

    /// Completes every operation whose completion is in the queue. The
    /// lock is released while each one's task is woken (a waker may do
    /// anything).
    pub(crate) fn reap(&self) {
        loop {
            let done = {
                let mut st = self.lock();
                let Some(cqe) = st.ring.completion().next() else {
                    return;
                };
                take(&mut st, &cqe)
            };
            if let Some((op, result)) = done {
                op.complete(result);
            }
        }
    }
}

/// The operation `cqe` completes, removed from the table.
fn take(st: &mut RingState, cqe: &cqueue::Entry) -> Option<(Op, i32)> {
    let index = usize::try_from(cqe.user_data()).ok()?;
    let in_flight = st.ops.get_mut(index)?.take()?;
    st.free.push(index);
    st.in_flight -= 1;
    Some((in_flight.op, cqe.result()))
}

/// `io_uring_enter` for what is queued. The entry already in the queue
/// owns its operation's buffer, so it cannot be taken back and run
/// elsewhere: transient refusals (`EINTR`, `EAGAIN`: no memory for the
/// request now, `EBUSY`) are retried until the kernel takes it.
///
/// # Panics
///
/// If the kernel rejects the ring itself (`EBADF`, `EFAULT`...): a broken
/// invariant, not a condition a caller could handle.
fn submit_all(ring: &IoUring) {
    loop {
        match ring.submit() {
            Ok(_) => return,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock
                ) || e.raw_os_error() == Some(rustix::io::Errno::BUSY.raw_os_error()) =>
            {
                std::thread::yield_now();
            }
            Err(e) => panic!("detsim: io_uring_enter failed: {e}"),
        }
    }
}

fn einval() -> io::Error {
    io::Error::from_raw_os_error(rustix::io::Errno::INVAL.raw_os_error())
}

impl Drop for FileRing {
    fn drop(&mut self) {
        // The kernel may still read or write the buffers of operations in
        // flight: wait for each completion before the buffers are freed.
        let st = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        while st.in_flight > 0 {
            match st.ring.submit_and_wait(1) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    // The kernel will not say when they finish: leak what
                    // they own rather than free memory it may still write.
                    std::mem::forget(std::mem::take(&mut st.ops));
                    return;
                }
            }
            loop {
                let Some(cqe) = st.ring.completion().next() else {
                    break;
                };
                if let Some((op, result)) = take(st, &cqe) {
                    op.complete(result);
                }
            }
        }
    }
}

/// The ring a new OS runtime's files use: `None` when `DETSIM_IO_URING`
/// says off or the kernel refuses one (the pool serves every operation).
pub(crate) fn file_ring() -> Option<FileRing> {
    if matches!(
        std::env::var("DETSIM_IO_URING").as_deref(),
        Ok("0" | "off" | "false")
    ) {
        return None;
    }
    #[cfg(test)]
    let entries = tests::ENTRIES.get();
    #[cfg(not(test))]
    let entries = RING_ENTRIES;
    FileRing::new(entries).ok()
}

#[cfg(test)]
#[path = "uring_tests.rs"]
pub(crate) mod tests;
