//! [`Semaphore`]: a count of permits that tasks acquire and give back, in
//! FIFO order.

use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;

use crate::sync::deadlock::Op;
use crate::sync::error::{AcquireError, TryAcquireError};
use crate::sync::permits::{MAX_PERMITS, NotNow};
use crate::sync::sem_state::{Flavor, HoldId, SemShared};

/// A counting semaphore, as tokio's: tasks acquire permits and give them
/// back by dropping the [`SemaphorePermit`].
///
/// Waiters are served first in, first out: a task asking for many permits
/// is never overtaken by later tasks asking for fewer, and
/// [`try_acquire`](Semaphore::try_acquire) fails while anyone waits. A
/// waiting `acquire` future that is dropped gives back the permits it was
/// already assigned, to the next waiter.
///
/// In a deadlock report a task waiting here reads ``waits on Semaphore
/// `slots` for 2 permits (0 available; held: 1 by task `a` (acquired at
/// src/x.rs:9:30), ...)``: the holders are the tasks that acquired the
/// permits. Name it with [`with_name`](Semaphore::with_name); unnamed, it
/// is "Semaphore at" the place it was created.
///
/// ```
/// use detsim::sync::Semaphore;
/// use std::sync::Arc;
///
/// detsim::Runtime::sim(1).block_on(async {
///     let slots = Arc::new(Semaphore::new(2).with_name("slots"));
///     let a = slots.acquire().await.unwrap();
///     let _b = slots.clone().acquire_owned().await.unwrap();
///     assert!(slots.try_acquire().is_err(), "both permits are taken");
///     drop(a);
///     assert_eq!(slots.available_permits(), 1);
/// });
/// ```
pub struct Semaphore {
    shared: Arc<SemShared>,
}

/// Permits of a [`Semaphore`], given back when dropped.
#[must_use = "the permits are given back as soon as this is dropped"]
pub struct SemaphorePermit<'a> {
    sem: &'a Semaphore,
    hold: HoldId,
}

/// Permits of a [`Semaphore`] held through an `Arc`, given back when
/// dropped; from [`Semaphore::acquire_owned`].
#[must_use = "the permits are given back as soon as this is dropped"]
pub struct OwnedSemaphorePermit {
    sem: Arc<Semaphore>,
    hold: HoldId,
}

fn try_error(e: NotNow) -> TryAcquireError {
    match e {
        NotNow::Closed => TryAcquireError::Closed,
        NotNow::NoPermits => TryAcquireError::NoPermits,
    }
}

impl Semaphore {
    /// The most permits a semaphore may hold.
    pub const MAX_PERMITS: usize = MAX_PERMITS;

