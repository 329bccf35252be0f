//! One node's simulated disk: its inodes, its pending directory
//! operations, and the queue that gives each operation its latency.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use sim_core::kernel::{BufResult, Completion, KernelHandle};
use sim_core::time::Instant;

use crate::config::DiskConfig;
use crate::error;
use crate::inode::{Ino, Inode, ROOT};
use crate::namespace::DirOp;

/// A disk, shared by its node's registry entry, its open files and its
/// operations in flight.
pub(crate) struct Disk {
    /// The disk's resource id in the trace.
    pub(crate) id: sim_core::kernel::ResourceId,
    pub(crate) state: RefCell<DiskState>,
}

pub(crate) struct DiskState {
    pub(crate) config: DiskConfig,
    /// Bumped by every crash: handles and operations from an earlier
    /// generation belong to a process that no longer exists.
    pub(crate) generation: u64,
    pub(crate) inodes: BTreeMap<Ino, Inode>,
    pub(crate) next_ino: Ino,
    /// The journal: directory operations not yet durable, oldest first.
    /// It commits in order (a directory fsync commits a prefix of it), so
    /// the durable tree is always one the operations passed through.
    pub(crate) dir_log: Vec<DirOp>,
    /// When each of the `queue_depth` channels is next free.
    channels: Vec<Instant>,
    /// When the device's data path is next free: channels overlap their
    /// latencies, but share the bandwidth.
    bus_free: Instant,
}

/// What an operation costs the device.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cost {
    /// A read, write or metadata operation moving `len` bytes.
    Transfer,
    /// A cache flush.
    Sync,
}

impl Disk {
    pub(crate) fn new(kernel: &KernelHandle, config: DiskConfig) -> Disk {
        config.validate();
        let id = kernel.new_resource("disk");
        kernel.trace(id, "disk", config.capacity_bytes as i64);
        let mut inodes = BTreeMap::new();
        inodes.insert(ROOT, Inode::new_dir());
        let channels = vec![Instant::ZERO; config.queue_depth];
        Disk {
            id,
            state: RefCell::new(DiskState {
                config,
                generation: 0,
                inodes,
                next_ino: ROOT + 1,
                dir_log: Vec::new(),
                channels,
                bus_free: Instant::ZERO,
            }),
        }
    }

    pub(crate) fn generation(&self) -> u64 {
        self.state.borrow().generation
    }

    /// Submits an operation that may only take effect if the disk has not
    /// crashed since `generation` (when its handle was opened, or now).
    /// `perform` runs at completion with the disk's state.
    pub(crate) fn submit<B: 'static>(
        self: &Rc<Self>,
        generation: u64,
        path: &Path,
        cost: Cost,
        len: usize,
        buf: B,
        perform: impl FnOnce(&mut DiskState, &mut B, usize) -> io::Result<usize> + 'static,
    ) -> Completion<BufResult<usize, B>> {
        let kernel = KernelHandle::current();
        let latency = self.state.borrow_mut().service_time(&kernel, cost, len);
        let disk = Rc::clone(self);
        let path = path.to_path_buf();
        kernel.submit(self.id, latency, len, buf, move |buf, allowed| {
            let mut st = disk.state.borrow_mut();
            if st.generation != generation {
                return Err(error::stale(&path));
            }
            perform(&mut st, buf, allowed)
        })
    }

    /// Submits an operation without a buffer (open, mkdir, rename, fsync,
    /// fstat...) that may only take effect if the disk has not crashed
    /// since `generation`: `op` runs at completion time with the disk's
    /// state, and its result is the operation's.
    pub(crate) fn submit_op<T: 'static>(
        self: &Rc<Self>,
        generation: u64,
        path: &Path,
        cost: Cost,
        op: impl FnOnce(&mut DiskState) -> io::Result<T> + 'static,
    ) -> Completion<io::Result<T>> {
        let kernel = KernelHandle::current();
        let latency = self.state.borrow_mut().service_time(&kernel, cost, 0);
        let disk = Rc::clone(self);
        let path = path.to_path_buf();
        kernel.submit_with(self.id, latency, 0, move |_| {
            let result = {
                let mut st = disk.state.borrow_mut();
                if st.generation == generation {
                    op(&mut st)
                } else {
                    Err(error::stale(&path))
                }
            };
            // Traced as a system call returns: 0, or a negated errno (EIO
            // for the errors that carry none).
            let value = match &result {
                Ok(_) => 0,
                Err(e) => -i64::from(e.raw_os_error().unwrap_or(5)),
            };
            (result, value)
        })
    }
}

impl DiskState {
    /// Replaces the configuration (capacity and speed apply to later
    /// operations; the channel count follows `queue_depth`).
    pub(crate) fn reconfigure(&mut self, config: DiskConfig) {
        config.validate();
        self.channels.resize(config.queue_depth, Instant::ZERO);
        self.config = config;
    }

    /// How long an operation submitted now takes: it waits for the first
    /// free channel and costs a seeded latency there; then its transfer
    /// waits for the shared data path, which moves `bandwidth` bytes per
    /// second whatever the queue depth.
    fn service_time(&mut self, kernel: &KernelHandle, cost: Cost, len: usize) -> Duration {
        let c = &self.config;
        let fixed = match cost {
            Cost::Transfer => kernel.device_delay(c.latency_min, c.latency_max),
            Cost::Sync => kernel.device_delay(c.sync_latency_min, c.sync_latency_max),
        };
        let nanos = len as u128 * 1_000_000_000 / u128::from(c.bandwidth_bytes_per_sec);
        let transfer = Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
        let now = kernel.now();
        let channel = (0..self.channels.len())
            .min_by_key(|&i| self.channels[i])
            .expect("queue_depth >= 1");
        // Saturating: a slow device with a deep queue must stall at the
        // end of time, not overflow the clock.
        let mut done = saturating_add(self.channels[channel].max(now), fixed);
        if !transfer.is_zero() {
            done = saturating_add(done.max(self.bus_free), transfer);
            self.bus_free = done;
        }
        self.channels[channel] = done;
        done - now
    }

    /// Bytes in use: the content of every file that is linked or open.
    pub(crate) fn used_bytes(&self) -> u64 {
        self.inodes.values().map(Inode::used_bytes).sum()
    }

    pub(crate) fn inode(&self, ino: Ino) -> &Inode {
        self.inodes
            .get(&ino)
            .expect("an inode of this generation exists")
    }

    pub(crate) fn inode_mut(&mut self, ino: Ino) -> &mut Inode {
        self.inodes
            .get_mut(&ino)
            .expect("an inode of this generation exists")
    }

    pub(crate) fn allocate(&mut self, inode: Inode) -> Ino {
        let ino = self.next_ino;
        self.next_ino += 1;
        self.inodes.insert(ino, inode);
        ino
    }
}

/// `at + d`, or the clock's last instant if that would overflow it.
fn saturating_add(at: Instant, d: Duration) -> Instant {
    at.checked_add(d)
        .or_else(|| Instant::ZERO.checked_add(Duration::from_nanos(u64::MAX)))
        .expect("the clock's last instant is representable")
}
