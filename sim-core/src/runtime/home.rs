//! A runtime's identity that may cross threads: what lets sockets, files,
//! sleeps and join handles be `Send + Sync` while the runtime is not.
//!
//! tokio's IO, time and task types are `Send + Sync`, and code written for
//! tokio requires it (hyper's pooled client, tonic, `axum::serve`, any
//! `Send`-bounded executor or trait object). A detsim runtime is one thread's
//! state in `Rc`s and `RefCell`s. So the objects users hold carry only a
//! [`Home`]: an `Arc` of the runtime's ready queue, the part its wakers
//! already share across threads. Every use of such an object looks the
//! runtime up in the thread's context and checks that it is the object's
//! home (the same-runtime check). Anywhere else the use panics with a
//! message naming both runtimes; the runtime's state is only ever touched
//! on the thread that runs it.
//!
//! Drops never panic. An object dropped where its runtime is not running
//! (on another thread, or on this thread between two `block_on` calls)
//! leaves a [`Deferred`] note in its home, which the runtime carries out at
//! its next loop turn or at teardown. Once the runtime has ended, nothing
//! more is deferred: a value dropped on the runtime's own thread is
//! released at once, one dropped on another thread is leaked (its `Rc` is
//! never touched there; see `resident.rs`), and a cancelled timer needs
//! nothing, since teardown dropped the timers.

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use crate::runtime::resident::Orphan;
use crate::runtime::waker::ReadyQueue;
use crate::runtime::{RuntimeInner, context};
use crate::time::timers::TimerKey;

/// The part of a runtime that its `Send` objects reach from any thread.
pub(crate) struct HomeState {
    seed: u64,
    /// The thread that created the runtime: the only one it runs on.
    thread: ThreadId,
    ended: AtomicBool,
    deferred: Mutex<Vec<Deferred>>,
    deferred_pending: AtomicBool,
}

/// A release the runtime must carry out on its own thread.
#[derive(Debug)]
pub(crate) enum Deferred {
    /// Drop a resident value whose handle was dropped elsewhere.
    Value(Orphan),
    /// Cancel a timer.
    Timer(TimerKey),
}

impl HomeState {
    pub(crate) fn new(seed: u64) -> HomeState {
        HomeState {
            seed,
            thread: std::thread::current().id(),
            ended: AtomicBool::new(false),
            deferred: Mutex::new(Vec::new()),
            deferred_pending: AtomicBool::new(false),
        }
    }

    /// The runtime is being torn down, on its thread: from now on nothing
    /// is deferred to it. Returns what was still deferred, for the caller
    /// to release.
    pub(crate) fn end(&self) -> Vec<Deferred> {
        let mut deferred = self.deferred.lock().unwrap_or_else(|e| e.into_inner());
        self.ended.store(true, Ordering::Release);
        std::mem::take(&mut *deferred)
    }

    /// Whether releases were deferred since the last `take_deferred`: one
    /// relaxed load, checked every loop turn.
    #[inline]
    pub(crate) fn has_deferred(&self) -> bool {
        self.deferred_pending.load(Ordering::Relaxed)
    }

