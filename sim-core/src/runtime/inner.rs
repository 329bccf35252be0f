//! The runtime's state and its run loop.

use std::any::{Any, TypeId};
use std::cell::{Cell, RefCell, RefMut};
use std::future::Future;
use std::io::Write as _;
use std::panic::Location;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll};

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::failure::{Failure, FailureKind, StuckTask, TaskDesc};
use crate::faults::{FaultKind, FaultRolls};
use crate::kernel::{ResourceId, SimKernel, Subject};
use crate::node::Nodes;
use crate::rand::Stream;
use crate::runtime::executor::{Executor, Polling};
use crate::runtime::watchdog::{LongPollWatch, Probe, Watchdog};
use crate::runtime::{Config, Scheduling, Suspect, WaitReason, panic};
use crate::task::TaskId;
use crate::time::Instant;
use crate::time::timers::Timers;
use crate::trace::{Event, EventKind, Trace};

pub(crate) struct RuntimeInner {
    pub(crate) seed: u64,
    pub(crate) config: Config,
    clock: Cell<Instant>,
    /// No timer or kernel event is due before this instant (a lower bound:
    /// cancelled timers may leave it early, never late).
    next_due: Cell<Instant>,
    pub(crate) exec: Executor,
    pub(crate) timers: RefCell<Timers>,
    pub(crate) trace: RefCell<Trace>,
    pub(crate) kernel: SimKernel,
    pub(crate) faults: FaultRolls,
    scheduler_rng: RefCell<ChaCha8Rng>,
    user_rng: RefCell<ChaCha8Rng>,
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
    /// The real kernel, for `Runtime::os`; `None` under the simulation.
    #[cfg(target_os = "linux")]
    os: Option<crate::kernel::os::OsKernel>,
    extensions: RefCell<Vec<(TypeId, Rc<dyn Any>)>>,
}

impl RuntimeInner {
    pub(crate) fn new_sim(seed: u64, config: Config) -> Rc<RuntimeInner> {
        Self::new(seed, config, None)
    }

    /// A runtime on the real OS kernel.
    #[cfg(target_os = "linux")]
    pub(crate) fn new_os(seed: u64, config: Config) -> std::io::Result<Rc<RuntimeInner>> {
        let os = crate::kernel::os::OsKernel::new()?;
        let rt = Self::new(seed, config, Some(os));
        if let Some(os) = rt.os() {
            rt.exec.queue.set_unpark(os.unparker());
        }
        // An OS runtime may spawn tasks and open sockets forever: keep the
        // report's bookkeeping for live and recent ones only.
        rt.exec.forget_finished_tasks();
        rt.kernel.forget_closed_resources();
        Ok(rt)
    }

    fn new(
        seed: u64,
        config: Config,
        #[cfg(target_os = "linux")] os: Option<crate::kernel::os::OsKernel>,
        #[cfg(not(target_os = "linux"))] _os: Option<()>,
    ) -> Rc<RuntimeInner> {
        Rc::new(RuntimeInner {
            seed,
            clock: Cell::new(Instant::ZERO),
            next_due: Cell::new(Instant::from_nanos(u64::MAX)),
            exec: Executor::new(),
            timers: RefCell::new(Timers::default()),
            trace: RefCell::new(Trace::new(config.report_events, config.record_all_events)),
            kernel: SimKernel::new(seed),
            faults: FaultRolls::new(seed, &config.faults),
            scheduler_rng: RefCell::new(Stream::Scheduler.rng(seed)),
            user_rng: RefCell::new(Stream::User.rng(seed)),
            failure: RefCell::new(None),
            failed: Cell::new(false),
            idle_since: Cell::new(None),
            ended: Cell::new(false),
            watchdog: Watchdog::new(config.long_poll_budget, config.long_poll_watch.clone()),
            nodes: RefCell::new(Nodes::new()),
            #[cfg(target_os = "linux")]
            os,
            extensions: RefCell::new(Vec::new()),
            config,
        })
    }

