//! The runtime's state: `RuntimeInner`, one struct for one run, and what
//! the rest of the crate asks of it directly (the clock, the trace, fault
//! rolls, extensions, teardown). Its other parts are child modules:
//! `run_loop.rs` (the executor loop and its scheduling choices),
//! `clock.rs` (deadlines, delivering due events, advancing or parking),
//! `watch.rs` (the long-poll watchdog's and stall monitor's side of a
//! poll) and `report.rs` (failure reports: deadlocks, names, events).

mod allocs;
mod clock;
mod report;
mod run_loop;
mod watch;

use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell, RefMut};
use std::rc::Rc;

use rand_chacha::ChaCha8Rng;

use crate::failure::FailureKind;
use crate::faults::{FaultKind, FaultRolls};
use crate::kernel::{Kernel, ResourceId};
use crate::liveness::Phase;
use crate::node::Nodes;
use crate::rand::Stream;
use crate::runtime::executor::Executor;
use crate::runtime::home::Deferred;
use crate::runtime::scheduler::Scheduler;
use crate::runtime::watchdog::Watchdog;
use crate::runtime::{Config, WaitReason, panic};
use crate::time::Instant;
use crate::time::timers::Timers;
use crate::trace::{Event, EventKind, Trace};

pub(crate) struct RuntimeInner {
    pub(crate) seed: u64,
    pub(crate) config: Config,
    /// No timer or kernel event is due before this instant (a lower bound:
    /// cancelled timers may leave it early, never late).
    next_due: Cell<Instant>,
    /// `next_due` is the exact earliest deadline: nothing was cancelled
    /// since it was computed (see `clock.rs`).
    next_due_exact: Cell<bool>,
    pub(crate) exec: Executor,
    pub(crate) timers: RefCell<Timers>,
    pub(crate) trace: Trace,
    /// The one kernel, simulated or OS: the clock, scheduled actions,
    /// parking, resource ids.
    pub(crate) kernel: Kernel,
    pub(crate) faults: FaultRolls,
    /// The liveness phase, if the run has one (never on the OS).
    pub(crate) liveness: Option<Phase>,
    pub(crate) scheduler: Scheduler,
    user_rng: RefCell<ChaCha8Rng>,
    /// Which branch a `select!` polls first (`rand::select_start`).
    select_rng: RefCell<ChaCha8Rng>,
    failure: RefCell<Option<FailureKind>>,
    /// Whether `failure` is set: one cheap check per loop turn.
    failed: Cell<bool>,
    /// The runtime was torn down (`Runtime` dropped): objects that still
    /// point at it can only be misused.
    pub(crate) ended: Cell<bool>,
    /// Since when no task has been runnable (`None` while one is): the
    /// instant a deadlock became certain, if the run ends in one.
    idle_since: Cell<Option<Instant>>,
    watchdog: Watchdog,
    pub(crate) nodes: RefCell<Nodes>,
    extensions: RefCell<Vec<(TypeId, Rc<dyn Any>)>>,
    /// Whether polls are tracked by the allocation tracker: installed, and
    /// a simulated kernel. Decided once, so an untracked run pays one
    /// branch on this field per poll.
    track_allocs: bool,
    /// What watches each poll (see `inner/watch.rs`).
    poll_watch: PollWatch,
    /// The allocation cap in bytes (`u64::MAX`: none).
    alloc_cap: u64,
}

pub(crate) use allocs::quiet_task_label;
use watch::PollWatch;

impl RuntimeInner {
    pub(crate) fn new_sim(seed: u64, config: Config) -> Rc<RuntimeInner> {
        Self::new(seed, config, Kernel::sim(seed))
    }

    /// A runtime on the real OS kernel.
    #[cfg(target_os = "linux")]
    pub(crate) fn new_os(seed: u64, config: Config) -> std::io::Result<Rc<RuntimeInner>> {
        let rt = Self::new(seed, config, Kernel::os()?);
        if let Some(pool) = rt.kernel.blocking_pool() {
            // The real file system runs its operations on the pool.
            crate::kernel::os::fs::install(&rt, pool);
        }
        crate::kernel::KernelHandle::from_runtime(Rc::clone(&rt))
            .install_net_stack(Rc::new(crate::kernel::os::net::OsNet));
        // An OS runtime may spawn tasks forever: keep the report's
        // bookkeeping for live and recent ones only (the kernel does the
        // same for resources).
        rt.exec.forget_finished_tasks();
        Ok(rt)
    }

