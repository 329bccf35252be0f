//! Objects that live in their runtime and are reached through a `Send +
//! Sync` handle: [`Resident`], and the runtime's object table behind it.
//!
//! A simulated socket or file is runtime state: buffers, readiness, links
//! to the network, all in `Rc`s. The handle a user holds is a key into the
//! runtime's object table plus the runtime's [`Home`], so the handle can go
//! wherever tokio's would (into a `Send` future, an `Arc`, another thread)
//! while the object itself never leaves the runtime's thread. See
//! `home.rs` for the same-runtime check and deferred drops.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::rc::Rc;

use crate::kernel::ResourceId;
use crate::runtime::home::{Deferred, Home};
use crate::runtime::{RuntimeInner, context};

/// A key of the object table: slot index plus the generation that makes a
/// stale key miss instead of reaching the slot's next occupant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ObjectKey {
    index: u32,
    generation: u32,
}

struct Slot {
    generation: u32,
    value: Option<Rc<dyn Any>>,
}

/// The runtime's object table. Bounded by the objects alive: a slot is
/// reused as soon as its handle drops.
#[derive(Default)]
pub(crate) struct Objects {
    slots: Vec<Slot>,
    free: Vec<u32>,
}

impl Objects {
    fn insert(&mut self, value: Rc<dyn Any>) -> ObjectKey {
        match self.free.pop() {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                slot.value = Some(value);
                ObjectKey {
                    index,
                    generation: slot.generation,
                }
            }
            None => {
                let index =
                    u32::try_from(self.slots.len()).expect("fewer than 2^32 live IO objects");
                self.slots.push(Slot {
                    generation: 0,
                    value: Some(value),
                });
                ObjectKey {
                    index,
                    generation: 0,
                }
            }
        }
    }

    fn get(&self, key: ObjectKey) -> Option<&Rc<dyn Any>> {
        self.slots
            .get(key.index as usize)
            .filter(|s| s.generation == key.generation)
            .and_then(|s| s.value.as_ref())
    }

    /// Takes the object out; the caller drops it after releasing the
    /// table, since its `Drop` may create or drop other objects.
    pub(crate) fn remove(&mut self, key: ObjectKey) -> Option<Rc<dyn Any>> {
        let slot = self
            .slots
            .get_mut(key.index as usize)
            .filter(|s| s.generation == key.generation && s.value.is_some())?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(key.index);
        slot.value.take()
    }

    /// Takes every object out, for teardown.
    pub(crate) fn take_all(&mut self) -> Vec<Rc<dyn Any>> {
        self.free.clear();
        let all = self
            .slots
            .iter_mut()
            .filter_map(|s| s.value.take())
            .collect();
        self.slots.clear();
        all
    }
}

/// A value that lives in the runtime it was created in, held through a
/// `Send + Sync` handle: how detsim's sockets and files are `Send` although
/// the simulation is single-threaded.
///
/// The value stays on the runtime's thread. [`Resident::get`] checks that
/// the runtime running on the calling thread is the one that created the
/// value, and panics otherwise, with a message naming both runtimes.
/// Dropping the handle drops the value: at once on the runtime's thread,
/// or at the runtime's next loop turn if the handle is dropped elsewhere
/// (another thread, or between two `block_on` calls).
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
    key: ObjectKey,
    home: Home,
    what: &'static str,
    /// With `what`, the name in misuse messages: `udp#3`.
    number: Option<u64>,
    _value: PhantomData<fn() -> T>,
}

impl<T: 'static> Resident<T> {
    /// Moves `value` into the current runtime; `what` names it in misuse
    /// messages ("TcpStream").
    ///
    /// # Panics
    ///
    /// Outside a detsim runtime.
    #[track_caller]
    pub fn new(what: &'static str, value: T) -> Resident<T> {
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
        let mut resident = Resident::new(kind, value);
        resident.number = Some(id.as_u64());
        resident
    }

    pub(crate) fn in_runtime(rt: &RuntimeInner, what: &'static str, value: Rc<T>) -> Resident<T> {
        let key = rt.objects.borrow_mut().insert(value);
        Resident {
            key,
            home: Home::of(rt),
            what,
            number: None,
            _value: PhantomData,
        }
    }

    /// Names the value `what#number` in misuse messages.
    pub(crate) fn numbered(mut self, number: u64) -> Resident<T> {
        self.number = Some(number);
        self
    }

    fn describe(&self) -> String {
        match self.number {
            Some(n) => format!("{}#{n}", self.what),
            None => self.what.to_string(),
        }
    }

    /// The value.
    ///
    /// # Panics
    ///
    /// Unless the runtime that created it runs on this thread now.
    #[inline]
    #[track_caller]
    pub fn get(&self) -> Rc<T> {
        self.with_runtime(|_, value| value)
    }

    /// The value, if the runtime that created it runs on this thread now
    /// (for `Drop` and `Debug` impls, which must not panic).
    pub fn try_get(&self) -> Option<Rc<T>> {
        context::with_current(|current| match current {
            Some(rt) if self.home.is(rt) => rt
                .objects
                .borrow()
                .get(self.key)
                .map(Rc::clone)
                .and_then(|v| v.downcast().ok()),
            _ => None,
        })
    }

    /// Calls `f` with the home runtime and the value.
    #[inline]
    #[track_caller]
    pub(crate) fn with_runtime<R>(&self, f: impl FnOnce(&Rc<RuntimeInner>, Rc<T>) -> R) -> R {
        self.home.with(
            || self.describe(),
            |rt| {
                let value = rt.objects.borrow().get(self.key).map(Rc::clone);
                match value {
                    Some(value) => f(
                        rt,
                        value
                            .downcast()
                            .expect("an object key is only ever handed out for its own type"),
                    ),
                    None => torn_down(&self.describe()),
                }
            },
        )
    }
}

/// A key misses only during teardown: the table is emptied while the
/// runtime is still current, and a user `Drop` impl may reach a sibling.
#[cold]
#[track_caller]
fn torn_down(what: &str) -> ! {
    panic!("detsim: {what} was used while its runtime was being torn down")
}

impl<T: 'static> Drop for Resident<T> {
    fn drop(&mut self) {
        let key = self.key;
        self.home.release(
            |rt| {
                let value = rt.objects.borrow_mut().remove(key);
                drop(value);
            },
            Deferred::Object(key),
        );
    }
}

impl<T: 'static> fmt::Debug for Resident<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Resident")
            .field("what", &self.what)
            .finish_non_exhaustive()
    }
}
