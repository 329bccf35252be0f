//! The guards of [`RwLock`]: read and write access, borrowed or owned
//! through an `Arc`. Each holds permits of the lock and gives them back
//! when dropped.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use super::lock::RwLock;
use crate::sync::sem_state::HoldId;

/// Shared read access to an [`RwLock`]; released when dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    hold: HoldId,
}

/// Exclusive write access to an [`RwLock`]; released when dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    hold: HoldId,
}

/// Read access to an [`RwLock`] in an `Arc`, from
/// [`RwLock::read_owned`]; released when dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockReadGuard<T: ?Sized> {
    lock: Arc<RwLock<T>>,
    hold: HoldId,
}

/// Write access to an [`RwLock`] in an `Arc`, from
/// [`RwLock::write_owned`]; released when dropped.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedRwLockWriteGuard<T: ?Sized> {
    lock: Arc<RwLock<T>>,
    hold: HoldId,
}

// SAFETY (all four): sharing a guard shares `&T`, which needs `T: Sync`;
// the lock itself is only `Sync` for `T: Send + Sync`.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockReadGuard<'_, T> {}
// SAFETY: see above.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLockWriteGuard<'_, T> {}
// SAFETY: see above.
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedRwLockReadGuard<T> {}
// SAFETY: see above.
unsafe impl<T: ?Sized + Send + Sync> Sync for OwnedRwLockWriteGuard<T> {}

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    pub(super) fn new(lock: &'a RwLock<T>, hold: HoldId) -> Self {
        RwLockReadGuard { lock, hold }
    }
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    pub(super) fn new(lock: &'a RwLock<T>, hold: HoldId) -> Self {
        RwLockWriteGuard { lock, hold }
    }

    /// Turns write access into read access without letting any writer in
    /// between; readers queued behind this writer may then enter.
    ///
    /// ```
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let lock = detsim::sync::RwLock::new(1);
    ///     let mut w = lock.write().await;
    ///     *w = 2;
    ///     let r = w.downgrade();
    ///     assert_eq!(*r, 2);
    ///     assert!(lock.try_read().is_ok(), "other readers may enter");
    /// });
    /// ```
    pub fn downgrade(self) -> RwLockReadGuard<'a, T> {
        let read = self
            .lock
            .sem
            .split(self.hold, 1)
            .expect("a write guard holds every permit");
        let lock = self.lock;
        // Gives back all the write permits but the one kept for reading.
        drop(self);
        RwLockReadGuard { lock, hold: read }
    }
}

impl<T: ?Sized> OwnedRwLockReadGuard<T> {
    pub(super) fn new(lock: Arc<RwLock<T>>, hold: HoldId) -> Self {
        OwnedRwLockReadGuard { lock, hold }
    }

    /// The lock this guard reads.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }
}

impl<T: ?Sized> OwnedRwLockWriteGuard<T> {
    pub(super) fn new(lock: Arc<RwLock<T>>, hold: HoldId) -> Self {
        OwnedRwLockWriteGuard { lock, hold }
    }

    /// The lock this guard writes.
    pub fn rwlock(this: &Self) -> &Arc<RwLock<T>> {
        &this.lock
    }

    /// Turns write access into read access without letting any writer in
    /// between, as [`RwLockWriteGuard::downgrade`] does.
    pub fn downgrade(self) -> OwnedRwLockReadGuard<T> {
        let read = self
            .lock
            .sem
            .split(self.hold, 1)
            .expect("a write guard holds every permit");
        let lock = Arc::clone(&self.lock);
        drop(self);
        OwnedRwLockReadGuard { lock, hold: read }
    }
}

macro_rules! guard_impls {
    ($guard:ident $(<$l:lifetime>)?, mut: $mutable:tt) => {
        impl<T: ?Sized> Deref for $guard<$($l,)? T> {
            type Target = T;
            fn deref(&self) -> &T {
                // SAFETY: the guard's permits exclude every writer (and,
                // for a write guard, every reader).
                unsafe { &*self.lock.value.get() }
            }
        }

        impl<T: ?Sized> Drop for $guard<$($l,)? T> {
            fn drop(&mut self) {
                self.lock.sem.release(self.hold);
            }
        }

        impl<T: ?Sized + fmt::Debug> fmt::Debug for $guard<$($l,)? T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&**self, f)
            }
        }

        impl<T: ?Sized + fmt::Display> fmt::Display for $guard<$($l,)? T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&**self, f)
            }
        }

        guard_impls!(@mut $mutable $guard $(<$l>)?);
    };
    (@mut true $guard:ident $(<$l:lifetime>)?) => {
        impl<T: ?Sized> DerefMut for $guard<$($l,)? T> {
            fn deref_mut(&mut self) -> &mut T {
                // SAFETY: a write guard holds every permit of the lock.
                unsafe { &mut *self.lock.value.get() }
            }
        }
    };
    (@mut false $guard:ident $(<$l:lifetime>)?) => {};
}

guard_impls!(RwLockReadGuard<'_>, mut: false);
guard_impls!(RwLockWriteGuard<'_>, mut: true);
guard_impls!(OwnedRwLockReadGuard, mut: false);
guard_impls!(OwnedRwLockWriteGuard, mut: true);
