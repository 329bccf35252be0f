//! The simulated kernel's event queue.
//!
//! Events are actions scheduled at a virtual instant. The queue orders them
//! by `(time, tie-break, sequence)`, where the tie-break is drawn from the
//! run's delivery stream when the event is scheduled: events due at the
//! same instant are delivered in an order the seed chooses, as several
//! Linux timers or packets due together arrive in an unspecified order.

use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::kernel::ResourceId;
use crate::kernel::resource_names::ResourceNames;
use crate::rand::Stream;
use crate::time::Instant;

type Action = Box<dyn FnOnce()>;

struct Scheduled {
    at: Instant,
    tie: u64,
    seq: u64,
    action: Action,
}

impl Scheduled {
    fn key(&self) -> (Instant, u64, u64) {
        (self.at, self.tie, self.seq)
    }
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed, so the max-heap pops the earliest event.
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

/// The simulated kernel. See the [module docs](crate::kernel).
pub(crate) struct SimKernel {
    queue: RefCell<BinaryHeap<Scheduled>>,
    delivery_rng: RefCell<ChaCha8Rng>,
    device_rng: RefCell<ChaCha8Rng>,
    next_seq: Cell<u64>,
    /// The kind of resources by id, so reports can say `duplex#3` rather
    /// than `#3`: every resource under the simulation, recent and
    /// registered ones on the OS (see `resource_names.rs`).
    resource_kinds: RefCell<ResourceNames>,
}

impl SimKernel {
    pub(crate) fn new(seed: u64) -> SimKernel {
        SimKernel {
            queue: RefCell::new(BinaryHeap::new()),
            delivery_rng: RefCell::new(Stream::Delivery.rng(seed)),
            device_rng: RefCell::new(Stream::Devices.rng(seed)),
            next_seq: Cell::new(0),
            resource_kinds: RefCell::new(ResourceNames::all()),
        }
    }

    /// Schedules `action` to run at `at` (or now, if `at` is past).
    pub(crate) fn schedule(&self, at: Instant, action: Action) {
        let seq = self.next_seq.get();
        self.next_seq.set(seq + 1);
        let tie = self.delivery_rng.borrow_mut().random();
        self.queue.borrow_mut().push(Scheduled {
            at,
            tie,
            seq,
            action,
        });
    }

    /// A fresh resource id for a resource of `kind` (allocation order).
    pub(crate) fn new_resource(&self, kind: &'static str) -> ResourceId {
        ResourceId::io(self.resource_kinds.borrow_mut().insert(kind))
    }

    /// Keeps the names of recent and registered resources only (the OS
    /// runtime). Called before any resource is created.
    pub(crate) fn forget_closed_resources(&self) {
        self.resource_kinds.borrow_mut().forget_closed();
    }

    /// Keeps `id`'s name while it is registered with epoll (OS runtime).
    #[cfg(target_os = "linux")]
    pub(crate) fn keep_resource_name(&self, id: ResourceId, keep: bool) {
        let mut kinds = self.resource_kinds.borrow_mut();
        if keep {
            kinds.register(id.as_u64());
        } else {
            kinds.unregister(id.as_u64());
        }
    }

    /// `kind#n`, as reports name the IO resource allocated `n`-th.
    pub(crate) fn resource_name(&self, n: u64) -> String {
        match self.resource_kinds.borrow().kind(n) {
            Some(kind) => format!("{kind}#{n}"),
            None => format!("res#{n}"),
        }
    }

    /// The device stream (latencies, jitter).
    pub(crate) fn device_rng(&self) -> std::cell::RefMut<'_, ChaCha8Rng> {
        self.device_rng.borrow_mut()
    }

    /// When the next event is due.
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.queue.borrow().peek().map(|s| s.at)
    }

    /// Runs every event due at or before `now`, in queue order. Actions may
    /// schedule further events; those due now run in this call too.
    pub(crate) fn deliver_due(&self, now: Instant) {
        loop {
            let next = {
                let mut q = self.queue.borrow_mut();
                match q.peek() {
                    Some(s) if s.at <= now => q.pop(),
                    _ => None,
                }
            };
            match next {
                Some(s) => (s.action)(),
                None => break,
            }
        }
    }

    /// Removes every pending event, returning them to be dropped outside
    /// any borrow.
    pub(crate) fn clear(&self) -> Vec<Action> {
        self.queue.borrow_mut().drain().map(|s| s.action).collect()
    }
}
