//! `broadcast`: every receiver gets every value, or learns it lagged.

use detsim::Runtime;
use detsim::sync::broadcast::{self, error::RecvError, error::TryRecvError};

#[test]
fn every_receiver_gets_every_value_sent_after_it_subscribed() {
    Runtime::sim(1).block_on(async {
        let (tx, mut a) = broadcast::channel(4);
        tx.send(1).unwrap();
        let mut b = tx.subscribe();
        assert_eq!(tx.send(2).unwrap(), 2, "two receivers");
        assert_eq!(a.recv().await, Ok(1));
        assert_eq!(a.recv().await, Ok(2));
        assert_eq!(b.recv().await, Ok(2));
        assert_eq!(b.try_recv(), Err(TryRecvError::Empty));
        assert!(tx.is_empty(), "every receiver has seen every value");
    });
}

#[test]
fn a_slow_receiver_lags_and_then_resumes_at_the_oldest_retained_value() {
    Runtime::sim(1).block_on(async {
        let (tx, mut rx) = broadcast::channel(3); // rounded up to 4
        for n in 0..6 {
            tx.send(n).unwrap();
        }
        assert_eq!(rx.len(), 4);
        assert_eq!(rx.recv().await, Err(RecvError::Lagged(2)));
        for n in 2..6 {
            assert_eq!(rx.recv().await, Ok(n));
        }
        drop(tx);
        assert_eq!(rx.recv().await, Err(RecvError::Closed));
    });
}

#[test]
fn a_dropped_receiver_no_longer_holds_values_back() {
    Runtime::sim(1).block_on(async {
        let (tx, mut fast) = broadcast::channel(8);
        let slow = tx.subscribe();
        tx.send("a").unwrap();
        assert_eq!(fast.recv().await, Ok("a"));
        assert_eq!(tx.len(), 1, "kept for the slow receiver");
        drop(slow);
        assert_eq!(tx.len(), 0);
        drop(fast);
        assert!(tx.send("b").is_err(), "no receiver left");
        tx.closed().await;
    });
}

#[test]
fn waiting_receivers_are_all_woken_by_one_send() {
    Runtime::sim(2).block_on(async {
        let (tx, rx) = broadcast::channel(2);
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let mut rx = rx.resubscribe();
                detsim::spawn(async move { rx.recv().await })
            })
            .collect();
        detsim::task::yield_now().await;
        tx.send(9).unwrap();
        for r in readers {
            assert_eq!(r.await.unwrap(), Ok(9));
        }
    });
}
