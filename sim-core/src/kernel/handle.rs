//! [`KernelHandle`]: what simulated devices (pipes, sockets, disks) use to
//! reach the kernel of the runtime they were created on.

use std::fmt;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use crate::alloc::Untracked;
use crate::faults::FaultKind;
use crate::kernel::event::Action;
use crate::kernel::fs::FileSystem;
use crate::kernel::{BufResult, Completion, DelaySpan, ResourceId, fs_slot};
use crate::runtime::{RuntimeInner, context};
use crate::time::Instant;
use crate::trace::EventKind;

mod faults;

/// A cheap handle to the kernel of a runtime (simulated or OS), for the
/// devices and IO types created in it.
///
/// ```
/// use detsim::kernel::KernelHandle;
/// use detsim::time::Duration;
/// use std::{cell::Cell, rc::Rc};
///
/// detsim::Runtime::sim(0).block_on(async {
///     let k = KernelHandle::current();
///     let hit = Rc::new(Cell::new(false));
///     let h = hit.clone();
///     k.schedule_after(Duration::from_millis(3), move || h.set(true));
///     detsim::time::sleep(Duration::from_millis(3)).await;
///     assert!(hit.get());
/// });
/// ```
#[derive(Clone)]
pub struct KernelHandle {
    rt: Rc<RuntimeInner>,
}

impl KernelHandle {
    /// The kernel of the runtime running on this thread.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime.
    #[track_caller]
    pub fn current() -> KernelHandle {
        KernelHandle {
            rt: context::runtime("detsim::kernel::KernelHandle::current"),
        }
    }

    pub(crate) fn from_runtime(rt: Rc<RuntimeInner>) -> KernelHandle {
        KernelHandle { rt }
    }

    /// The runtime this handle reaches.
    pub(super) fn runtime(&self) -> &RuntimeInner {
        &self.rt
    }

    /// The same, as the shared pointer that names the runtime.
    pub(super) fn runtime_rc(&self) -> &Rc<RuntimeInner> {
        &self.rt
    }

    /// The runtime's clock.
    pub fn now(&self) -> Instant {
        self.rt.now()
    }

    /// Runs `action` at `at` (virtual time), or as soon as possible if `at`
    /// is past. Actions due at the same instant run in a seeded order (on
    /// the OS runtime, in the order they were scheduled).
    pub fn schedule_at(&self, at: Instant, action: impl FnOnce() + 'static) {
        let _untracked = Untracked::new();
        self.schedule_action_at(at, Action::from(action));
    }

    /// [`KernelHandle::schedule_at`] for a typed kernel event.
    pub(crate) fn schedule_action_at(&self, at: Instant, action: Action) {
        // The queue may grow: detsim's memory, not the poll's.
        let _untracked = Untracked::new();
        let at = at.max(self.rt.now());
        self.rt.kernel.schedule(at, action);
        self.rt.note_deadline(at);
    }

    /// Runs `action` after `delay`.
    pub fn schedule_after(&self, delay: Duration, action: impl FnOnce() + 'static) {
        self.schedule_at(self.rt.now().saturating_add(delay), action);
    }

    /// A duration in `min..=max` from the device stream (latencies). On
    /// the OS runtime, which draws nothing from the seed, `min`.
    pub fn device_delay(&self, min: Duration, max: Duration) -> Duration {
        self.rt.kernel.device_delay(min, max)
    }

    /// [`KernelHandle::device_delay`] for a device that keeps its range as
    /// `min` and the range's width ([`DelaySpan::new`]), so a draw per
    /// segment does not subtract the bounds again: the same draw (see
    /// [`DelaySpan`]'s example).
    #[inline]
    pub fn device_delay_span(&self, min: Duration, span: DelaySpan) -> Duration {
        self.rt.kernel.device_delay_span(min, span.nanos())
    }

    /// Records a kernel event about `resource` in the trace.
    pub fn trace(&self, resource: ResourceId, what: &'static str, value: i64) {
        self.rt.record(EventKind::Kernel {
            resource,
            what,
            value,
        });
    }

    /// Folds a simulated write's payload into the trace digest when the
    /// run checks payload bytes (`DETSIM_CHECK_DETERMINISM=bytes`); a no-op
    /// otherwise.
    #[inline]
    pub fn note_payload(&self, bytes: &[u8]) {
        self.rt.trace.note_payload(bytes);
    }