    fn new(seed: u64, config: Config, kernel: Kernel) -> Rc<RuntimeInner> {
        let exec = Executor::new(seed);
        #[cfg(target_os = "linux")]
        if let Some(unpark) = kernel.unparker() {
            // Wakes from other threads interrupt the kernel's parking.
            exec.queue.set_unpark(unpark);
        }
        let track_allocs = crate::alloc::installed() && !kernel.is_os();
        let alloc_cap = allocs::cap(&config, kernel.is_os());
        // The OS runtime has no phase: its clock is the host's.
        let liveness = config
            .liveness
            .filter(|_| !kernel.is_os())
            .map(|l| Phase::new(&l));
        // A lower bound: the end instant is due even if nothing else is.
        let next_due = match &liveness {
            Some(phase) => phase.end,
            None => Instant::from_nanos(u64::MAX),
        };
        let watchdog = Watchdog::new(config.long_poll_budget, config.long_poll_watch.clone());
        let poll_watch = PollWatch::new(
            watchdog.times_polls(),
            config.heartbeat.is_some(),
            track_allocs,
        );
        Rc::new(RuntimeInner {
            seed,
            track_allocs,
            poll_watch,
            alloc_cap,
            next_due: Cell::new(next_due),
            next_due_exact: Cell::new(false),
            exec,
            timers: RefCell::new(Timers::default()),
            trace: Trace::new(config.report_events, config.record_all_events),
            kernel,
            faults: FaultRolls::new(seed, &config.faults),
            liveness,
            scheduler: Scheduler::new(seed, config.scheduling, &config.choices),
            user_rng: RefCell::new(Stream::User.rng(seed)),
            select_rng: RefCell::new(Stream::Select.rng(seed)),
            failure: RefCell::new(None),
            failed: Cell::new(false),
            idle_since: Cell::new(None),
            ended: Cell::new(false),
            watchdog,
            nodes: RefCell::new(Nodes::new()),
            extensions: RefCell::new(Vec::new()),
            config,
        })
    }

    /// The runtime's clock: virtual, or the monotonic clock on the OS.
    #[inline]
    pub(crate) fn now(&self) -> Instant {
        self.kernel.now()
    }

