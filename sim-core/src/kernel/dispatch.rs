//! [`Kernel`]: the one kernel a runtime owns, simulated or OS, and the only
//! place that knows which.
//!
//! The runtime, devices and IO types ask the kernel for the time, to
//! schedule an action, to park, to run a blocking job or to register a
//! descriptor; each method dispatches once to [`SimKernel`] or
//! [`OsKernel`](super::os::OsKernel). What both need and what does not
//! depend on the backend lives here, beside the dispatch: the clock as of
//! the current loop turn and the table of resource ids and names.

use std::cell::{Cell, RefCell};
use std::io;
use std::time::Duration;

use crate::kernel::actions::{Action, ActionQueue};
use crate::kernel::resource_names::ResourceNames;
use crate::kernel::sim::SimKernel;
use crate::kernel::{ChangeCount, ResourceId};
use crate::time::Instant;
use crate::time::wheel::WheelKey;

/// The runtime's kernel. See the [module docs](crate::kernel).
pub(crate) struct Kernel {
    /// The clock as of the current loop turn; trace events are stamped with
    /// it and due checks compare against it. Under the simulation it is
    /// virtual time itself, which only parking moves; on the OS it is the
    /// monotonic clock as read at the start of the turn (a park is followed
    /// by a new turn, which reads it).
    clock: Cell<Instant>,
    /// Every `WRITABLE` a source lost: what a stream's cache of its
    /// writer's readiness is checked against (`change_count.rs`).
    pub(crate) writable_clears: ChangeCount,
    /// Every link change a link's owner noted: what a segment's cached
    /// "its link is up" is checked against (`change_count.rs`).
    pub(crate) link_changes: ChangeCount,
    /// Resource ids in allocation order, and their kinds for reports:
    /// every resource under the simulation, recent and registered ones on
    /// the OS (see `resource_names.rs`).
    resources: RefCell<ResourceNames>,
    /// Actions scheduled by devices; only the tie-break among actions due
    /// together depends on the backend.
    actions: ActionQueue,
    backend: Backend,
}

// One per runtime, built once and never moved after the runtime is in its
// `Rc`: the simulated kernel's streams stay inline, where boxing them would
// add an indirection to every scheduled action and device draw.
#[allow(clippy::large_enum_variant)]
enum Backend {
    Sim(SimKernel),
    #[cfg(target_os = "linux")]
    Os(super::os::OsKernel),
}

/// What [`Kernel::park`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Parked {
    /// The virtual clock jumped forward to the deadline (simulation).
    ClockJumped,
    /// The deadline passed or the kernel was woken: something may be due.
    Woken,
    /// There is no deadline and nothing else can happen: a deadlock
    /// (simulation only; on the OS another thread may still wake a task).
    Never,
}

impl Kernel {
    /// The simulated kernel for `seed`.
    pub(crate) fn sim(seed: u64) -> Kernel {
        Kernel {
            clock: Cell::new(Instant::ZERO),
            writable_clears: ChangeCount::default(),
            link_changes: ChangeCount::default(),
            resources: RefCell::new(ResourceNames::all()),
            actions: ActionQueue::default(),
            backend: Backend::Sim(SimKernel::new(seed)),
        }
    }

    /// The OS kernel: epoll, an eventfd, a blocking pool. It keeps names
    /// for live and recent resources only, since an OS runtime may open
    /// sockets forever.
    #[cfg(target_os = "linux")]
    pub(crate) fn os() -> io::Result<Kernel> {
        let os = super::os::OsKernel::new()?;
        let mut resources = ResourceNames::all();
        resources.forget_closed();
        Ok(Kernel {
            clock: Cell::new(os.now()),
            writable_clears: ChangeCount::default(),
            link_changes: ChangeCount::default(),
            resources: RefCell::new(resources),
            actions: ActionQueue::default(),
            backend: Backend::Os(os),
        })
    }

    /// Whether this is the real OS kernel.
    #[inline]
    pub(crate) fn is_os(&self) -> bool {
        match self.backend {
            Backend::Sim(_) => false,
            #[cfg(target_os = "linux")]
            Backend::Os(_) => true,
        }
    }

    /// The clock now: virtual time, or a fresh read of the monotonic clock.
    #[inline]
    pub(crate) fn now(&self) -> Instant {
        match &self.backend {
            Backend::Sim(_) => self.clock.get(),
            #[cfg(target_os = "linux")]
            Backend::Os(os) => os.now(),
        }
    }

    /// The clock as of the current loop turn (see [`Kernel::begin_turn`]).
    #[inline]
    pub(crate) fn clock(&self) -> Instant {
        self.clock.get()
    }

