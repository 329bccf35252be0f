//! Readiness sources and their registrations: epoll's interest list, one
//! resource at a time.
//!
//! A [`Source`] is a simulated resource's readiness state (readable,
//! writable, closed, error). Devices change it from kernel events with
//! [`Source::set`] and [`Source::clear`]; every change is traced (as
//! `ready`, or with [`Source::set_traced`] as the device event that caused
//! it: one record for a delivered segment, not two).
//! A [`Registration`] is one subscription to a source with an [`Interest`]
//! and a [`Trigger`]; a task polls it with [`Registration::poll_ready`]
//! and is woken by the changes its trigger reports.
//!
//! # Divergence from Linux
//!
//! Every registration has its own waker rather than sitting on an epoll
//! instance's ready list; a task wanting several sources polls several
//! registrations (as a tokio task polls several `ScheduledIo`s). Writable
//! edges are generated when the state goes from not writable to writable,
//! which is when Linux's `sk_write_space` reports after a writer saw
//! `EAGAIN`; a simulated stream, like Linux, announces freed room only
//! in batches (a third of a TCP buffer, three quarters of a socketpair's).
//! Spurious readiness is injected by the fault plan, never by accident.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::faults::FaultKind;
use crate::kernel::{Interest, Readiness, ResourceId, Trigger};
use crate::runtime::{RuntimeInner, WaitReason, context};
use crate::trace::EventKind;

mod registration;
mod regs;
mod wait;
pub use registration::Registration;
use regs::{Reg, Regs};
pub(crate) use wait::ResourceWait;

/// A simulated resource's readiness state. Cheap to clone (a handle).
#[derive(Clone)]
pub struct Source {
    inner: Rc<SourceInner>,
}

/// Idle connections add up (two sources each), so the state is kept
/// small: the kind is the runtime's two-byte index for it, and the first
/// two registrations are inline (`source/regs.rs`). In declaration order
/// (`repr(C)`): the id, the runtime, the borrow flag and the readiness
/// share the allocation's first 48 bytes (see `State`).
#[repr(C)]
pub(crate) struct SourceInner {
    id: ResourceId,
    pub(crate) rt: Rc<RuntimeInner>,
    state: RefCell<State>,
}

/// In declaration order (`repr(C)`), so `ready` sits right behind the
/// `RefCell`'s borrow flag, on the same cache line as it and as the
/// source's id: a check of the readiness (the writer's side, after each
/// read) or a traced operation then reads one line of the source, not
/// two. With hundreds of connections busy, each is a miss.
#[repr(C)]
struct State {
    ready: Readiness,
    /// Whether the last read on this source reached `WouldBlock` (or EOF).
    read_drained: bool,
    /// The kind, as `Kernel::kind_name` names it; kept here, where it
    /// fills padding.
    kind: u16,
    regs: Regs,
}

impl SourceInner {
    fn kind(&self) -> &'static str {
        let kind = self.state.borrow().kind;
        self.rt.kernel.kind_name(kind)
    }
}

impl Source {
    /// A new source on the current runtime, named `kind` in traces and
    /// reports (`duplex#3`), with the initial readiness `ready`.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime.
    #[track_caller]
    pub fn new(kind: &'static str, ready: Readiness) -> Source {
        let rt = context::runtime("detsim::kernel::Source::new");
        let (id, kind) = rt.kernel.new_resource_indexed(kind);
        rt.record(EventKind::Kernel {
            resource: id,
            what: "created",
            value: i64::from(ready.bits()),
        });
        Source {
            inner: Rc::new(SourceInner {
                id,
                rt,
                state: RefCell::new(State {
                    ready,
                    read_drained: true,
                    kind,
                    regs: Regs::default(),
                }),
            }),
        }
    }

    pub(crate) fn downgrade(&self) -> std::rc::Weak<SourceInner> {
        Rc::downgrade(&self.inner)
    }

    pub(crate) fn from_inner(inner: Rc<SourceInner>) -> Source {
        Source { inner }
    }

    /// The kind the source was created with (`"udp"`), as reports name it.
    pub fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    /// The resource id (allocation order within the run).
    pub fn id(&self) -> ResourceId {
        self.inner.id
    }

    /// The current readiness state.
    #[inline]
    pub fn readiness(&self) -> Readiness {
        self.inner.state.borrow().ready
    }

    /// Sets bits and reports the change: `arrivals` are edges even if the
    /// bit was already set (new data on a non-empty buffer). Traced as
    /// `ready` when it is an edge.
    #[inline]
    pub fn set(&self, bits: Readiness, arrivals: Readiness) {
        // The bits already set and no arrivals: no edge, so nothing to
        // record or wake (a read announcing room to a writer that never
        // ran out of it).
        if arrivals.is_empty() && self.inner.state.borrow().ready.contains(bits) {
            return;
        }
        self.set_changed(bits, arrivals);
    }