    /// The runtime's clock: virtual, or the monotonic clock on the OS.
    pub(crate) fn now(&self) -> Instant {
        #[cfg(target_os = "linux")]
        if let Some(os) = &self.os {
            return os.now();
        }
        self.clock.get()
    }

    /// The OS kernel, on the OS runtime.
    #[cfg(target_os = "linux")]
    pub(crate) fn os(&self) -> Option<&crate::kernel::os::OsKernel> {
        self.os.as_ref()
    }

    /// Whether this runtime runs on the real OS.
    pub(crate) fn is_os(&self) -> bool {
        #[cfg(target_os = "linux")]
        return self.os.is_some();
        #[cfg(not(target_os = "linux"))]
        false
    }

    pub(crate) fn user_rng(&self) -> RefMut<'_, ChaCha8Rng> {
        self.user_rng.borrow_mut()
    }

    /// Appends an event at the current time.
    #[inline]
    pub(crate) fn record(&self, kind: EventKind) {
        self.trace.borrow_mut().record(Event {
            at: self.clock.get(),
            kind,
        });
    }

    /// Rolls the dice for fault `kind` on `target`; records the fault in the
    /// trace when it hits. Each kind draws from its own stream.
    ///
    /// Every operation on a simulated resource rolls its faults first, so
    /// this is also where a resource used outside its runtime is caught.
    #[track_caller]
    pub(crate) fn inject(&self, kind: FaultKind, target: ResourceId) -> bool {
        self.check_current(|| self.io_name(target));
        self.faults.roll(kind) && {
            self.record(EventKind::Fault {
                kind: kind.name(),
                target: target.as_u64(),
                value: 0,
            });
            true
        }
    }

    /// The runtime's instance of `T`, created by `init` on first use.
    /// Subsystems (network, disks) keep their per-run state here, never in
    /// globals.
    pub(crate) fn extension<T: 'static>(&self, init: impl FnOnce() -> T) -> Rc<T> {
        let id = TypeId::of::<T>();
        if let Some((_, ext)) = self.extensions.borrow().iter().find(|(t, _)| *t == id) {
            return Rc::clone(ext)
                .downcast()
                .expect("extension stored under its own TypeId");
        }
        // `init` may itself use extensions: no borrow is held while it runs.
        let ext = Rc::new(init());
        self.extensions
            .borrow_mut()
            .push((id, ext.clone() as Rc<dyn Any>));
        ext
    }

    /// Records that the task being polled waits on `reason`.
    pub(crate) fn note_wait(&self, reason: WaitReason) {
        self.exec.note_wait(reason);
    }

    /// How reports name the IO resource `id`, as `kind#n`.
    pub(crate) fn io_name(&self, id: ResourceId) -> String {
        self.resource_name(id)
            .unwrap_or_else(|| "a resource".to_string())
    }

    /// Marks the run failed; the loop stops before the next poll.
    pub(crate) fn fail(&self, kind: FailureKind) {
        let mut f = self.failure.borrow_mut();
        if f.is_none() {
            *f = Some(kind);
            self.failed.set(true);
        }
    }

    pub(crate) fn task_desc(&self, id: TaskId) -> TaskDesc {
        let Some(info) = self.exec.info(id) else {
            // Only the OS runtime forgets tasks, and only long-finished ones.
            return TaskDesc {
                id,
                name: None,
                spawned_at: "unknown (a task that finished long ago)".to_string(),
                node: None,
            };
        };
        let node = (info.node != crate::node::NodeId::MAIN)
            .then(|| self.nodes.borrow().names[info.node.0 as usize].to_string());
        TaskDesc {
            id,
            name: info.name.map(|n| n.to_string()),
            spawned_at: info.location.to_string(),
            node,
        }
    }

    /// Runs `future` and every task it spawns until `future` completes or
    /// the run fails.
    pub(crate) fn run<F: Future>(
        self: &Rc<Self>,
        future: F,
        location: &'static Location<'static>,
    ) -> Result<F::Output, Box<Failure>> {
        let future = pin!(future);
        let (main_id, _) = self.exec.register_main(location);
        self.record(EventKind::Spawned { task: main_id });
        let _capture = panic::capture();
        if let Some(heartbeat) = &self.config.heartbeat {
            heartbeat.running(self.seed, true);
        }
        #[allow(clippy::result_large_err)] // see `run_loop`
        let result = panic::catch_captured(|| self.run_loop(future));
        self.watchdog.end_run();
        if let Some(heartbeat) = &self.config.heartbeat {
            heartbeat.running(self.seed, false);
        }
        self.warn_long_polls();
        let result = match result {
            Ok(result) => result,
            // A kernel event or detsim itself panicked, outside any poll.
            Err((message, location)) => Err(FailureKind::Panic {
                task: self.task_desc(self.exec.current_id().unwrap_or(main_id)),
                message: format!("panic outside a task poll (in a kernel event): {message}"),
                location,
            }),
        };
        // Snapshot the report before the main future drops: its Drop impls
        // would add events that did not lead to the failure.
        let result = result.map_err(|kind| Box::new(self.failure(kind)));
        self.exec.unregister_main();
        result
    }

    /// The executor loop; see the module docs of `runtime`.
    // The error is returned once per run, on the cold path: boxing it would
    // only add an allocation.
    #[allow(clippy::result_large_err)]
    fn run_loop<F: Future>(&self, mut future: Pin<&mut F>) -> Result<F::Output, FailureKind> {
        loop {
            if self.failed.replace(false) {
                let kind = self.failure.borrow_mut().take();
                return Err(kind.expect("`failed` is set together with the failure"));
            }
            #[cfg(target_os = "linux")]
            if let Some(os) = &self.os {
                self.clock.set(os.now());
            }
            self.deliver_due();
            self.exec.collect_wakes();
            let Some(raw) = self.pick() else {
                if self.advance() {
                    continue;
                }
                return Err(self.deadlock());
            };
            let Some((key, polling)) = self.exec.begin_poll(raw) else {
                continue;
            };
            let Polling {
                id,
                future: mut task,
                waker,
            } = polling;
            self.record(EventKind::Polled { task: id });
            let mut cx = Context::from_waker(&waker);
            let probe = self.watch_poll(id);
            let outcome = panic::catch_captured(|| match task.as_mut() {
                Some(task) => task.as_mut().poll(&mut cx).map(|()| None),
                None => future.as_mut().poll(&mut cx).map(Some),
            });
            if let Some(probe) = probe {
                self.confirm_poll(probe, id);
            }
            match outcome {
                Ok(Poll::Ready(out)) => {
                    self.exec.end_poll_ready(key);
                    self.record(EventKind::Finished { task: id });
                    drop(task);
                    if let Some(out) = out {
                        // The body's last poll may have failed the run too
                        // (a confirmed long poll): that failure stands.
                        if self.failed.replace(false) {
                            let kind = self.failure.borrow_mut().take();
                            return Err(kind.expect("`failed` is set together with the failure"));
                        }
                        return Ok(out);
                    }
                }
                Ok(Poll::Pending) => {
                    let gone = self.exec.end_poll_pending(key, task, waker);
                    if gone.is_some() {
                        self.record(EventKind::Aborted { task: id });
                    }
                    drop(gone);
                    self.inject_scheduling_faults();
                }
                Err((message, location)) => {
                    self.exec.end_poll_ready(key);
                    // The future may panic again while dropped: contain it.
                    let _ = panic::catch_captured(move || drop(task));
                    self.fail(FailureKind::Panic {
                        task: self.task_desc(id),
                        message,
                        location,
                    });
                }
            }
        }
    }

    /// The watchdog's and the stall monitor's part of starting a poll.
    #[inline]
    fn watch_poll(&self, id: TaskId) -> Option<Probe> {
        let probe = self.watchdog.before_poll(id);
        if let Some(heartbeat) = &self.config.heartbeat {
            if let Some(at) = self.exec.location(id) {
                heartbeat.beat(self.watchdog.polls(), id, at);
            }
        }
        probe
    }

    /// After an armed poll: fails the run if it was over budget.
    #[cold]
    fn confirm_poll(&self, probe: Probe, id: TaskId) {
        if let Some(took) = self.watchdog.after_armed_poll(probe, id) {
            self.fail(FailureKind::LongPoll {
                task: self.task_desc(id),
                poll: self.watchdog.polls(),
                took,
                budget: self.watchdog.budget(),
            });
        }
    }

    /// A standalone runtime's unconfirmed long polls: one warning line each.
    fn warn_long_polls(&self) {
        if *self.watchdog.watch() != LongPollWatch::Warn {
            return;
        }
        let budget = self.watchdog.budget();
        // Suspects within a coarse tick under the budget: not worth a line.
        for s in self
            .watchdog
            .found()
            .into_iter()
            .filter(|s| s.took > budget)
        {
            // Past the test harness's capture: a passing test's warning
            // is still seen.
            let _ = writeln!(
                std::io::stderr(),
                "detsim: warning: {} (seed {:#x}, poll #{}) ran {:.1?} of host time in one poll \
                 (budget {:?}); not confirmed, as a standalone Runtime cannot re-run it \
                 (Sim re-runs the seed to confirm)",
                self.task_desc(s.task),
                self.seed,
                s.poll,
                s.took,
                self.watchdog.budget()
            );
        }
    }

    /// The long polls the watchdog suspected (or measured, when confirming).
    pub(crate) fn long_poll_suspects(&self) -> Vec<Suspect> {
        self.watchdog.found()
    }

    /// The next task to poll, chosen by the seed (or FIFO). Also notes
    /// since when nothing has been runnable.
    fn pick(&self) -> Option<u64> {
        let picked = self.exec.with_run_queue(|runnable| match runnable.len() {
            0 => None,
            1 => runnable.pop_front(),
            n => match self.config.scheduling {
                Scheduling::Fifo => runnable.pop_front(),
                Scheduling::Random => {
                    let i = self.scheduler_rng.borrow_mut().random_range(0..n);
                    runnable.swap_remove_back(i)
                }
            },
        });
        match picked {
            Some(_) => self.idle_since.set(None),
            None if self.idle_since.get().is_none() => {
                self.idle_since.set(Some(self.clock.get()));
            }
            None => {}
        }
        picked
    }

    /// After a poll, maybe wake or poll a task for no reason, as a real
    /// executor may: correct futures must tolerate both.
    #[inline]
    fn inject_scheduling_faults(&self) {
        if self.faults.scheduling_on() {
            self.inject_scheduling_faults_now();
        }
    }

    #[cold]
    fn inject_scheduling_faults_now(&self) {
        for kind in [FaultKind::SpuriousWake, FaultKind::SpuriousPoll] {
            let targets = self.exec.fault_targets();
            if targets == 0 || !self.faults.roll(kind) {
                continue;
            }
            let nth = self.faults.pick(kind, targets as u64) as usize;
            let Some((id, raw, waker)) = self.exec.fault_target(nth) else {
                continue;
            };
            self.record(EventKind::Fault {
                kind: kind.name(),
                target: id.0,
                value: 0,
            });
            match kind {
                FaultKind::SpuriousWake => waker.wake(),
                _ => self.exec.with_run_queue(|q| q.push_back(raw)),
            }
        }
    }

    /// Lowers the next-due bound: a timer or kernel event at `at` exists.
    pub(crate) fn note_deadline(&self, at: Instant) {
        if at < self.next_due.get() {
            self.next_due.set(at);
        }
    }

    /// Fires timers and kernel events due at or before now.
    #[inline]
    fn deliver_due(&self) {
        let now = self.clock.get();
        if now >= self.next_due.get() {
            self.deliver_due_and_rebound(now);
        }
    }

    /// [`Self::deliver_due`]'s work, once something is due: deliver, then
    /// recompute the bound.
    fn deliver_due_and_rebound(&self, now: Instant) {
        self.deliver_due_now(now);
        let next_timer = self.timers.borrow_mut().next_deadline();
        let next = match (next_timer, self.kernel.next_due()) {
            (Some(a), Some(b)) => a.min(b),
            (Some(t), None) | (None, Some(t)) => t,
            (None, None) => Instant::from_nanos(u64::MAX),
        };
        // Recomputed from the queues, so events scheduled while delivering
        // are included.
        self.next_due.set(next);
    }

    fn deliver_due_now(&self, now: Instant) {
        if self.kernel.next_due().is_some_and(|t| t <= now) {
            self.kernel.deliver_due(now);
        }
        // One timer at a time, no borrow held while its waker runs: a waker
        // may spawn, sleep, or wake others (wakers may do anything).
        loop {
            let fired = self.timers.borrow_mut().pop_due(now);
            let Some((timer, waker)) = fired else { break };
            self.record(EventKind::TimerFired { timer });
            waker.wake();
        }
    }

    /// Nothing is runnable: jump the clock to the next timer or kernel event
    /// and deliver it. `false` when there is nothing to wait for.
    fn advance(&self) -> bool {
        #[cfg(target_os = "linux")]
        if let Some(os) = &self.os {
            return self.park_os(os);
        }
        let next_timer = self.timers.borrow_mut().next_deadline();
        let next = match (next_timer, self.kernel.next_due()) {
            (None, None) => return false,
            (Some(t), None) | (None, Some(t)) => t,
            (Some(a), Some(b)) => a.min(b),
        };
        if next > self.clock.get() {
            self.clock.set(next);
            self.record(EventKind::ClockAdvanced);
        }
        self.deliver_due();
        true
    }

    /// OS parking: `epoll_wait` until the next timer or scheduled action.
    /// Never reports a deadlock: another thread may still wake a task.
    #[cfg(target_os = "linux")]
    fn park_os(&self, os: &crate::kernel::os::OsKernel) -> bool {
        let next_timer = self.timers.borrow_mut().next_deadline();
        let next = match (next_timer, self.kernel.next_due()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let timeout = next.map(|t| t.saturating_duration_since(os.now()));
        if let Err(e) = os.park(timeout) {
            self.fail(FailureKind::Error(format!("epoll_wait failed: {e}")));
        }
        self.clock.set(os.now());
        self.next_due.set(Instant::ZERO);
        true
    }

    fn deadlock(&self) -> FailureKind {
        let stuck = self
            .exec
            .waiting_tasks()
            .into_iter()
            .map(|(id, reason)| StuckTask {
                task: self.task_desc(id),
                waits_on: match reason {
                    Some(WaitReason::Completion { target }) => {
                        format!("the completion of an operation on {}", self.io_name(target))
                    }
                    Some(r) => r.to_string(),
                    None => "something detsim cannot see (a channel, lock or other future \
                             woken by another task that will never run)"
                        .to_string(),
                },
            })
            .collect();
        FailureKind::Deadlock { stuck }
    }

    /// Builds the failure report for `kind` from the current state.
    ///
    /// A deadlock is reported at the instant it became certain: when the
    /// run queue last became empty (just after the last poll). From then
    /// on no task ran, so the stuck tasks and what they wait on are what
    /// they were at that instant; the kernel events and timers delivered
    /// afterwards (a SYN retransmission due in 1 s, the timer of a dropped
    /// future) woke no task, or one would have been polled. The clock in
    /// the report's events may run past it, up to the last such event.
    pub(crate) fn failure(&self, kind: FailureKind) -> Failure {
        let trace = self.trace.borrow();
        let at = match (&kind, self.idle_since.get()) {
            (FailureKind::Deadlock { .. }, Some(since)) => since,
            _ => self.now(),
        };
        Failure {
            seed: self.seed,
            at,
            tasks_alive: self.exec.alive() + 1,
            kind,
            recent_events: trace.recent().map(|e| self.render(e)).collect(),
            digest: trace.digest(),
            faults: trace.faults().iter().map(|e| self.render(e)).collect(),
            note: None,
        }
    }

    /// An event with task ids replaced by names where tasks have them.
    pub(crate) fn render(&self, event: &Event) -> String {
        let task = match &event.kind {
            EventKind::Kernel {
                resource,
                what,
                value,
            } => {
                return match self.resource_name(*resource) {
                    Some(name) => format!("t={} kernel {what} {name} ({value})", event.at),
                    None => format!("t={} kernel {what} ({value})", event.at),
                };
            }
            EventKind::Fault {
                kind,
                target,
                value,
            } if !FaultKind::is_scheduling(kind) => {
                return match self.resource_name(ResourceId::from_u64(*target)) {
                    Some(name) => format!("t={} FAULT {kind} on {name} ({value})", event.at),
                    None => format!("t={} FAULT {kind} ({value})", event.at),
                };
            }
            EventKind::Spawned { task }
            | EventKind::Polled { task }
            | EventKind::Woken { task }
            | EventKind::Finished { task }
            | EventKind::Aborted { task } => *task,
            EventKind::Fault { kind, target, .. } => {
                // A scheduling fault: its target is a task.
                let task = TaskId(*target);
                let name = self
                    .exec
                    .info(task)
                    .and_then(|i| i.name)
                    .map(|n| format!(" `{n}`"))
                    .unwrap_or_default();
                return format!("t={} FAULT {kind} on {task}{name}", event.at);
            }
            _ => return event.to_string(),
        };
        match self.exec.info(task).and_then(|i| i.name) {
            Some(name) => format!("{event} `{name}`"),
            None => event.to_string(),
        }
    }

    /// How reports name `id`: `tcp#3`, ``node `server` ``, ``link `a`->`b` ``;
    /// `None` for [`ResourceId::NONE`].
    pub(crate) fn resource_name(&self, id: ResourceId) -> Option<String> {
        let node = |n: crate::node::NodeId| match self.nodes.borrow().names.get(n.0 as usize) {
            Some(name) => format!("`{name}`"),
            None => n.to_string(),
        };
        match id.subject() {
            Subject::None => None,
            Subject::Io(n) => Some(self.kernel.resource_name(n)),
            Subject::Node(n) => Some(format!("node {}", node(n))),
            Subject::Link(a, b) => Some(format!("link {}->{}", node(a), node(b))),
        }
    }

    /// Drops every task, timer and pending kernel event, breaking the
    /// reference cycles between tasks and the runtime. User Drop impls run
    /// with this runtime as the current context.
    pub(crate) fn shutdown(self: &Rc<Self>) {
        self.ended.set(true);
        let _guard = crate::runtime::context::try_runtime()
            .is_none()
            .then(|| crate::runtime::context::enter(Rc::clone(self)));
        for task in self.exec.drain_all() {
            let _ = panic::catch(move || drop(task));
        }
        let events = self.kernel.clear();
        let _ = panic::catch(move || drop(events));
        // Taken out first: the wakers' Drop impls run with no borrow held.
        let timers = std::mem::take(&mut *self.timers.borrow_mut());
        let _ = panic::catch(move || drop(timers));
        let extensions = std::mem::take(&mut *self.extensions.borrow_mut());
        let _ = panic::catch(move || drop(extensions));
        self.nodes.borrow_mut().hooks.clear();
    }
}