    /// A semaphore with `permits` permits, named in reports after the
    /// place it was created until [`with_name`](Semaphore::with_name).
    ///
    /// # Panics
    ///
    /// If `permits` exceeds [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            shared: SemShared::new(Flavor::Semaphore, permits, Location::caller()),
        }
    }

    /// Names the semaphore in deadlock reports (``Semaphore `slots` ``).
    ///
    /// ```
    /// let slots = detsim::sync::Semaphore::new(4).with_name("slots");
    /// # drop(slots);
    /// ```
    pub fn with_name(self, name: impl Into<String>) -> Semaphore {
        self.shared.set_name(name);
        self
    }

    /// The number of free permits.
    pub fn available_permits(&self) -> usize {
        self.shared.state().permits.available()
    }

    /// Adds `n` permits, serving waiters first.
    ///
    /// # Panics
    ///
    /// If the free permits would exceed [`Semaphore::MAX_PERMITS`].
    pub fn add_permits(&self, n: usize) {
        self.shared.add_permits(n);
    }

    /// Removes up to `n` free permits for good; returns how many.
    pub fn forget_permits(&self, n: usize) -> usize {
        self.shared.state().permits.forget(n)
    }

    /// Waits for one permit.
    ///
    /// Fails only if the semaphore is closed. Dropping the future gives
    /// back whatever it was assigned while it waited.
    ///
    /// ```
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let sem = detsim::sync::Semaphore::new(1);
    ///     let permit = sem.acquire().await.unwrap();
    ///     assert_eq!(sem.available_permits(), 0);
    ///     drop(permit);
    ///     assert_eq!(sem.available_permits(), 1);
    /// });
    /// ```
    #[track_caller]
    pub fn acquire(&self) -> impl Future<Output = Result<SemaphorePermit<'_>, AcquireError>> {
        self.acquire_n(1, Location::caller())
    }

    /// Waits for `n` permits at once.
    ///
    /// ```
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let sem = detsim::sync::Semaphore::new(5);
    ///     let permit = sem.acquire_many(3).await.unwrap();
    ///     assert_eq!(permit.num_permits(), 3);
    ///     assert_eq!(sem.available_permits(), 2);
    /// });
    /// ```
    #[track_caller]
    pub fn acquire_many(
        &self,
        n: u32,
    ) -> impl Future<Output = Result<SemaphorePermit<'_>, AcquireError>> {
        self.acquire_n(n, Location::caller())
    }

    fn acquire_n(
        &self,
        n: u32,
        at: &'static Location<'static>,
    ) -> impl Future<Output = Result<SemaphorePermit<'_>, AcquireError>> {
        let acquire = self.shared.acquire(n as usize, Op::Acquire(n), at);
        async move {
            let hold = acquire.await.map_err(|_| AcquireError(()))?;
            Ok(SemaphorePermit { sem: self, hold })
        }
    }

    /// One permit now, if one is free and nobody waits.
    #[track_caller]
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// `n` permits now, if they are free and nobody waits.
    #[track_caller]
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        let hold = self
            .shared
            .try_acquire(n as usize, Location::caller())
            .map_err(try_error)?;
        Ok(SemaphorePermit { sem: self, hold })
    }

    /// Like [`acquire`](Semaphore::acquire), for a semaphore in an `Arc`:
    /// the permit keeps it alive.
    #[track_caller]
    pub fn acquire_owned(
        self: Arc<Self>,
    ) -> impl Future<Output = Result<OwnedSemaphorePermit, AcquireError>> {
        self.acquire_many_owned_at(1, Location::caller())
    }

    /// Like [`acquire_many`](Semaphore::acquire_many), for a semaphore in
    /// an `Arc`.
    #[track_caller]
    pub fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> impl Future<Output = Result<OwnedSemaphorePermit, AcquireError>> {
        self.acquire_many_owned_at(n, Location::caller())
    }

    async fn acquire_many_owned_at(
        self: Arc<Self>,
        n: u32,
        at: &'static Location<'static>,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        let hold = self
            .shared
            .acquire(n as usize, Op::Acquire(n), at)
            .await
            .map_err(|_| AcquireError(()))?;
        Ok(OwnedSemaphorePermit { sem: self, hold })
    }

    /// Like [`try_acquire`](Semaphore::try_acquire), for a semaphore in an
    /// `Arc`.
    #[track_caller]
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// Like [`try_acquire_many`](Semaphore::try_acquire_many), for a
    /// semaphore in an `Arc`.
    #[track_caller]
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        let hold = self
            .shared
            .try_acquire(n as usize, Location::caller())
            .map_err(try_error)?;
        Ok(OwnedSemaphorePermit { sem: self, hold })
    }

    /// Closes the semaphore: every waiting and later `acquire` fails, and
    /// `try_acquire` returns [`TryAcquireError::Closed`]. Permits already
    /// held stay valid.
    ///
    /// ```
    /// detsim::Runtime::sim(1).block_on(async {
    ///     let sem = detsim::sync::Semaphore::new(0);
    ///     sem.close();
    ///     assert!(sem.acquire().await.is_err());
    ///     assert!(sem.is_closed());
    /// });
    /// ```
    pub fn close(&self) {
        self.shared.close();
    }

    /// Whether [`close`](Semaphore::close) was called.
    pub fn is_closed(&self) -> bool {
        self.shared.state().permits.is_closed()
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("name", &self.shared.name())
            .field("permits", &self.available_permits())
            .finish()
    }
}

impl SemaphorePermit<'_> {
    /// Keeps the permits out of the semaphore for good.
    pub fn forget(self) {
        // Its hold is gone, so the drop that follows gives nothing back.
        self.sem.shared.forget(self.hold);
    }

    /// How many permits this is.
    pub fn num_permits(&self) -> usize {
        self.sem.shared.permits_of(self.hold)
    }

    /// Takes `other`'s permits into this one.
    ///
    /// # Panics
    ///
    /// If `other` belongs to another semaphore.
    pub fn merge(&mut self, other: Self) {
        assert!(
            std::ptr::eq(self.sem, other.sem),
            "merging permits of two different semaphores"
        );
        // `other`'s hold is gone, so its drop gives nothing back.
        self.sem.shared.merge(self.hold, other.hold);
    }

    /// Splits `n` permits off into a new permit; `None` if this has fewer.
    pub fn split(&mut self, n: usize) -> Option<Self> {
        let hold = self.sem.shared.split(self.hold, n)?;
        Some(SemaphorePermit {
            sem: self.sem,
            hold,
        })
    }

    /// The semaphore the permits belong to.
    pub fn semaphore(&self) -> &Semaphore {
        self.sem
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.sem.shared.release(self.hold);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.num_permits())
            .finish()
    }
}

impl OwnedSemaphorePermit {
    /// Keeps the permits out of the semaphore for good.
    pub fn forget(self) {
        // Its hold is gone, so the drop that follows gives nothing back.
        self.sem.shared.forget(self.hold);
    }

    /// How many permits this is.
    pub fn num_permits(&self) -> usize {
        self.sem.shared.permits_of(self.hold)
    }

    /// Takes `other`'s permits into this one.
    ///
    /// # Panics
    ///
    /// If `other` belongs to another semaphore.
    pub fn merge(&mut self, other: Self) {
        assert!(
            Arc::ptr_eq(&self.sem, &other.sem),
            "merging permits of two different semaphores"
        );
        // `other`'s hold is gone, so its drop gives nothing back.
        self.sem.shared.merge(self.hold, other.hold);
    }

    /// Splits `n` permits off into a new permit; `None` if this has fewer.
    pub fn split(&mut self, n: usize) -> Option<Self> {
        let hold = self.sem.shared.split(self.hold, n)?;
        Some(OwnedSemaphorePermit {
            sem: Arc::clone(&self.sem),
            hold,
        })
    }

    /// The semaphore the permits belong to.
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.sem
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.sem.shared.release(self.hold);
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.num_permits())
            .finish()
    }
}