    /// The releases deferred since the last call, in the order they came.
    #[cold]
    pub(crate) fn take_deferred(&self) -> Vec<Deferred> {
        if !self.deferred_pending.swap(false, Ordering::AcqRel) {
            return Vec::new();
        }
        std::mem::take(&mut *self.deferred.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The runtime an object belongs to, as a `Send + Sync` value.
#[derive(Clone)]
pub(crate) struct Home {
    queue: Arc<ReadyQueue>,
}

impl Home {
    /// The home of objects created in `rt`.
    pub(crate) fn of(rt: &RuntimeInner) -> Home {
        Home {
            queue: Arc::clone(&rt.exec.queue),
        }
    }

    /// The home of objects created now, on the current runtime.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime; `what` names the API the user called.
    #[track_caller]
    pub(crate) fn current(what: &str) -> Home {
        context::with_runtime(what, |rt| Home::of(rt))
    }

    /// Whether `rt` is this home.
    #[inline]
    pub(crate) fn is(&self, rt: &RuntimeInner) -> bool {
        Arc::ptr_eq(&self.queue, &rt.exec.queue)
    }

    /// Whether the home runtime runs on this thread now: one thread-local
    /// read.
    #[inline]
    pub(crate) fn is_current(&self) -> bool {
        context::is_current_queue(Arc::as_ptr(&self.queue) as usize)
    }

    /// Panics unless the home runtime runs on this thread now (the check
    /// of [`Home::with`], for uses that need no runtime state).
    #[inline]
    #[track_caller]
    pub(crate) fn check(&self, what: impl FnOnce() -> String) {
        if !self.is_current() {
            let current = context::with_current(|c| c.map(|rt| rt.seed));
            self.used_elsewhere(&what(), current);
        }
    }

    /// Calls `f` with the home runtime: the same-runtime check every use of
    /// a `Send` object goes through.
    ///
    /// # Panics
    ///
    /// Unless the home runtime runs on this thread now; `what` names the
    /// object for the message.
    #[inline]
    #[track_caller]
    pub(crate) fn with<R>(
        &self,
        what: impl FnOnce() -> String,
        f: impl FnOnce(&Rc<RuntimeInner>) -> R,
    ) -> R {
        context::with_current(|current| match current {
            Some(rt) if self.is(rt) => f(rt),
            other => self.used_elsewhere(&what(), other.map(|rt| rt.seed)),
        })
    }

    /// The home runtime, after the same-runtime check of [`Home::with`].
    #[inline]
    #[track_caller]
    pub(crate) fn runtime(&self, what: impl FnOnce() -> String) -> Rc<RuntimeInner> {
        self.with(what, Rc::clone)
    }

    /// Releases something of the home runtime: now, with `now`, if the
    /// runtime runs on this thread; otherwise by leaving `later` for it (or
    /// nothing, if it has ended).
    pub(crate) fn release(&self, now: impl FnOnce(&Rc<RuntimeInner>), later: Deferred) {
        let done = context::with_current(|current| match current {
            Some(rt) if self.is(rt) => {
                now(rt);
                true
            }
            _ => false,
        });
        if !done {
            self.defer(later);
        }
    }

    /// Releases a resident value whose handle was dropped: at once if the
    /// runtime runs on this thread, or has ended and this is its thread;
    /// at the runtime's next turn if it is alive; leaked if it has ended
    /// and this is another thread (see `resident.rs`).
    pub(crate) fn release_value(&self, orphan: Orphan) {
        let home = &self.queue.home;
        if self.is_current() || (self.has_ended() && std::thread::current().id() == home.thread) {
            orphan.release();
        } else {
            self.defer(Deferred::Value(orphan));
        }
    }

    /// Leaves `later` for the runtime's next turn; dropped (a value
    /// leaked) if the runtime has ended.
    fn defer(&self, later: Deferred) {
        let home = &self.queue.home;
        let mut deferred = home.deferred.lock().unwrap_or_else(|e| e.into_inner());
        if home.ended.load(Ordering::Acquire) {
            return;
        }
        deferred.push(later);
        drop(deferred);
        home.deferred_pending.store(true, Ordering::Release);
        self.queue.unpark();
    }

    /// Whether the home runtime has ended.
    pub(crate) fn has_ended(&self) -> bool {
        self.queue.home.ended.load(Ordering::Acquire)
    }

    #[cold]
    #[track_caller]
    fn used_elsewhere(&self, what: &str, current_seed: Option<u64>) -> ! {
        let seed = self.queue.home.seed;
        let state = if self.has_ended() {
            "which has ended"
        } else {
            "which is not running"
        };
        let used = match current_seed {
            None => "outside any runtime".to_string(),
            Some(other) if other == seed => {
                format!("in another runtime of the same seed {other:#x}")
            }
            Some(other) => format!("in runtime seed {other:#x}"),
        };
        panic!(
            "detsim: {what} belongs to runtime seed {seed:#x}, {state}; it was used {used}. IO \
             objects, sleeps and join handles may be sent to other threads, but work only on \
             the thread running the runtime that created them: create them inside this run \
             instead."
        )
    }
}
