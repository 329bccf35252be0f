//! A simulated block device on the completion model.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use crate::kernel::{BufResult, Completion, KernelHandle};
use crate::time::Instant;

const PAGE: u64 = 4096;

/// Shape and speed of a [`BlockDevice`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BlockDeviceConfig {
    /// Bytes the device holds; writes past the end fail with `StorageFull`.
    pub capacity_bytes: u64,
    /// Fixed cost of one operation, lower bound (drawn per operation).
    pub latency_min: Duration,
    /// Fixed cost of one operation, upper bound.
    pub latency_max: Duration,
    /// Transfer rate; an operation also takes `len / bandwidth`.
    pub bandwidth_bytes_per_sec: u64,
    /// Operations served in parallel (NVMe-style queues); the rest wait.
    pub queue_depth: usize,
}

impl Default for BlockDeviceConfig {
    /// 1 GiB, 50–150 µs per operation, 2 GB/s, 32 operations in parallel:
    /// roughly a consumer NVMe drive.
    fn default() -> BlockDeviceConfig {
        BlockDeviceConfig {
            capacity_bytes: 1 << 30,
            latency_min: Duration::from_micros(50),
            latency_max: Duration::from_micros(150),
            bandwidth_bytes_per_sec: 2_000_000_000,
            queue_depth: 32,
        }
    }
}

/// A block device whose reads and writes take owned buffers and complete
/// later, in a seeded order: the completion model (io_uring) in miniature.
///
/// Each operation occupies one of `queue_depth` channels for its latency
/// plus transfer time; the fault plan can delay completions, shorten them
/// (fewer bytes than asked) and jitter them within the reorder window.
///
/// ```
/// use detsim::io::{BlockDevice, BlockDeviceConfig};
///
/// detsim::Runtime::sim(4).block_on(async {
///     let dev = BlockDevice::new(BlockDeviceConfig::default());
///     let (n, _buf) = dev.write_at(b"hello".to_vec(), 4096).await;
///     assert_eq!(n.unwrap(), 5);
///     let (n, buf) = dev.read_at(vec![0; 5], 4096).await;
///     assert_eq!((n.unwrap(), &buf[..]), (5, &b"hello"[..]));
/// });
/// ```
#[derive(Clone)]
pub struct BlockDevice {
    kernel: KernelHandle,
    id: crate::kernel::ResourceId,
    config: Rc<BlockDeviceConfig>,
    state: Rc<RefCell<DeviceState>>,
}

struct DeviceState {
    pages: BTreeMap<u64, Box<[u8]>>,
    /// When each channel is next free.
    channels: Vec<Instant>,
}

impl BlockDevice {
    /// A new, zero-filled device on the current runtime.
    ///
    /// # Panics
    ///
    /// If `queue_depth` or `bandwidth_bytes_per_sec` is zero, or outside a
    /// detsim runtime.
    #[track_caller]
    pub fn new(config: BlockDeviceConfig) -> BlockDevice {
        assert!(
            config.queue_depth > 0,
            "BlockDeviceConfig::queue_depth must be at least 1"
        );
        assert!(
            config.bandwidth_bytes_per_sec > 0,
            "BlockDeviceConfig::bandwidth_bytes_per_sec must be positive"
        );
        let kernel = KernelHandle::current();
        let id = kernel.new_resource("blockdev");
        kernel.trace(id, "device", config.capacity_bytes as i64);
        let channels = vec![Instant::ZERO; config.queue_depth];
        BlockDevice {
            kernel,
            id,
            config: Rc::new(config),
            state: Rc::new(RefCell::new(DeviceState {
                pages: BTreeMap::new(),
                channels,
            })),
        }
    }

    /// The device's resource id.
    pub fn id(&self) -> crate::kernel::ResourceId {
        self.id
    }

    /// Writes `buf` at `offset`. Completes with the bytes written (fewer
    /// under a short-completion fault) and the buffer; `StorageFull` if the
    /// write would pass the end of the device.
    pub fn write_at(&self, buf: Vec<u8>, offset: u64) -> Completion<BufResult<usize, Vec<u8>>> {
        let len = buf.len();
        let state = Rc::clone(&self.state);
        let capacity = self.config.capacity_bytes;
        self.submit(len, buf, move |buf, allowed| {
            if offset.saturating_add(len as u64) > capacity {
                return Err(io::Error::new(
                    io::ErrorKind::StorageFull,
                    "write past the end of the block device",
                ));
            }
            state.borrow_mut().write(offset, &buf[..allowed]);
            Ok(allowed)
        })
    }

    /// Reads into `buf` from `offset`. Completes with the bytes read (0 at
    /// or past the end, fewer under a short-completion fault) and the buffer.
    pub fn read_at(&self, buf: Vec<u8>, offset: u64) -> Completion<BufResult<usize, Vec<u8>>> {
        let len = buf.len();
        let state = Rc::clone(&self.state);
        let capacity = self.config.capacity_bytes;
        self.submit(len, buf, move |buf, allowed| {
            let n = allowed.min(capacity.saturating_sub(offset) as usize);
            state.borrow().read(offset, &mut buf[..n]);
            Ok(n)
        })
    }

    fn submit(
        &self,
        len: usize,
        buf: Vec<u8>,
        perform: impl FnOnce(&mut Vec<u8>, usize) -> io::Result<usize> + 'static,
    ) -> Completion<BufResult<usize, Vec<u8>>> {
        let now = self.kernel.now();
        let service = self
            .kernel
            .device_delay(self.config.latency_min, self.config.latency_max)
            + Duration::from_nanos(
                (len as u128 * 1_000_000_000 / u128::from(self.config.bandwidth_bytes_per_sec))
                    as u64,
            );
        let done = {
            let mut st = self.state.borrow_mut();
            let channel = (0..st.channels.len())
                .min_by_key(|&i| st.channels[i])
                .expect("queue_depth >= 1");
            let done = st.channels[channel].max(now) + service;
            st.channels[channel] = done;
            done
        };
        self.kernel.submit(self.id, done - now, len, buf, perform)
    }
}

impl DeviceState {
    fn write(&mut self, offset: u64, data: &[u8]) {
        let mut pos = offset;
        for chunk in chunks(offset, data.len()) {
            let page = self
                .pages
                .entry(pos / PAGE)
                .or_insert_with(|| vec![0; PAGE as usize].into());
            let at = (pos % PAGE) as usize;
            let start = (pos - offset) as usize;
            page[at..at + chunk].copy_from_slice(&data[start..start + chunk]);
            pos += chunk as u64;
        }
    }

    fn read(&self, offset: u64, out: &mut [u8]) {
        let mut pos = offset;
        for chunk in chunks(offset, out.len()) {
            let at = (pos % PAGE) as usize;
            let start = (pos - offset) as usize;
            match self.pages.get(&(pos / PAGE)) {
                Some(page) => out[start..start + chunk].copy_from_slice(&page[at..at + chunk]),
                None => out[start..start + chunk].fill(0),
            }
            pos += chunk as u64;
        }
    }
}

/// Splits `[offset, offset + len)` at page boundaries; yields chunk lengths.
fn chunks(offset: u64, len: usize) -> impl Iterator<Item = usize> {
    let mut pos = offset;
    let end = offset + len as u64;
    std::iter::from_fn(move || {
        (pos < end).then(|| {
            let n = (PAGE - pos % PAGE).min(end - pos);
            pos += n;
            n as usize
        })
    })
}

impl fmt::Debug for BlockDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockDevice")
            .field("id", &self.id)
            .field("config", &self.config)
            .finish()
    }
}