    /// A loop turn starts: the OS kernel reads its clock (virtual time
    /// moves only when parking).
    #[inline]
    pub(crate) fn begin_turn(&self) {
        #[cfg(target_os = "linux")]
        if let Backend::Os(os) = &self.backend {
            self.clock.set(os.turn_now());
        }
    }

    /// Schedules `action` at `at`: in a seeded order among the actions due
    /// at the same instant under the simulation, first-scheduled-first on
    /// the OS.
    pub(crate) fn schedule(&self, at: Instant, action: Action) {
        let tie = match &self.backend {
            Backend::Sim(sim) => sim.tie_break(),
            #[cfg(target_os = "linux")]
            Backend::Os(_) => 0,
        };
        self.actions.push(at, tie, action);
    }

    /// [`Kernel::schedule`], returning the key that cancels the action
    /// (the tie-break is drawn all the same).
    pub(crate) fn schedule_keyed(&self, at: Instant, action: Action) -> WheelKey {
        let tie = match &self.backend {
            Backend::Sim(sim) => sim.tie_break(),
            #[cfg(target_os = "linux")]
            Backend::Os(_) => 0,
        };
        self.actions.push_keyed(at, tie, action)
    }

    /// Takes a pending action out, unrun (`None` once it ran or was
    /// cancelled), for the caller to drop with no borrow held.
    pub(crate) fn cancel(&self, key: WheelKey) -> Option<Action> {
        self.actions.remove(key)
    }

    /// When the next scheduled action is due.
    #[inline]
    pub(crate) fn next_due(&self) -> Option<Instant> {
        self.actions.next_due()
    }

    /// Runs every scheduled action due at or before `now`, and says when
    /// the next one is due.
    #[inline]
    pub(crate) fn run_due(&self, now: Instant) -> Option<Instant> {
        self.actions.run_due(now)
    }

    /// Nothing is runnable: wait until `deadline` (the next timer or
    /// action), or, on the OS, until a readiness event or a wake from
    /// another thread. The simulation jumps its clock there at once; with
    /// no deadline it can never make progress again. On the OS, readiness
    /// events are reported on their sources before this returns.
    ///
    /// # Errors
    ///
    /// If `epoll_wait` fails (OS).
    #[inline]
    pub(crate) fn park(&self, deadline: Option<Instant>) -> io::Result<Parked> {
        match &self.backend {
            Backend::Sim(_) => Ok(match deadline {
                None => Parked::Never,
                Some(at) if at > self.clock.get() => {
                    self.clock.set(at);
                    Parked::ClockJumped
                }
                Some(_) => Parked::Woken,
            }),
            #[cfg(target_os = "linux")]
            Backend::Os(os) => self.park_os(os, deadline),
        }
    }

    /// [`Kernel::park`] on the OS: out of line, so the simulation's jump
    /// stays small enough to inline.
    ///
    /// It leaves the clock to the loop's next turn, whose
    /// [`Kernel::begin_turn`] reads it (a read here too would cost a vDSO
    /// call per park for nothing).
    #[cfg(target_os = "linux")]
    #[inline(never)]
    fn park_os(&self, os: &super::os::OsKernel, deadline: Option<Instant>) -> io::Result<Parked> {
        let timeout = deadline.map(|t| t.saturating_duration_since(os.now()));
        os.park(timeout).map(|()| Parked::Woken)
    }

    /// The hook that interrupts [`Kernel::park`] from another thread, if
    /// another thread can make progress possible (the OS kernel).
    #[cfg(target_os = "linux")]
    pub(crate) fn unparker(&self) -> Option<Box<dyn Fn() + Send + Sync>> {
        match &self.backend {
            Backend::Sim(_) => None,
            #[cfg(target_os = "linux")]
            Backend::Os(os) => Some(os.unparker()),
        }
    }

    /// A simulated device's latency in `min..=max`: drawn from the device
    /// stream under the simulation; `min` on the OS, which draws nothing
    /// from the seed (real time adds the variation).
    pub(crate) fn device_delay(&self, min: Duration, max: Duration) -> Duration {
        if max <= min {
            return min;
        }
        match &self.backend {
            Backend::Sim(sim) => sim.device_delay(min, max),
            #[cfg(target_os = "linux")]
            Backend::Os(_) => min,
        }
    }

    /// [`Kernel::device_delay`] over `min..=min + span` nanoseconds, for a
    /// device that keeps its range that way ([`super::sim::span_nanos`]):
    /// the same draw, made the same way.
    #[inline]
    pub(crate) fn device_delay_span(&self, min: Duration, span: u64) -> Duration {
        if span == 0 {
            return min;
        }
        match &self.backend {
            Backend::Sim(sim) => sim.device_delay_span(min, span),
            #[cfg(target_os = "linux")]
            Backend::Os(_) => min,
        }
    }

