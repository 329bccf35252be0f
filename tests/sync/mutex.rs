//! `Mutex`: FIFO hand-over, `try_lock`, owned guards, cancellation.

use std::sync::Arc;

use detsim::Runtime;
use detsim::sync::{Mutex, oneshot};
use futures::FutureExt;

#[test]
fn waiters_get_the_lock_in_the_order_they_asked_for_it() {
    for seed in 0..20 {
        Runtime::sim(seed).block_on(async {
            let m = Arc::new(Mutex::new(Vec::new()));
            let guard = m.lock().await;
            let mut tasks = Vec::new();
            for n in 0..3 {
                let (queued, is_queued) = oneshot::channel();
                let m = m.clone();
                tasks.push(detsim::spawn(async move {
                    // Sent and queued in the same poll: once main hears of
                    // it, this task has its place.
                    queued.send(()).unwrap();
                    m.lock().await.push(n);
                }));
                is_queued.await.unwrap();
            }
            drop(guard);
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(*m.lock().await, [0, 1, 2], "seed {seed}");
        });
    }
}

#[test]
fn unlocking_hands_the_lock_to_a_waiter_before_the_unlocker_can_take_it_again() {
    Runtime::sim(1).block_on(async {
        let m = Arc::new(Mutex::new(0));
        let guard = m.lock().await;
        let (queued, is_queued) = oneshot::channel();
        let waiter = detsim::spawn({
            let m = m.clone();
            async move {
                let lock = m.lock();
                queued.send(()).unwrap();
                *lock.await += 1
            }
        });
        is_queued.await.unwrap(); // the waiter has queued
        drop(guard);
        assert!(m.try_lock().is_err(), "handed to the waiter, no barging");
        waiter.await.unwrap();
        assert_eq!(*m.try_lock().unwrap(), 1);
    });
}

#[test]
fn a_lock_future_dropped_while_waiting_neither_takes_nor_loses_the_lock() {
    Runtime::sim(1).block_on(async {
        let m = Mutex::new(0);
        let guard = m.lock().await;
        {
            let mut waiting = Box::pin(m.lock());
            assert!((&mut waiting).now_or_never().is_none());
        } // dropped while queued
        drop(guard);
        assert!(m.try_lock().is_ok(), "the lock is free again");
    });
}

#[test]
fn a_lock_granted_to_a_future_that_is_then_dropped_goes_to_the_next_waiter() {
    Runtime::sim(1).block_on(async {
        let m = Arc::new(Mutex::new(0));
        let guard = m.lock().await;
        let mut first = Box::pin(m.lock());
        assert!((&mut first).now_or_never().is_none(), "queued first");
        let (queued, is_queued) = oneshot::channel();
        let second = detsim::spawn({
            let m = m.clone();
            async move {
                let lock = m.lock();
                queued.send(()).unwrap();
                *lock.await += 1
            }
        });
        is_queued.await.unwrap(); // the second has queued
        drop(guard); // granted to `first`, which is never polled again
        drop(first); // ...and passes it on
        second.await.unwrap();
        assert_eq!(*m.lock().await, 1);
    });
}

#[test]
fn an_owned_guard_moves_into_another_task_and_unlocks_there() {
    Runtime::sim(1).block_on(async {
        let m = Arc::new(Mutex::new(String::from("a")));
        let mut guard = m.clone().lock_owned().await;
        assert!(Arc::clone(&m).try_lock_owned().is_err());
        detsim::spawn(async move { guard.push('b') }).await.unwrap();
        assert_eq!(*m.lock().await, "ab");
        assert_eq!(Arc::try_unwrap(m).unwrap().into_inner(), "ab");
    });
}

#[test]
fn the_value_is_reachable_without_locking_through_a_unique_borrow() {
    let mut m = Mutex::new(1);
    *m.get_mut() += 1;
    assert_eq!(format!("{m:?}"), "Mutex { name: None, data: 2 }");
    let named = Mutex::new(3).with_name("accounts");
    let guard = named.try_lock().unwrap();
    assert_eq!(
        format!("{named:?}"),
        "Mutex { name: Some(\"accounts\"), data: <locked> }"
    );
    drop(guard);
}

#[test]
fn the_lock_types_are_send_and_sync_like_tokios() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Mutex<Vec<u8>>>();
    send_sync::<detsim::sync::MutexGuard<'static, u8>>();
    send_sync::<detsim::sync::OwnedMutexGuard<u8>>();
    // A `Send` but not `Sync` value is fine inside a mutex.
    send_sync::<Mutex<std::cell::Cell<u8>>>();
    fn lock_future_is_send(m: &Mutex<u8>) -> impl Send + '_ {
        m.lock()
    }
    let _ = lock_future_is_send;
}
