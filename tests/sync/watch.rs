//! `watch`: the latest value, change notification, closing.

use detsim::Runtime;
use detsim::sync::watch;

#[test]
fn a_receiver_sees_the_latest_value_and_skips_intermediate_ones() {
    Runtime::sim(1).block_on(async {
        let (tx, mut rx) = watch::channel(0);
        assert!(!rx.has_changed().unwrap());
        tx.send(1).unwrap();
        tx.send(2).unwrap();
        rx.changed().await.unwrap();
        assert_eq!(*rx.borrow_and_update(), 2);
        assert!(!rx.has_changed().unwrap());
    });
}

#[test]
fn every_waiting_receiver_is_woken_by_a_send() {
    Runtime::sim(5).block_on(async {
        let (tx, rx) = watch::channel("old");
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let mut rx = rx.clone();
                detsim::spawn(async move {
                    rx.changed().await.unwrap();
                    *rx.borrow()
                })
            })
            .collect();
        detsim::task::yield_now().await;
        tx.send("new").unwrap();
        for r in readers {
            assert_eq!(r.await.unwrap(), "new");
        }
    });
}

#[test]
fn changed_fails_once_the_senders_are_gone_and_send_fails_without_receivers() {
    Runtime::sim(1).block_on(async {
        let (tx, mut rx) = watch::channel(1);
        tx.send(2).unwrap();
        drop(tx);
        assert!(rx.changed().await.is_ok(), "an unseen value first");
        assert!(rx.changed().await.is_err());
        assert!(rx.has_changed().is_err());
        let tx = watch::Sender::new(5);
        assert_eq!(tx.send(6).unwrap_err().0, 6);
        assert_eq!(tx.send_replace(7), 5);
        let sub = tx.subscribe();
        assert_eq!(*sub.borrow(), 7);
        assert_eq!(tx.receiver_count(), 1);
        drop(sub);
        tx.closed().await;
    });
}

#[test]
fn mark_changed_and_mark_unchanged_move_what_the_receiver_has_seen() {
    let (_tx, mut rx) = watch::channel(());
    rx.mark_changed();
    assert!(rx.has_changed().unwrap());
    rx.mark_unchanged();
    assert!(!rx.has_changed().unwrap());
}

#[test]
#[should_panic(expected = "drop the Ref")]
fn sending_while_a_ref_is_held_in_a_runtime_panics_with_advice() {
    Runtime::sim(1).block_on(async {
        let (tx, rx) = watch::channel(0);
        let held = rx.borrow();
        tx.send(1).unwrap();
        drop(held);
    });
}
