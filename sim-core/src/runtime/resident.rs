//! Values that live on their runtime's thread and are held through a
//! `Send + Sync` handle: [`Resident`].
//!
//! A simulated socket or file is runtime state: buffers, readiness, links
//! to the network, all in `Rc`s and `RefCell`s. The handle a user holds
//! owns an `Rc` of that state plus the runtime's [`Home`], so it can go
//! wherever tokio's would (into a `Send` future, an `Arc`, another thread)
//! while the state is only ever touched on the runtime's thread.
//!
//! # Safety argument
//!
//! `Resident<T>` is `Send + Sync` for any `T` although it owns an `Rc<T>`.
//! That is sound because the `Rc` (its count and its value) is touched only
//! on the thread of the runtime that created it:
//! - every access ([`Resident::get`], [`Resident::rc`], [`Resident::try_get`])
//!   first checks that the runtime running on the calling thread is the
//!   value's home; a runtime runs on the one thread that created it
//!   (`Runtime` is `!Send`), so that thread is the only one that passes;
//! - a drop on the home thread drops the `Rc` there; a drop on any other
//!   thread does not touch it: the `Rc` moves, as a pointer, into the
//!   home's deferred queue (see `home.rs`), and the home thread drops it at
//!   its next loop turn or at teardown. Once the runtime has ended the
//!   queue takes nothing more and such an `Rc` is leaked, never dropped;
//! - the check and the push happen under the queue's lock, the teardown's
//!   `end` takes that lock too, so no `Rc` can enter the queue after the
//!   home thread emptied it for the last time; a queued `Rc` that is never
//!   released (the queue itself dropped elsewhere) is leaked by
//!   [`Orphan`]'s `Drop`, never dropped.
//!
//! References handed out by `get` borrow the handle, and `&T` crosses
//! threads only if `T: Sync`, in which case that is fine.

use std::any::Any;
use std::fmt;
use std::mem::ManuallyDrop;
use std::rc::Rc;

use crate::kernel::ResourceId;
use crate::runtime::home::{Deferred, Home};
use crate::runtime::{RuntimeInner, context};

/// A value that lives on the thread of the runtime it was created in,
/// held through a `Send + Sync` handle: how detsim's sockets, files and
/// join handles are `Send` although the simulation is single-threaded.
///
/// [`Resident::get`] checks that the runtime running on the calling
/// thread is the one that created the value, and panics otherwise, with a
/// message naming both runtimes. Dropping the handle drops the value: at
/// once on the runtime's thread, or at the runtime's next loop turn if the
/// handle is dropped on another thread.
///
/// For people writing their own simulated devices: keep the device's
/// state in a `Resident` and the user-facing type is `Send` and `Sync`.
///
/// ```
/// use detsim::kernel::Resident;
/// use std::cell::Cell;
///
/// fn needs_send<T: Send + Sync>(_: &T) {}
///
/// detsim::Runtime::sim(1).block_on(async {
///     let counter = Resident::new("counter", Cell::new(0u32));
///     needs_send(&counter);
///     counter.get().set(5);
///     assert_eq!(counter.get().get(), 5);
/// });
/// ```
pub struct Resident<T: 'static> {
    /// Touched only on the home runtime's thread (see the module docs).
    value: HomeOnly<T>,
    home: Home,
    what: &'static str,
    /// With `what`, the name in misuse messages: `udp#3`; [`UNNUMBERED`]
    /// for none. Not an `Option`: eight bytes less in every socket's
    /// handle, and idle connections add up.
    number: u64,
}

/// [`Resident::number`] of a value named by `what` alone.
const UNNUMBERED: u64 = u64::MAX;

/// The `Rc` a [`Resident`] owns, marked `Send + Sync` for it. Kept apart
/// from `Resident` so the marker impls need no `T: 'static` bound (an
/// explicit bound on an auto-trait impl defeats the compiler's proof that
/// futures borrowing a `Resident` are `Send`).
struct HomeOnly<T>(ManuallyDrop<Rc<T>>);

// SAFETY: the `Rc` is only cloned, dereferenced or dropped on the home
// runtime's thread; `Resident`, the only user, guarantees it (see the
// module docs).
unsafe impl<T> Send for HomeOnly<T> {}
// SAFETY: as for `Send`: `&Resident` gives access to the value only after
// the same-runtime check.
unsafe impl<T> Sync for HomeOnly<T> {}