    pub(crate) fn user_rng(&self) -> RefMut<'_, ChaCha8Rng> {
        self.user_rng.borrow_mut()
    }

    pub(crate) fn select_rng(&self) -> RefMut<'_, ChaCha8Rng> {
        self.select_rng.borrow_mut()
    }

    /// Appends an event at the current time.
    ///
    /// Always inlined: every caller names its event's kind, so the digest
    /// words fold to constants and the event is written straight into the
    /// trace's ring instead of being built and copied twice.
    #[inline(always)]
    pub(crate) fn record(&self, kind: EventKind) {
        self.trace.record(Event {
            at: self.kernel.clock(),
            kind,
        });
    }

    /// [`RuntimeInner::record`] for a task spawned, polled or finished:
    /// see [`Trace::record_task`](crate::trace::Trace::record_task).
    #[inline(always)]
    pub(crate) fn record_task(&self, kind: EventKind) {
        self.trace.record_task(Event {
            at: self.kernel.clock(),
            kind,
        });
    }

    /// Rolls the dice for fault `kind` on `target`; records the fault in the
    /// trace when it hits. Each kind draws from its own stream.
    ///
    /// Every operation on a simulated resource rolls its faults first, so
    /// this is also where a resource used outside its runtime is caught.
    ///
    /// Inlined into every operation: a kind that is off costs the
    /// same-runtime check and one bit test, and draws nothing.
    #[inline(always)]
    #[track_caller]
    pub(crate) fn inject(&self, kind: FaultKind, target: ResourceId) -> bool {
        self.check_current(|| self.io_name(target));
        self.inject_checked(kind, target)
    }

    /// [`Self::inject`] for a caller that has checked the runtime already
    /// (a later roll of the same operation): the same draw and trace.
    #[inline(always)]
    pub(crate) fn inject_checked(&self, kind: FaultKind, target: ResourceId) -> bool {
        self.faults.roll(kind) && {
            self.record_fault(kind, target.as_u64(), 0);
            true
        }
    }

    /// Records the latest hit of fault `kind` on `target` (a resource, or a
    /// task for scheduling faults) in the trace, with its occurrence. Out
    /// of line: only a hit pays for it.
    #[inline(never)]
    pub(crate) fn record_fault(&self, kind: FaultKind, target: u64, value: i64) {
        self.record(EventKind::Fault {
            kind,
            occurrence: self.faults.occurrence(kind),
            target,
            value,
        });
    }

    /// The runtime's instance of `T`, created by `init` on first use.
    /// Subsystems (network, disks) keep their per-run state here, never in
    /// globals.
    #[inline]
    pub(crate) fn extension<T: 'static>(&self, init: impl FnOnce() -> T) -> Rc<T> {
        let id = TypeId::of::<T>();
        if let Some((_, ext)) = self.extensions.borrow().iter().find(|(t, _)| *t == id) {
            return Rc::clone(ext)
                .downcast()
                .expect("extension stored under its own TypeId");
        }
        self.new_extension(id, init)
    }

    /// The first use of extension `T`: out of line, so the lookup above
    /// stays small enough to inline.
    #[cold]
    fn new_extension<T: 'static>(&self, id: TypeId, init: impl FnOnce() -> T) -> Rc<T> {
        // A subsystem's state is the runtime's memory, never a task's.
        let _untracked = crate::alloc::Untracked::new();
        // `init` may itself use extensions: no borrow is held while it runs.
        let ext = Rc::new(init());
        self.extensions
            .borrow_mut()
            .push((id, ext.clone() as Rc<dyn Any>));
        ext
    }

    /// Carries out the releases of objects dropped where this runtime was
    /// not running (see `home.rs`), in the order they were dropped.
    #[inline]
    pub(crate) fn run_deferred(&self) {
        if self.exec.queue.home.has_deferred() {
            self.run_deferred_now();
        }
    }

    #[cold]
    fn run_deferred_now(&self) {
        self.release_deferred(self.exec.queue.home.take_deferred());
    }

    fn release_deferred(&self, deferred: Vec<Deferred>) {
        for deferred in deferred {
            match deferred {
                Deferred::Value(orphan) => orphan.release(),
                Deferred::Timer(key) => {
                    let waker = self.cancel_timer(key);
                    drop(waker);
                }
            }
        }
    }

    /// Records that the task being polled waits on `reason`.
    #[inline]
    pub(crate) fn note_wait(&self, reason: WaitReason) {
        self.exec.note_wait(reason);
    }

    /// Marks the run failed; the loop stops before the next poll.
    pub(crate) fn fail(&self, kind: FailureKind) {
        let mut f = self.failure.borrow_mut();
        if f.is_none() {
            *f = Some(kind);
            self.failed.set(true);
        }
    }

    /// Drops every task, timer and pending kernel event, breaking the
    /// reference cycles between tasks and the runtime. User Drop impls run
    /// with this runtime as the current context.
    pub(crate) fn shutdown(self: &Rc<Self>) {
        self.ended.set(true);
        let deferred = self.exec.queue.home.end();
        let _guard = crate::runtime::context::try_runtime()
            .is_none()
            .then(|| crate::runtime::context::enter(Rc::clone(self)));
        for task in self.exec.drain_all() {
            let _ = panic::catch(move || drop(task));
        }
        let _ = panic::catch(|| self.release_deferred(deferred));
        let events = self.kernel.clear();
        let _ = panic::catch(move || drop(events));
        // Taken out first: the wakers' Drop impls run with no borrow held.
        let timers = std::mem::take(&mut *self.timers.borrow_mut());
        let _ = panic::catch(move || drop(timers));
        let extensions = std::mem::take(&mut *self.extensions.borrow_mut());
        let _ = panic::catch(move || drop(extensions));
        self.nodes.borrow_mut().hooks.clear();
        if let Some(phase) = &self.liveness {
            let hooks = phase.take_hooks();
            let _ = panic::catch(move || drop(hooks));
        }
    }
}
