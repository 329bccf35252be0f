//! The runtime a thread is currently running, like tokio's `Handle::current`.
//!
//! Set for the duration of `block_on` on this thread and nowhere else: two
//! runtimes on two threads never see each other, and IO types, timers and
//! `spawn` find their runtime without naming a backend.

use std::cell::{Cell, RefCell};
use std::ptr;
use std::rc::Rc;

use crate::runtime::RuntimeInner;

thread_local! {
    static CURRENT: RefCell<Option<Rc<RuntimeInner>>> = const { RefCell::new(None) };
    /// The address of `CURRENT`'s value while a runtime runs, null
    /// otherwise: what [`with_current`] lends from, with one read of a
    /// destructor-free thread-local and no borrow or count to move.
    ///
    /// # Safety argument
    ///
    /// A reference made from this address is valid while `CURRENT`'s
    /// value stays unwritten (the cell itself, a thread-local, does not
    /// move while its thread lives; the address is the cell's own,
    /// `RefCell::as_ptr`, so no borrow of it is kept):
    /// - [`enter`] sets the address right after storing the runtime, and
    ///   the guard clears it before taking the runtime out;
    /// - only `enter` and its guard write `CURRENT`. `enter` refuses,
    ///   before touching the cell, while the address is set; the guard
    ///   runs when the `block_on` that entered returns;
    /// - a reference lent by [`with_current`] lives only during its call of
    ///   `f` (the argument's lifetime is `f`'s own), and that call returns
    ///   before the enclosing `block_on` does, so before the guard runs.
    ///   No other `block_on` can start meanwhile (refused, as above).
    ///
    /// `CURRENT`'s own shared borrows (`try_runtime_quiet`) only read, so
    /// they may overlap such a reference.
    static CURRENT_RT: Cell<*const Option<Rc<RuntimeInner>>> = const { Cell::new(ptr::null()) };
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
    with_current(|rt| match rt {
        Some(rt) => f(rt),
        None => outside_runtime(what),
    })
}

/// Calls `f` with the current runtime, if any: lent, not cloned.
#[inline]
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Rc<RuntimeInner>>) -> R) -> R {
    let at = CURRENT_RT.with(Cell::get);
    // SAFETY: null or the address of `CURRENT`'s value, which stays
    // unwritten until after `f` returns (see `CURRENT_RT`).
    let current = unsafe { at.as_ref() };
    f(current.and_then(Option::as_ref))
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

/// The current runtime, if any, cloned.
#[inline]
pub(crate) fn try_runtime() -> Option<Rc<RuntimeInner>> {
    with_current(|rt| rt.cloned())
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
    // Checked before the cell is touched: a runtime may be lent right now
    // (see `CURRENT_RT`).
    if !CURRENT_RT.with(Cell::get).is_null() {
        nested_block_on();
    }
    CURRENT.with(|c| {
        // Borrowed means a detsim object is reading it right now: nested.
        let mut c = match c.try_borrow_mut() {
            Ok(c) if c.is_none() => c,
            _ => nested_block_on(),
        };
        CURRENT_QUEUE.with(|q| q.set(std::sync::Arc::as_ptr(&rt.exec.queue) as usize));
        *c = Some(rt);
    });
    CURRENT_RT.with(|p| p.set(CURRENT.with(RefCell::as_ptr).cast_const()));
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
        CURRENT_RT.with(|p| p.set(ptr::null()));
        let rt = CURRENT.with(|c| c.borrow_mut().take());
        drop(rt);
    }
}
