//! The runtime a thread is currently running, like tokio's `Handle::current`.
//!
//! Set for the duration of `block_on` on this thread and nowhere else: two
//! runtimes on two threads never see each other, and IO types, timers and
//! `spawn` find their runtime without naming a backend.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::runtime::RuntimeInner;

thread_local! {
    static CURRENT: RefCell<Option<Rc<RuntimeInner>>> = const { RefCell::new(None) };
    /// The address of the current runtime's ready queue (0 for none): the
    /// same-runtime check of `Home` in one read, without `CURRENT`'s borrow.
    static CURRENT_QUEUE: Cell<usize> = const { Cell::new(0) };
}

/// Whether the runtime whose ready queue lives at `queue` is the one
/// running on this thread.
#[inline]
pub(crate) fn is_current_queue(queue: usize) -> bool {
    CURRENT_QUEUE.with(Cell::get) == queue
}

/// Whether a detsim runtime runs on this thread (one read of a const
/// thread-local, cheap enough for a per-call dispatch).
#[inline]
pub(crate) fn is_inside() -> bool {
    CURRENT_QUEUE.with(Cell::get) != 0
}

/// Calls `f` with the current runtime.
///
/// # Panics
///
/// When no detsim runtime runs on this thread; `what` names the API the user
/// called so the message can say what to do instead.
#[inline]
#[track_caller]
pub(crate) fn with_runtime<R>(what: &str, f: impl FnOnce(&Rc<RuntimeInner>) -> R) -> R {
    match try_runtime() {
        Some(rt) => f(&rt),
        None => outside_runtime(what),
    }
}

/// Calls `f` with the current runtime, if any.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Rc<RuntimeInner>>) -> R) -> R {
    f(try_runtime().as_ref())
}

/// The current runtime, cloned.
#[inline]
#[track_caller]
pub(crate) fn runtime(what: &str) -> Rc<RuntimeInner> {
    match try_runtime() {
        Some(rt) => rt,
        None => outside_runtime(what),
    }
}

/// Whether `rt` is the runtime running on this thread: one read of
/// `CURRENT_QUEUE`, compared with the address of `rt`'s ready queue (which
/// lives as long as `rt`, so no other live runtime can have it).
#[inline(always)]
pub(crate) fn is_current(rt: &RuntimeInner) -> bool {
    is_current_queue(std::sync::Arc::as_ptr(&rt.exec.queue) as usize)
}

/// The current runtime, if any.
///
/// Cloned out of the thread-local rather than lent to a closure: with
/// only the clone inside `LocalKey::with`, the access inlines into every
/// caller (a closure doing the caller's work would make `with` too big to
/// inline, and each use would pay an indirect call to the key's accessor).
#[inline]
pub(crate) fn try_runtime() -> Option<Rc<RuntimeInner>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// The current runtime, if any, for code that must never panic (the
/// allocator's failure line): `None` as well while the slot is borrowed
/// or torn down.
pub(crate) fn try_runtime_quiet() -> Option<Rc<RuntimeInner>> {
    CURRENT
        .try_with(|c| c.try_borrow().ok().and_then(|c| c.clone()))
        .ok()
        .flatten()
}

#[track_caller]
#[cold]
fn outside_runtime(what: &str) -> ! {
    panic!(
        "{what} was called outside a detsim runtime. Call it from code running inside \
         `detsim::Sim::new().run(..)`, `detsim::Runtime::sim(seed).block_on(..)` or the OS \
         runtime's `block_on`."
    )
}

/// Makes `rt` the current runtime until the guard drops.
pub(crate) fn enter(rt: Rc<RuntimeInner>) -> EnterGuard {
    CURRENT.with(|c| {
        // Borrowed means a runtime is running and a detsim object is using
        // it right now (a timeout polling its future): nested, too.
        let mut c = match c.try_borrow_mut() {
            Ok(c) if c.is_none() => c,
            _ => nested_block_on(),
        };
        CURRENT_QUEUE.with(|q| q.set(std::sync::Arc::as_ptr(&rt.exec.queue) as usize));
        *c = Some(rt);
    });
    EnterGuard {
        _not_send: std::marker::PhantomData,
    }
}

#[cold]
#[track_caller]
fn nested_block_on() -> ! {
    panic!(
        "detsim: block_on was called while a detsim runtime is already running on this \
         thread. Inside a runtime, spawn the future with `detsim::spawn` and await it instead."
    )
}

pub(crate) struct EnterGuard {
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        // Take the runtime out before dropping it: its teardown may run user
        // Drop impls that look at the context.
        CURRENT_QUEUE.with(|q| q.set(0));
        let rt = CURRENT.with(|c| c.borrow_mut().take());
        drop(rt);
    }
}
