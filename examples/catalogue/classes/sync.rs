//! Locks and notifications used as if tasks ran in the order they were
//! written: two transfers that lock two accounts in opposite orders, and
//! a worker that waits for a notification sent before it waited. Both use
//! `detsim::sync`, so the deadlock report names the `Mutex` and its
//! holder, or the `Notify` and the `notify_waiters` nobody heard.

use std::cell::Cell;
use std::rc::Rc;

use detsim::sync::{Mutex, Notify};
use detsim::task::{self, Builder};

/// Moves `amount` from account `from` to account `to`, locking both. The
/// buggy transfer locks `from` first; the fixed one locks the lower
/// index first, so every task takes the locks in one global order.
async fn transfer(accounts: &[Mutex<i64>; 2], from: usize, to: usize, amount: i64, fixed: bool) {
    let (first, second) = if fixed && from > to {
        (to, from)
    } else {
        (from, to)
    };
    let mut a = accounts[first].lock().await;
    // An await while holding the first lock (an audit record written,
    // a metric flushed): where the other transfer gets its first lock.
    task::yield_now().await;
    let mut b = accounts[second].lock().await;
    let (from_balance, to_balance) = if first == from {
        (&mut *a, &mut *b)
    } else {
        (&mut *b, &mut *a)
    };
    *from_balance -= amount;
    *to_balance += amount;
}

/// Two tasks transfer between the same two accounts in opposite
/// directions; the buggy ones deadlock when each holds its first lock.
pub async fn lock_order_deadlock(fixed: bool) {
    let accounts = Rc::new([
        Mutex::new(100).with_name("alice"),
        Mutex::new(100).with_name("bob"),
    ]);
    let tasks: Vec<_> = [("pay bob", 0, 1), ("refund alice", 1, 0)]
        .into_iter()
        .map(|(name, from, to)| {
            let accounts = Rc::clone(&accounts);
            Builder::new()
                .name(name)
                .spawn(async move { transfer(&accounts, from, to, 10, fixed).await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let total = *accounts[0].lock().await + *accounts[1].lock().await;
    assert_eq!(total, 200, "money created or destroyed");
}

/// A loader sets a flag and calls `notify_waiters`; a worker, after some
/// start-up work, waits for it. `notify_waiters` stores no permit: the
/// buggy worker, which waits without looking at the flag, waits forever
/// when the loader ran first. The fixed one creates its `Notified` and
/// then checks the flag, tokio's documented pattern.
pub async fn lost_notification(fixed: bool) {
    let loaded = Rc::new((Notify::new().with_name("config loaded"), Cell::new(false)));
    let state = Rc::clone(&loaded);
    let worker = Builder::new().name("worker").spawn(async move {
        let (notify, flag) = &*state;
        task::yield_now().await; // start-up work
        if fixed {
            loop {
                let notified = notify.notified();
                if flag.get() {
                    break;
                }
                notified.await;
            }
        } else {
            // BUG: a notification sent before this line is lost.
            notify.notified().await;
        }
    });
    let loader = Builder::new().name("loader").spawn(async move {
        let (notify, flag) = &*loaded;
        task::yield_now().await; // loading
        flag.set(true);
        notify.notify_waiters();
    });
    loader.await.unwrap();
    worker.await.unwrap();
}