impl<T: 'static> Resident<T> {
    /// Moves `value` into the current runtime; `what` names it in misuse
    /// messages ("TcpStream").
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime.
    #[track_caller]
    pub fn new(what: &'static str, value: T) -> Resident<T> {
        let _untracked = crate::alloc::Untracked::new();
        Resident::from_rc(what, Rc::new(value))
    }

    /// Like [`Resident::new`], for a value the runtime also holds elsewhere.
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime.
    #[track_caller]
    pub fn from_rc(what: &'static str, value: Rc<T>) -> Resident<T> {
        context::with_runtime(what, |rt| Resident::in_runtime(rt, what, value))
    }

    /// Like [`Resident::new`], for the value behind a resource: misuse
    /// messages name it as reports do, `kind#id` (`udp#3`).
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime.
    #[track_caller]
    pub fn for_resource(kind: &'static str, id: ResourceId, value: T) -> Resident<T> {
        Resident::new(kind, value).numbered(id.as_u64())
    }

    pub(crate) fn in_runtime(rt: &RuntimeInner, what: &'static str, value: Rc<T>) -> Resident<T> {
        let _untracked = crate::alloc::Untracked::new();
        Resident {
            value: HomeOnly(ManuallyDrop::new(value)),
            home: Home::of(rt),
            what,
            number: UNNUMBERED,
        }
    }

    /// Names the value `what#number` in misuse messages.
    pub(crate) fn numbered(mut self, number: u64) -> Resident<T> {
        self.number = number;
        self
    }

    fn describe(&self) -> String {
        match self.number {
            UNNUMBERED => self.what.to_string(),
            n => format!("{}#{n}", self.what),
        }
    }

    /// The value.
    ///
    /// # Panics
    ///
    /// Unless the runtime that created it runs on this thread now.
    #[inline]
    #[track_caller]
    pub fn get(&self) -> &T {
        self.home.check(|| self.describe());
        &self.value.0
    }

    /// The value's `Rc`, for a future that must own it.
    ///
    /// # Panics
    ///
    /// Unless the runtime that created it runs on this thread now.
    #[inline]
    #[track_caller]
    pub fn rc(&self) -> Rc<T> {
        self.home.check(|| self.describe());
        Rc::clone(&self.value.0)
    }

    /// The value, if the runtime that created it runs on this thread now
    /// (for `Drop` and `Debug` impls, which must not panic).
    pub fn try_get(&self) -> Option<&T> {
        self.home.is_current().then(|| &**self.value.0)
    }
}

impl<T: 'static> Drop for Resident<T> {
    fn drop(&mut self) {
        // Closing a socket or a file is the kernel's work.
        let _untracked = crate::alloc::Untracked::new();
        // SAFETY: `value` is taken exactly once, here, and not used after.
        let value = unsafe { ManuallyDrop::take(&mut self.value.0) };
        if self.home.is_current() {
            // The common case, on the home thread while the runtime runs:
            // dropped here, with its static type.
            drop(value);
        } else {
            orphaned(&self.home, value);
        }
    }
}

/// Hands the value of a [`Resident`] dropped away from its running runtime
/// to its home (see [`Home::release_value`]).
#[cold]
#[inline(never)]
fn orphaned<T: 'static>(home: &Home, value: Rc<T>) {
    home.release_value(Orphan(ManuallyDrop::new(value as Rc<dyn Any>)));
}

impl<T: 'static> fmt::Debug for Resident<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resident")
            .field("what", &self.describe())
            .finish_non_exhaustive()
    }
}

/// A resident value whose handle was dropped: released (dropped) only by
/// its home thread, with [`Orphan::release`]; dropped anywhere else, it is
/// leaked rather than touched.
pub(crate) struct Orphan(ManuallyDrop<Rc<dyn Any>>);

// SAFETY: an `Orphan` is only a pointer in transit: the `Rc` is released
// on the home thread only (`Home::release_value` and the deferred queue
// guarantee it) and otherwise leaked by `Drop`.
unsafe impl Send for Orphan {}

impl Orphan {
    /// An orphan of a value whose handle is not a [`Resident`] (a
    /// `JoinHandle`); the same rules apply.
    pub(crate) fn new(value: Rc<dyn Any>) -> Orphan {
        Orphan(ManuallyDrop::new(value))
    }

    /// Drops the value. Call only on the home runtime's thread.
    pub(crate) fn release(mut self) {
        // SAFETY: taken once; `self` is forgotten by `Drop` below, which
        // then finds an empty `ManuallyDrop` it does not touch.
        let value = unsafe { ManuallyDrop::take(&mut self.0) };
        std::mem::forget(self);
        drop(value);
    }
}

impl Drop for Orphan {
    fn drop(&mut self) {
        // Not released by its home: leak the value, never touch its count
        // from a foreign thread.
    }
}

impl fmt::Debug for Orphan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Orphan")
    }
}

impl From<Orphan> for Deferred {
    fn from(orphan: Orphan) -> Deferred {
        Deferred::Value(orphan)
    }
}
