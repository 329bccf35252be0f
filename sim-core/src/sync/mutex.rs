//! [`Mutex`]: an async lock whose guard may be held across `.await`.

use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::sync::Arc;

use crate::sync::deadlock::Op;
use crate::sync::error::TryLockError;
use crate::sync::sem_state::{Flavor, HoldId, SemShared};

/// An async mutual-exclusion lock, as tokio's: [`lock`](Mutex::lock)
/// waits without blocking the thread, and the guard may be held across
/// `.await`.
///
/// Tasks get the lock in the order they asked for it (FIFO): unlocking
/// hands it to the oldest waiter, so a task that unlocks and locks again
/// at once queues behind the others. A `lock` future dropped while it
/// waits leaves the queue without taking or losing the lock.
///
/// In a deadlock report a task waiting here reads ``waits on Mutex
/// `accounts` (held by task `b`, locked at src/x.rs:12:9)``: the holder
/// is the task that locked it and the place it called `lock`. Name the
/// mutex with [`with_name`](Mutex::with_name); unnamed, it is "Mutex at"
/// the place it was created.
///
/// ```
/// use detsim::sync::Mutex;
/// use std::sync::Arc;
///
/// detsim::Runtime::sim(1).block_on(async {
///     let count = Arc::new(Mutex::new(0).with_name("count"));
///     let tasks: Vec<_> = (0..3)
///         .map(|_| {
///             let count = count.clone();
///             detsim::spawn(async move {
///                 let mut n = count.lock().await;
///                 detsim::task::yield_now().await; // held across an await
///                 *n += 1;
///             })
///         })
///         .collect();
///     for t in tasks {
///         t.await.unwrap();
///     }
///     assert_eq!(*count.lock().await, 3);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    sem: Arc<SemShared>,
    value: UnsafeCell<T>,
}

// SAFETY: the value is reached only through a guard, and the semaphore
// hands out one guard at a time; moving the mutex moves the value.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as above: `&Mutex` gives `&mut T` to one guard at a time, on
// whatever thread holds it, so `T: Send` suffices (as for std's Mutex).
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

/// Access to a [`Mutex`]'s value; unlocks when dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
    hold: HoldId,
}

// SAFETY: sharing the guard shares `&T` only.
unsafe impl<T: ?Sized + Send + Sync> Sync for MutexGuard<'_, T> {}

/// Access to a [`Mutex`] held through an `Arc`; unlocks when dropped.
/// From [`Mutex::lock_owned`]: it may outlive the borrow and move into
/// another task.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMutexGuard<T: ?Sized> {
    lock: Arc<Mutex<T>>,
    hold: HoldId,
}

// SAFETY: sharing the guard shares `&T` only.
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedMutexGuard<T> {}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`, named in reports after the place
    /// it was created until [`with_name`](Mutex::with_name).
    #[track_caller]
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            sem: SemShared::new(Flavor::Mutex, 1, Location::caller()),
            value: UnsafeCell::new(value),
        }
    }

    /// Names the mutex in deadlock reports (``Mutex `accounts` ``).
    ///
    /// ```
    /// let accounts = detsim::sync::Mutex::new(vec![100, 50]).with_name("accounts");
    /// # drop(accounts);
    /// ```
    pub fn with_name(self, name: impl Into<String>) -> Mutex<T> {
        self.sem.set_name(name);
        self
    }

    /// The value, consuming the mutex.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock, in FIFO order.
    ///
    /// ```
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let m = detsim::sync::Mutex::new(vec![1]);
    ///     m.lock().await.push(2);
    ///     assert_eq!(*m.lock().await, [1, 2]);
    /// });
    /// ```
    #[track_caller]
    pub fn lock(&self) -> impl Future<Output = MutexGuard<'_, T>> {
        let acquire = self.sem.acquire(1, Op::Lock, Location::caller());
        async move {
            let hold = acquire.await.expect("a mutex is never closed");
            MutexGuard { lock: self, hold }
        }
    }

    /// Like [`lock`](Mutex::lock), for a mutex in an `Arc`: the guard
    /// keeps it alive and may move into another task.
    ///
    /// ```
    /// use detsim::sync::Mutex;
    /// use std::sync::Arc;
    ///
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let m = Arc::new(Mutex::new(1));
    ///     let mut guard = m.clone().lock_owned().await;
    ///     detsim::spawn(async move { *guard += 1 }).await.unwrap();
    ///     assert_eq!(*m.lock().await, 2);
    /// });
    /// ```
    #[track_caller]
    pub fn lock_owned(self: Arc<Self>) -> impl Future<Output = OwnedMutexGuard<T>> {
        let at = Location::caller();
        async move {
            let hold = self
                .sem
                .acquire(1, Op::Lock, at)
                .await
                .expect("a mutex is never closed");
            OwnedMutexGuard { lock: self, hold }
        }
    }

    /// The lock now, if it is free and nobody waits for it.
    ///
    /// ```
    /// let m = detsim::sync::Mutex::new(1);
    /// let guard = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(guard);
    /// assert!(m.try_lock().is_ok());
    /// ```
    #[track_caller]
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.sem.try_acquire(1, Location::caller()) {
            Ok(hold) => Ok(MutexGuard { lock: self, hold }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Like [`try_lock`](Mutex::try_lock), for a mutex in an `Arc`.
    #[track_caller]
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        match self.sem.try_acquire(1, Location::caller()) {
            Ok(hold) => Ok(OwnedMutexGuard { lock: self, hold }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// The value, through a unique borrow of the mutex (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

impl<T: Default> Default for Mutex<T> {
    #[track_caller]
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    #[track_caller]
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        d.field("name", &self.sem.name());
        match self.try_lock() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.lock
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard holds the mutex's only permit.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard holds the mutex's only permit.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(self.hold);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The mutex this guard locks.
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.lock
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: this guard holds the mutex's only permit.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: this guard holds the mutex's only permit.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.lock.sem.release(self.hold);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
