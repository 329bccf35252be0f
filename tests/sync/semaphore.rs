//! `Semaphore`: FIFO without barging, cancellation, closing, permits.

use std::sync::Arc;

use detsim::Runtime;
use detsim::sync::{Semaphore, TryAcquireError, oneshot};
use futures::FutureExt;

#[test]
fn a_waiter_for_many_permits_is_not_overtaken_by_later_small_ones() {
    Runtime::sim(1).block_on(async {
        let sem = Arc::new(Semaphore::new(2));
        let mut held = sem.acquire_many(2).await.unwrap();
        let (queued, is_queued) = oneshot::channel();
        let big = detsim::spawn({
            let sem = sem.clone();
            async move {
                queued.send(()).unwrap();
                sem.acquire_many(2).await.unwrap().forget();
                "big"
            }
        });
        is_queued.await.unwrap();
        let small = detsim::spawn({
            let sem = sem.clone();
            async move {
                let _p = sem.acquire().await.unwrap();
                "small"
            }
        });
        drop(held.split(1)); // one permit back: not enough for the big one
        assert_eq!(sem.available_permits(), 0, "assigned to the big waiter");
        assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
        drop(held);
        assert_eq!(big.await.unwrap(), "big");
        sem.add_permits(1);
        assert_eq!(small.await.unwrap(), "small");
    });
}

#[test]
fn an_acquire_dropped_while_waiting_returns_its_partial_assignment() {
    Runtime::sim(1).block_on(async {
        let sem = Semaphore::new(3);
        let one = sem.acquire().await.unwrap();
        {
            let mut many = Box::pin(sem.acquire_many(3));
            assert!((&mut many).now_or_never().is_none(), "2 of 3 assigned");
            assert_eq!(sem.available_permits(), 0);
        }
        assert_eq!(sem.available_permits(), 2, "the 2 assigned came back");
        drop(one);
        assert_eq!(sem.available_permits(), 3);
    });
}

#[test]
fn closing_fails_waiters_and_later_acquires_but_keeps_held_permits() {
    Runtime::sim(1).block_on(async {
        let sem = Arc::new(Semaphore::new(1));
        let held = sem.acquire().await.unwrap();
        let waiter = detsim::spawn({
            let sem = sem.clone();
            async move { sem.acquire().await.map(|p| p.num_permits()) }
        });
        detsim::task::yield_now().await;
        sem.close();
        assert!(waiter.await.unwrap().is_err());
        assert!(sem.acquire().await.is_err());
        assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
        assert_eq!(held.num_permits(), 1);
        assert!(sem.is_closed());
    });
}

#[test]
fn permits_merge_split_and_forget() {
    let sem = Arc::new(Semaphore::new(5));
    let mut a = sem.try_acquire_many(2).unwrap();
    let b = sem.try_acquire().unwrap();
    a.merge(b);
    assert_eq!(a.num_permits(), 3);
    let c = a.split(2).unwrap();
    assert!(a.split(2).is_none());
    c.forget();
    drop(a);
    assert_eq!(sem.available_permits(), 3, "2 forgotten for good");
    assert_eq!(sem.forget_permits(10), 3);
    let owned = sem.clone().try_acquire_owned();
    assert!(owned.is_err());
    sem.add_permits(1);
    let owned = sem.clone().try_acquire_owned().unwrap();
    assert!(Arc::ptr_eq(owned.semaphore(), &sem));
}