    /// How long a blocking job waits for a pool thread to take it: a draw
    /// in `min..=max` from the device stream under the simulation (which
    /// then runs the job inline), zero on the OS (its pool's threads take
    /// jobs when they are free).
    pub(crate) fn pickup_delay(&self, min: Duration, max: Duration) -> Duration {
        match &self.backend {
            Backend::Sim(_) => self.device_delay(min, max),
            #[cfg(target_os = "linux")]
            Backend::Os(_) => Duration::ZERO,
        }
    }

    /// The OS kernel's blocking pool, for the subsystems that run their
    /// operations on it; `None` under the simulation.
    #[cfg(target_os = "linux")]
    pub(crate) fn blocking_pool(&self) -> Option<super::os::pool::PoolHandle> {
        match &self.backend {
            Backend::Sim(_) => None,
            Backend::Os(os) => Some(os.pool.handle()),
        }
    }

    /// Runs `f` where it may block: on the OS, a blocking-pool thread (if
    /// `f` panics there, the awaiting task panics with its message); under
    /// the simulation, inline (simulated devices never block, and a panic
    /// unwinds into the awaiting task).
    pub(crate) async fn run_blocking<T, F>(&self, f: F) -> T
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        match &self.backend {
            Backend::Sim(_) => f(),
            #[cfg(target_os = "linux")]
            Backend::Os(os) => {
                let job = os.pool.handle().submit(super::ResourceId::NONE, f);
                job.await
            }
        }
    }

    /// Registers `fd` with epoll for `source`, and keeps the source's name
    /// while it is registered; the token names the registration to
    /// [`Kernel::deregister_fd`].
    ///
    /// # Errors
    ///
    /// Under the simulation (there is no real kernel to register with), or
    /// if epoll refuses the descriptor.
    #[cfg(target_os = "linux")]
    pub(crate) fn register_fd(
        &self,
        fd: std::os::fd::BorrowedFd<'_>,
        source: &crate::kernel::Source,
    ) -> io::Result<super::os::FdToken> {
        let Backend::Os(os) = &self.backend else {
            return Err(io::Error::other(
                "real file descriptors can only be registered on the OS runtime \
                 (detsim::Runtime::os)",
            ));
        };
        let token = os.register(fd, source)?;
        self.resources.borrow_mut().register(source.id().as_u64());
        Ok(token)
    }

    /// Undoes [`Kernel::register_fd`]; the source's name is then kept while
    /// it is among the recently closed.
    #[cfg(target_os = "linux")]
    pub(crate) fn deregister_fd(
        &self,
        fd: std::os::fd::BorrowedFd<'_>,
        source: ResourceId,
        token: super::os::FdToken,
    ) {
        if let Backend::Os(os) = &self.backend {
            os.deregister(fd, token);
            self.resources.borrow_mut().unregister(source.as_u64());
        }
    }

    /// The OS kernel, for the OS backend's own types (its sockets and
    /// files); `None` under the simulation.
    #[cfg(target_os = "linux")]
    pub(crate) fn os_kernel(&self) -> Option<&super::os::OsKernel> {
        match &self.backend {
            Backend::Sim(_) => None,
            Backend::Os(os) => Some(os),
        }
    }

    /// A fresh resource id for a resource of `kind` (allocation order).
    pub(crate) fn new_resource(&self, kind: &'static str) -> ResourceId {
        ResourceId::io(self.resources.borrow_mut().insert(kind))
    }

    /// [`Kernel::new_resource`], also returning the kind's two-byte index
    /// for [`Kernel::kind_name`].
    pub(crate) fn new_resource_indexed(&self, kind: &'static str) -> (ResourceId, u16) {
        let (id, index) = self.resources.borrow_mut().insert_indexed(kind);
        (ResourceId::io(id), index)
    }

    /// The kind whose index [`Kernel::new_resource_indexed`] returned.
    pub(crate) fn kind_name(&self, index: u16) -> &'static str {
        self.resources.borrow().kind_name(index)
    }

    /// `kind#n`, as reports name the IO resource allocated `n`-th.
    pub(crate) fn resource_name(&self, n: u64) -> String {
        match self.resources.borrow().kind(n) {
            Some(kind) => format!("{kind}#{n}"),
            None => format!("res#{n}"),
        }
    }

    /// Removes every pending action, returning them to be dropped outside
    /// any borrow.
    pub(crate) fn clear(&self) -> Vec<Action> {
        self.actions.clear()
    }
}

#[cfg(test)]
mod tests;
