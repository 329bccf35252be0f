//! `Notify`: tokio's permit semantics, FIFO wakes, and notifications that
//! survive cancellation.

use std::pin::pin;
use std::sync::Arc;

use detsim::Runtime;
use detsim::sync::{Notify, oneshot};
use futures::FutureExt;

#[test]
fn notify_one_before_anyone_waits_stores_exactly_one_permit() {
    Runtime::sim(1).block_on(async {
        let notify = Notify::new();
        notify.notify_one();
        notify.notify_one();
        notify.notified().await; // the stored permit
        assert!(
            notify.notified().now_or_never().is_none(),
            "only one was stored"
        );
    });
}

#[test]
fn notify_waiters_reaches_only_tasks_already_waiting_and_stores_nothing() {
    Runtime::sim(1).block_on(async {
        let notify = Notify::new();
        let mut created_before = pin!(notify.notified());
        notify.notify_waiters();
        assert!(
            created_before.as_mut().now_or_never().is_some(),
            "a Notified created before the call completes, polled or not"
        );
        assert!(notify.notified().now_or_never().is_none(), "nothing stored");
    });
}

#[test]
fn notify_one_wakes_the_oldest_waiter_and_notify_last_the_newest() {
    Runtime::sim(1).block_on(async {
        let notify = Notify::new();
        let mut first = pin!(notify.notified());
        let mut second = pin!(notify.notified());
        let mut third = pin!(notify.notified());
        for n in [first.as_mut(), second.as_mut(), third.as_mut()] {
            assert!(!n.enable());
        }
        notify.notify_one();
        assert!(second.as_mut().now_or_never().is_none());
        assert!(first.as_mut().now_or_never().is_some());
        notify.notify_last();
        assert!(second.as_mut().now_or_never().is_none());
        assert!(third.as_mut().now_or_never().is_some());
    });
}

#[test]
fn a_notified_future_dropped_after_notify_one_passes_the_notification_on() {
    Runtime::sim(1).block_on(async {
        let notify = Arc::new(Notify::new());
        {
            let mut doomed = Box::pin(notify.notified());
            assert!(!doomed.as_mut().enable());
            let (queued, is_queued) = oneshot::channel();
            let other = detsim::spawn({
                let notify = notify.clone();
                async move {
                    let n = notify.notified();
                    queued.send(()).unwrap();
                    n.await
                }
            });
            is_queued.await.unwrap();
            detsim::task::yield_now().await;
            notify.notify_one(); // goes to `doomed`, the oldest
            drop(doomed); // never returned it: passed to `other`
            other.await.unwrap();
        }
        // With nobody waiting, a passed-on notification becomes the permit.
        let mut lone = Box::pin(notify.notified());
        assert!(!lone.as_mut().enable());
        notify.notify_one();
        drop(lone);
        notify.notified().await;
    });
}

#[test]
fn an_owned_notified_keeps_the_notify_alive() {
    Runtime::sim(1).block_on(async {
        let notify = Arc::new(Notify::new());
        let waiter = detsim::spawn(notify.clone().notified_owned());
        detsim::task::yield_now().await;
        notify.notify_waiters();
        waiter.await.unwrap();
    });
}