    /// The runtime's instance of `T`, created by `init` on first use: where
    /// a subsystem (the network, the disks) keeps its per-run state. Two
    /// runtimes never share it.
    pub fn extension<T: 'static>(&self, init: impl FnOnce() -> T) -> Rc<T> {
        self.rt.extension(init)
    }

    /// Registers `hook` to run whenever a node of this runtime crashes
    /// (`detsim::node::crash`), after the node's tasks are gone: where a
    /// device drops or damages the node's state (the network closes its
    /// sockets, a disk loses what was not synced). Hooks run in the order
    /// they were registered.
    ///
    /// ```
    /// use detsim::kernel::KernelHandle;
    /// use std::{cell::Cell, rc::Rc};
    ///
    /// detsim::Runtime::sim(0).block_on(async {
    ///     let crashed = Rc::new(Cell::new(None));
    ///     let seen = Rc::clone(&crashed);
    ///     KernelHandle::current().on_node_crash(move |node| seen.set(Some(node)));
    ///     let db = detsim::node::create("db");
    ///     detsim::node::crash(db);
    ///     assert_eq!(crashed.get(), Some(db));
    /// });
    /// ```
    pub fn on_node_crash(&self, hook: impl Fn(crate::node::NodeId) + 'static) {
        let _untracked = Untracked::new();
        crate::node::on_crash(&self.rt, hook);
    }

    /// Whether this runtime runs on the real OS (`Runtime::os`) rather than
    /// the simulation. detsim's IO types never ask (the kernel answers for
    /// them); a test that checks one kernel's own behaviour (an errno only
    /// real Linux gives) may.
    pub fn is_os(&self) -> bool {
        self.rt.kernel.is_os()
    }

    /// How many times a source lost its `WRITABLE` bit this run
    /// (`kernel/change_count.rs`), for a cache of one.
    #[inline]
    pub(crate) fn writable_clears(&self) -> u32 {
        self.rt.kernel.writable_clears.get()
    }

    /// A link's owner changed something its [`Link::is_up`] answers
    /// from (a partition, a held path, the network going away): every
    /// segment sent while its link promised to stay up
    /// ([`Link::delay_if_up`]) asks the link again when it is due. Call it
    /// before the change can be observed, for every such change.
    ///
    /// [`Link::is_up`]: crate::kernel::stream::Link::is_up
    /// [`Link::delay_if_up`]: crate::kernel::stream::Link::delay_if_up
    #[inline]
    pub fn note_link_change(&self) {
        self.rt.kernel.link_changes.bump();
    }

    /// How many link changes were noted this run
    /// ([`KernelHandle::note_link_change`]), for a cache of a link's state.
    #[inline]
    pub(crate) fn link_changes(&self) -> u32 {
        self.rt.kernel.link_changes.get()
    }

    /// How long a blocking job waits for a pool thread to take it (see
    /// [`crate::task::spawn_blocking`]): seeded under the simulation, zero
    /// on the OS runtime.
    pub(crate) fn pickup_delay(&self, min: Duration, max: Duration) -> Duration {
        self.rt.kernel.pickup_delay(min, max)
    }

    /// Registers `io` (a socket or anything else that owns a file
    /// descriptor) with the OS kernel's epoll, so its readiness is reported
    /// on `source`. The registration takes ownership of `io`: the
    /// descriptor stays open for as long as it is registered, and dropping
    /// the registration deregisters it before closing it. Reach `io`
    /// through the registration (it derefs to `T`).
    ///
    /// ```
    /// use detsim::kernel::{KernelHandle, Readiness, Source};
    ///
    /// detsim::Runtime::os().unwrap().block_on(async {
    ///     let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    ///     socket.set_nonblocking(true).unwrap();
    ///     let source = Source::new("my-udp", Readiness::EMPTY);
    ///     let socket = KernelHandle::current().register_fd(socket, &source).unwrap();
    ///     assert!(socket.local_addr().unwrap().ip().is_loopback());
    ///     // Dropping `socket` deregisters, then closes the fd.
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// On the simulated runtime (there is no real kernel to register
    /// with), or if epoll refuses the descriptor; `io` is dropped then.
    #[cfg(target_os = "linux")]
    pub fn register_fd<T: std::os::fd::AsFd>(
        &self,
        io: T,
        source: &crate::kernel::Source,
    ) -> io::Result<crate::kernel::FdRegistration<T>> {
        let _untracked = Untracked::new();
        crate::kernel::FdRegistration::new(Rc::clone(&self.rt), io, source)
    }

    /// Runs `f` where it may block without stalling the executor: on the OS
    /// runtime, a blocking-pool thread; on the simulation, inline at the
    /// current virtual time (simulated devices never block).
    ///
    /// # Panics
    ///
    /// The awaiting task panics if `f` panicked, with `f`'s message.
    pub async fn run_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> T {
        self.rt.kernel.run_blocking(f).await
    }

    /// The runtime's file system (the contract is in
    /// [`kernel::fs`](crate::kernel::fs)): on the OS runtime, real files,
    /// installed when the runtime was built; under the simulation, the one
    /// `install` builds if none is installed yet (`detsim::fs` installs
    /// its simulated disks on first use).
    pub fn file_system<F: FileSystem + 'static>(
        &self,
        install: impl FnOnce() -> F,
    ) -> Rc<dyn FileSystem> {
        let _untracked = Untracked::new();
        fs_slot::installed(&self.rt, install).file_system()
    }

    /// The runtime's file system if it is an `F`, installing `install()` if
    /// there is none yet: `None` if the runtime has another one (the OS
    /// runtime's real files, to code that owns simulated disks).
    pub fn file_system_as<F: FileSystem + 'static>(
        &self,
        install: impl FnOnce() -> F,
    ) -> Option<Rc<F>> {
        let _untracked = Untracked::new();
        fs_slot::installed(&self.rt, install).downcast()
    }

    /// A fresh resource id for a resource of `kind` (allocation order
    /// within the run); reports call it `kind#n`.
    pub fn new_resource(&self, kind: &'static str) -> ResourceId {
        let _untracked = Untracked::new();
        self.rt.kernel.new_resource(kind)
    }

    /// Submits a completion-model operation on `target`: `perform` runs at
    /// completion time with the owned buffer and the number of bytes it may
    /// transfer (`len`, or fewer under a short-completion fault), and its
    /// result is delivered with the buffer.
    ///
    /// The completion is due after `latency`, plus the plan's reorder
    /// window jitter and any delayed-completion fault, so operations in
    /// flight together complete in a seeded order. Dropping the returned
    /// future does not cancel the operation (see [`Completion`]).
    pub fn submit<B: 'static>(
        &self,
        target: ResourceId,
        latency: Duration,
        len: usize,
        buf: B,
        perform: impl FnOnce(&mut B, usize) -> io::Result<usize> + 'static,
    ) -> Completion<BufResult<usize, B>> {
        let _untracked = Untracked::new();
        self.submit_with(target, latency, len, move |allowed| {
            let mut buf = buf;
            let result = perform(&mut buf, allowed);
            let value = match &result {
                Ok(n) => *n as i64,
                Err(e) => errno_value(e),
            };
            ((result, buf), value)
        })
    }

    /// [`submit`](KernelHandle::submit) for an operation of any shape:
    /// `perform` runs at completion time with the number of bytes it may
    /// transfer and returns the operation's result together with the value
    /// the trace records for it (bytes transferred, or a negated errno, as
    /// a system call returns).
    pub fn submit_with<T: 'static>(
        &self,
        target: ResourceId,
        latency: Duration,
        len: usize,
        perform: impl FnOnce(usize) -> (T, i64) + 'static,
    ) -> Completion<T> {
        let _untracked = Untracked::new();
        self.rt.check_current(|| self.rt.io_name(target));
        let window = self.rt.config.faults.completion_reorder_window;
        let jitter = self.device_delay(Duration::ZERO, window);
        let delay = latency + jitter + self.fault_delay(FaultKind::DelayedCompletion, target);
        let allowed = if len > 1 && self.rt.inject(FaultKind::ShortCompletion, target) {
            1 + self
                .rt
                .faults
                .pick(FaultKind::ShortCompletion, len as u64 - 1) as usize
        } else {
            len
        };
        self.trace(target, "submit", len as i64);
        let (completion, slot) = Completion::new(target);
        let rt = Rc::clone(&self.rt);
        self.schedule_after(delay, move || {
            let (result, value) = perform(allowed);
            rt.record(EventKind::Kernel {
                resource: target,
                what: "complete",
                value,
            });
            slot.complete(result);
        });
        completion
    }
}

/// What the trace records for a failed operation: its negated errno, or
/// `-EIO` for an error that has none.
fn errno_value(e: &io::Error) -> i64 {
    -(e.raw_os_error().unwrap_or(5) as i64)
}

impl fmt::Debug for KernelHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KernelHandle")
            .field("now", &self.now())
            .finish()
    }
}