    /// [`Source::set`] once it may be an edge.
    #[inline(never)]
    fn set_changed(&self, bits: Readiness, arrivals: Readiness) {
        self.raise(bits, arrivals, None);
    }

    /// [`Source::set`] for a device event that already says what happened
    /// (`delivered`, `fin`): the trace gets that one event, `what` with
    /// `value`, instead of it and a `ready` after it. One record per
    /// segment where two said the same.
    pub fn set_traced(&self, bits: Readiness, arrivals: Readiness, what: &'static str, value: i64) {
        self.raise(bits, arrivals, Some((what, value)));
    }

    /// Sets `bits`, records `event` (else `ready`, if it was an edge), then
    /// wakes the registrations the change reports to.
    #[inline(always)]
    fn raise(&self, bits: Readiness, arrivals: Readiness, event: Option<(&'static str, i64)>) {
        let mut st = self.inner.state.borrow_mut();
        let edges = (bits & !st.ready) | arrivals;
        st.ready |= bits;
        if edges.is_empty() {
            drop(st);
            if let Some((what, value)) = event {
                self.trace(what, value);
            }
            return;
        }
        let ready = st.ready;
        // Wakers are called after the borrow ends. Two inline slots (a
        // reader and a writer) hand back at most two, kept in locals;
        // more registrations take the out-of-line path.
        let Regs::Inline([a, b]) = &mut st.regs else {
            drop(st);
            return self.raise_spilled(edges, ready, bits | arrivals, event);
        };
        let first = a.as_mut().and_then(|r| r.notify(edges, ready));
        let second = b.as_mut().and_then(|r| r.notify(edges, ready));
        drop(st);
        self.record_raise(bits | arrivals, event);
        if let Some(w) = first {
            w.wake();
        }
        if let Some(w) = second {
            w.wake();
        }
    }

    /// [`Source::raise`] past the state update, for a source with more
    /// than two registrations: the same walk in key order, its wakers
    /// gathered in a `Vec`.
    #[cold]
    #[inline(never)]
    fn raise_spilled(
        &self,
        edges: Readiness,
        ready: Readiness,
        changed: Readiness,
        event: Option<(&'static str, i64)>,
    ) {
        let wakers: Vec<Waker> = {
            let mut st = self.inner.state.borrow_mut();
            st.regs
                .slots_mut()
                .iter_mut()
                .flatten()
                .filter_map(|r| r.notify(edges, ready))
                .collect()
        };
        self.record_raise(changed, event);
        for w in wakers {
            w.wake();
        }
    }

    /// The record of an edge: `event` if the device named one, else
    /// `ready` with the bits that `changed`.
    #[inline(always)]
    fn record_raise(&self, changed: Readiness, event: Option<(&'static str, i64)>) {
        let (what, value) = event.unwrap_or(("ready", i64::from(changed.bits())));
        self.inner.rt.record(EventKind::Kernel {
            resource: self.inner.id,
            what,
            value,
        });
    }

    /// Clears bits: the condition no longer holds (a buffer was drained or
    /// filled). Not an event; edge registrations keep what they were told.
    /// A `WRITABLE` it removes is counted (`kernel/change_count.rs`):
    /// the only way a source loses that bit, which streams cache.
    pub fn clear(&self, bits: Readiness) {
        let mut st = self.inner.state.borrow_mut();
        if (st.ready & bits).contains(Readiness::WRITABLE) {
            self.inner.rt.kernel.writable_clears.bump();
        }
        st.ready = st.ready & !bits;
    }

    /// Subscribes to this source. If the source is already ready for
    /// `interest`, the first poll reports it (whatever the trigger), as
    /// `EPOLL_CTL_ADD` queues an event for a ready file descriptor.
    pub fn register(&self, interest: Interest, trigger: Trigger) -> Registration {
        Registration {
            source: self.clone(),
            key: self.register_key(interest, trigger),
        }
    }

    /// [`Source::register`] without the handle: the slot's key, for a
    /// holder that keeps this source once for several registrations
    /// ([`IoSource`](crate::kernel::IoSource)) and drops each with
    /// [`Source::deregister`].
    pub(crate) fn register_key(&self, interest: Interest, trigger: Trigger) -> usize {
        let mut st = self.inner.state.borrow_mut();
        // As EPOLL_CTL_ADD does: a source that is already ready reports it
        // once, even to an edge-triggered registration.
        let reg = Reg::new(interest, trigger, st.ready & interest.mask());
        let key = st.regs.insert(reg);
        drop(st);
        self.inner.rt.record(EventKind::Kernel {
            resource: self.inner.id,
            what: "registered",
            value: i64::from(interest.mask().bits()),
        });
        key
    }

    /// Forgets registration `key`: what dropping its [`Registration`] does.
    pub(crate) fn deregister(&self, key: usize) {
        let mut st = self.inner.state.borrow_mut();
        let reg = st.regs.take(key);
        drop(st);
        // The waker's Drop runs with no borrow held.
        drop(reg);
    }

    /// [`Registration::poll_ready`] of registration `key`.
    #[track_caller]
    pub(crate) fn poll_key(&self, key: usize, cx: &mut Context<'_>) -> Poll<Readiness> {
        let src = &self.inner;
        src.rt.check_current(|| src.rt.io_name(src.id));
        let mut st = src.state.borrow_mut();
        let state = st.ready;
        let reg = st
            .regs
            .get_mut(key)
            .expect("registration outlived its slot");
        let ready = reg.ready(state);
        if !ready.is_empty() {
            match reg.trigger {
                Trigger::Edge => reg.pending = Readiness::EMPTY,
                Trigger::OneShot => reg.armed = false,
                Trigger::Level => {}
            }
            reg.spurious_last = false;
            return Poll::Ready(ready);
        }
        let spurious_allowed = !reg.spurious_last && (reg.trigger != Trigger::OneShot || reg.armed);
        // The same-runtime check is done: roll directly.
        if spurious_allowed && src.rt.faults.roll(FaultKind::SpuriousReadiness) {
            src.rt
                .record_fault(FaultKind::SpuriousReadiness, src.id.as_u64(), 0);
            reg.spurious_last = true;
            if reg.trigger == Trigger::OneShot {
                reg.armed = false;
            }
            return Poll::Ready(reg.mask() & (Readiness::READABLE | Readiness::WRITABLE));
        }
        reg.spurious_last = false;
        let old = match &reg.waker {
            Some(w) if w.will_wake(cx.waker()) => None,
            _ => reg.waker.replace(cx.waker().clone()),
        };
        drop(st);
        // A waker's Drop is user code: never under the borrow.
        drop(old);
        src.rt
            .note_wait(WaitReason::Resource(ResourceWait::new(self.clone(), key)));
        Poll::Pending
    }

    /// Records the outcome of a read for deadlock diagnostics: whether the
    /// reader drained the source (reached `WouldBlock` or EOF).
    pub fn note_read(&self, drained: bool) {
        self.inner.state.borrow_mut().read_drained = drained;
    }

    /// A read that took bytes: [`Source::note_read`]`(false)`, and when it
    /// emptied the buffer, [`Source::clear`]`(READABLE)`, in one borrow.
    #[inline]
    pub(crate) fn note_read_bytes(&self, emptied: bool) {
        let mut st = self.inner.state.borrow_mut();
        st.read_drained = false;
        if emptied {
            st.ready = st.ready & !Readiness::READABLE;
        }
    }

    /// Rolls fault `kind` for an operation on this source, tracing a hit.
    /// Every operation rolls its faults first, so this also checks that
    /// the source is used inside its own runtime.
    ///
    /// # Panics
    ///
    /// Outside the runtime the source was created in, with a message
    /// naming both.
    #[inline]
    #[track_caller]
    pub fn fault(&self, kind: FaultKind) -> bool {
        self.inner.rt.inject(kind, self.inner.id)
    }

    /// [`Source::fault`] for a later roll of the same operation, whose
    /// first roll already checked that the source is used inside its own
    /// runtime: the same draw and trace, without the check.
    #[inline]
    pub(crate) fn fault_again(&self, kind: FaultKind) -> bool {
        self.inner.rt.inject_checked(kind, self.inner.id)
    }

    /// A number in `1..=n` for a short read or partial write of at most `n`
    /// bytes, from `kind`'s stream; `n` itself is never chosen when `n > 1`.
    pub fn fault_amount(&self, kind: FaultKind, n: usize) -> usize {
        1 + self.inner.rt.faults.pick(kind, n.saturating_sub(1) as u64) as usize
    }

    /// Records a kernel event on this source.
    pub fn trace(&self, what: &'static str, value: i64) {
        self.inner.rt.record(EventKind::Kernel {
            resource: self.inner.id,
            what,
            value,
        });
    }

    /// The runtime's kernel, for scheduling events.
    pub fn kernel(&self) -> crate::kernel::KernelHandle {
        crate::kernel::KernelHandle::from_runtime(Rc::clone(&self.inner.rt))
    }
}

impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}#{} ({})",
            self.inner.kind(),
            self.inner.id.as_u64(),
            self.readiness()
        )
    }
}
