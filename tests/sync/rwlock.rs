//! `RwLock`: shared readers, exclusive writers, fairness, downgrade.

use std::sync::Arc;

use detsim::Runtime;
use detsim::sync::{RwLock, oneshot};
use detsim::task::yield_now;
use futures::FutureExt;

#[test]
fn readers_share_the_lock_and_a_writer_excludes_everyone() {
    Runtime::sim(1).block_on(async {
        let lock = RwLock::new(1);
        let (r1, r2) = (lock.read().await, lock.read().await);
        assert_eq!(*r1 + *r2, 2);
        assert!(lock.try_write().is_err());
        drop((r1, r2));
        let mut w = lock.write().await;
        *w += 1;
        assert!(lock.try_read().is_err());
        assert!(lock.try_write().is_err());
        drop(w);
        assert_eq!(*lock.try_read().unwrap(), 2);
    });
}

#[test]
fn a_reader_arriving_while_a_writer_waits_queues_behind_the_writer() {
    Runtime::sim(1).block_on(async {
        let lock = Arc::new(RwLock::new(Vec::new()));
        let reading = lock.read().await;
        let (queued, is_queued) = oneshot::channel();
        let writer = detsim::spawn({
            let lock = lock.clone();
            async move {
                queued.send(()).unwrap();
                lock.write().await.push("writer");
            }
        });
        is_queued.await.unwrap();
        assert!(
            lock.try_read().is_err(),
            "a writer waits: no new reader barges in"
        );
        let reader = detsim::spawn({
            let lock = lock.clone();
            async move { lock.read().await.len() }
        });
        yield_now().await;
        drop(reading);
        writer.await.unwrap();
        assert_eq!(reader.await.unwrap(), 1, "the reader ran after the writer");
    });
}

#[test]
fn a_downgraded_writer_lets_readers_in_but_no_writer() {
    Runtime::sim(1).block_on(async {
        let lock = Arc::new(RwLock::new(0));
        let mut w = lock.clone().write_owned().await;
        *w = 5;
        let r = w.downgrade();
        assert_eq!(*r, 5);
        assert_eq!(*lock.try_read().unwrap(), 5);
        assert!(lock.try_write().is_err());
        drop(r);
        assert!(lock.try_write().is_ok());
    });
}

#[test]
fn a_write_future_dropped_while_waiting_gives_back_what_it_was_assigned() {
    Runtime::sim(1).block_on(async {
        let lock = RwLock::with_max_readers(0, 4);
        let r = lock.read().await;
        {
            // Takes the 3 free permits of 4 and waits for the last.
            let mut w = Box::pin(lock.write());
            assert!((&mut w).now_or_never().is_none());
            assert!(lock.try_read().is_err());
        }
        let more: Vec<_> = (0..3).map(|_| lock.try_read().unwrap()).collect();
        assert_eq!(more.len(), 3, "all three permits came back");
        drop((r, more));
        assert!(lock.try_write().is_ok());
    });
}
