//! [`RwLock`] itself: acquiring read and write access.

use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use super::guards::{
    OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLockReadGuard, RwLockWriteGuard,
};
use crate::sync::deadlock::Op;
use crate::sync::error::TryLockError;
use crate::sync::sem_state::{Flavor, HoldId, SemShared};

/// The most readers a lock admits at once by default, as in tokio.
const MAX_READS: u32 = u32::MAX >> 3;

/// An async reader-writer lock, as tokio's: many readers or one writer,
/// and the guards may be held across `.await`.
///
/// The lock is fair: requests are served in the order they were made
/// (FIFO). A reader that arrives while a writer waits queues behind the
/// writer, so a steady stream of readers cannot starve writers. Internally
/// a reader takes one of `max_readers` permits and a writer takes them
/// all, on the same FIFO permits as [`Semaphore`](crate::sync::Semaphore).
/// A request dropped while it waits leaves the queue without losing what
/// it was assigned.
///
/// In a deadlock report a task waiting here reads ``waits on RwLock `cfg`
/// to write (held for reading by task `a` at src/x.rs:4:20)``. Name the
/// lock with [`with_name`](RwLock::with_name).
///
/// ```
/// use detsim::sync::RwLock;
///
/// detsim::Runtime::sim(1).block_on(async {
///     let lock = RwLock::new(5).with_name("config");
///     {
///         let r1 = lock.read().await;
///         let r2 = lock.read().await;
///         assert_eq!(*r1 + *r2, 10);
///         assert!(lock.try_write().is_err(), "readers hold it");
///     }
///     *lock.write().await += 1;
///     assert_eq!(*lock.read().await, 6);
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    pub(super) sem: Arc<SemShared>,
    max_readers: u32,
    pub(super) value: UnsafeCell<T>,
}

// SAFETY: the value moves with the lock.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: `&RwLock` gives `&T` to many readers at once (needs `T: Sync`)
// and `&mut T` to one writer on any thread (needs `T: Send`).
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    /// An unlocked lock holding `value`, named in reports after the place
    /// it was created until [`with_name`](RwLock::with_name).
    #[track_caller]
    pub fn new(value: T) -> RwLock<T> {
        RwLock::with_max_readers_at(value, MAX_READS, Location::caller())
    }

    /// A lock that admits at most `max_reads` readers at once.
    ///
    /// # Panics
    ///
    /// If `max_reads` is 0 or more than `u32::MAX >> 3`.
    #[track_caller]
    pub fn with_max_readers(value: T, max_reads: u32) -> RwLock<T> {
        assert!(
            max_reads <= MAX_READS,
            "a RwLock may not be created with more than {MAX_READS} readers"
        );
        assert!(max_reads > 0, "a RwLock must admit at least one reader");
        RwLock::with_max_readers_at(value, max_reads, Location::caller())
    }

    fn with_max_readers_at(value: T, max_readers: u32, at: &'static Location<'static>) -> Self {
        RwLock {
            sem: SemShared::new(Flavor::RwLock { max_readers }, max_readers as usize, at),
            max_readers,
            value: UnsafeCell::new(value),
        }
    }

    /// Names the lock in deadlock reports (``RwLock `config` ``).
    pub fn with_name(self, name: impl Into<String>) -> RwLock<T> {
        self.sem.set_name(name);
        self
    }

    /// The value, consuming the lock.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    fn try_acquire(&self, n: u32, at: &'static Location<'static>) -> Result<HoldId, TryLockError> {
        self.sem
            .try_acquire(n as usize, at)
            .map_err(|_| TryLockError(()))
    }

    /// Waits for shared read access, in FIFO order.
    ///
    /// ```
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let lock = detsim::sync::RwLock::new(1);
    ///     let (a, b) = (lock.read().await, lock.read().await);
    ///     assert_eq!(*a + *b, 2);
    /// });
    /// ```
    #[track_caller]
    pub fn read(&self) -> impl Future<Output = RwLockReadGuard<'_, T>> {
        let acquire = self.sem.acquire(1, Op::Read, Location::caller());
        async move {
            let hold = acquire.await.expect("a RwLock is never closed");
            RwLockReadGuard::new(self, hold)
        }
    }

    /// Waits for exclusive write access, in FIFO order.
    ///
    /// ```
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let lock = detsim::sync::RwLock::new(1);
    ///     *lock.write().await += 1;
    ///     assert_eq!(*lock.read().await, 2);
    /// });
    /// ```
    #[track_caller]
    pub fn write(&self) -> impl Future<Output = RwLockWriteGuard<'_, T>> {
        let n = self.max_readers as usize;
        let acquire = self.sem.acquire(n, Op::Write, Location::caller());
        async move {
            let hold = acquire.await.expect("a RwLock is never closed");
            RwLockWriteGuard::new(self, hold)
        }
    }

    /// Read access now, if no writer holds the lock or waits for it.
    #[track_caller]
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        let hold = self.try_acquire(1, Location::caller())?;
        Ok(RwLockReadGuard::new(self, hold))
    }

    /// Write access now, if nobody holds the lock or waits for it.
    #[track_caller]
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        let hold = self.try_acquire(self.max_readers, Location::caller())?;
        Ok(RwLockWriteGuard::new(self, hold))
    }

    /// Like [`read`](RwLock::read), for a lock in an `Arc`: the guard
    /// keeps it alive.
    #[track_caller]
    pub fn read_owned(self: Arc<Self>) -> impl Future<Output = OwnedRwLockReadGuard<T>> {
        let at = Location::caller();
        async move {
            let hold = self
                .sem
                .acquire(1, Op::Read, at)
                .await
                .expect("a RwLock is never closed");
            OwnedRwLockReadGuard::new(self, hold)
        }
    }

    /// Like [`write`](RwLock::write), for a lock in an `Arc`: the guard
    /// keeps it alive.
    #[track_caller]
    pub fn write_owned(self: Arc<Self>) -> impl Future<Output = OwnedRwLockWriteGuard<T>> {
        let at = Location::caller();
        async move {
            let n = self.max_readers as usize;
            let hold = self
                .sem
                .acquire(n, Op::Write, at)
                .await
                .expect("a RwLock is never closed");
            OwnedRwLockWriteGuard::new(self, hold)
        }
    }

    /// Like [`try_read`](RwLock::try_read), for a lock in an `Arc`.
    #[track_caller]
    pub fn try_read_owned(self: Arc<Self>) -> Result<OwnedRwLockReadGuard<T>, TryLockError> {
        let hold = self.try_acquire(1, Location::caller())?;
        Ok(OwnedRwLockReadGuard::new(self, hold))
    }

    /// Like [`try_write`](RwLock::try_write), for a lock in an `Arc`.
    #[track_caller]
    pub fn try_write_owned(self: Arc<Self>) -> Result<OwnedRwLockWriteGuard<T>, TryLockError> {
        let hold = self.try_acquire(self.max_readers, Location::caller())?;
        Ok(OwnedRwLockWriteGuard::new(self, hold))
    }

    /// The value, through a unique borrow of the lock (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

impl<T: Default> Default for RwLock<T> {
    #[track_caller]
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    #[track_caller]
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        d.field("name", &self.sem.name());
        match self.try_read() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}
