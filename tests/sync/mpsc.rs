//! `mpsc`: order, back-pressure, closing, cancellation, error types.

use std::sync::Arc;

use detsim::Runtime;
use detsim::sync::mpsc::{self, error::TryRecvError, error::TrySendError};
use detsim::sync::oneshot;
use futures::FutureExt;

#[test]
fn values_arrive_in_send_order_and_recv_ends_when_every_sender_is_gone() {
    Runtime::sim(1).block_on(async {
        let (tx, mut rx) = mpsc::channel(2);
        let producer = detsim::spawn(async move {
            for n in 0..10 {
                tx.send(n).await.unwrap();
            }
        });
        let mut got = Vec::new();
        while let Some(n) = rx.recv().await {
            got.push(n);
        }
        producer.await.unwrap();
        assert_eq!(got, (0..10).collect::<Vec<_>>());
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    });
}

#[test]
fn a_full_channel_makes_senders_wait_in_fifo_order() {
    Runtime::sim(3).block_on(async {
        let (tx, mut rx) = mpsc::channel(1);
        tx.send(0).await.unwrap();
        assert!(matches!(tx.try_send(9), Err(TrySendError::Full(9))));
        let mut senders = Vec::new();
        for n in 1..=3 {
            let tx = tx.clone();
            let (queued, is_queued) = oneshot::channel();
            senders.push(detsim::spawn(async move {
                let send = tx.send(n);
                queued.send(()).unwrap();
                send.await.unwrap();
            }));
            is_queued.await.unwrap();
        }
        let mut got = Vec::new();
        for _ in 0..4 {
            got.push(rx.recv().await.unwrap());
        }
        assert_eq!(got, [0, 1, 2, 3]);
    });
}

#[test]
fn a_send_dropped_while_waiting_for_a_slot_loses_no_slot() {
    Runtime::sim(1).block_on(async {
        let (tx, mut rx) = mpsc::channel(1);
        tx.send(1).await.unwrap();
        {
            let mut waiting = Box::pin(tx.send(2));
            assert!((&mut waiting).now_or_never().is_none());
            assert_eq!(rx.recv().await, Some(1)); // the slot goes to `waiting`
        } // ...which is dropped, and gives it back
        assert_eq!(tx.capacity(), 1);
        tx.try_send(3).unwrap();
        assert_eq!(rx.recv().await, Some(3));
    });
}

#[test]
fn closing_fails_sends_but_keeps_queued_values_and_reserved_slots() {
    Runtime::sim(1).block_on(async {
        let (tx, mut rx) = mpsc::channel(4);
        tx.send(1).await.unwrap();
        let permit = tx.reserve().await.unwrap();
        let closed = detsim::spawn({
            let tx = tx.clone();
            async move { tx.closed().await }
        });
        rx.close();
        closed.await.unwrap();
        assert!(tx.is_closed());
        assert_eq!(tx.send(2).await.unwrap_err().0, 2);
        assert!(matches!(tx.try_send(3), Err(TrySendError::Closed(3))));
        permit.send(4); // reserved before closing: still delivered
        assert_eq!(rx.recv().await, Some(1));
        assert_eq!(rx.recv().await, Some(4));
        assert_eq!(rx.recv().await, None, "closed, empty, nothing reserved");
    });
}

#[test]
fn recv_many_takes_what_is_queued_up_to_the_limit() {
    Runtime::sim(1).block_on(async {
        let (tx, mut rx) = mpsc::unbounded_channel();
        for n in 0..5 {
            tx.send(n).unwrap();
        }
        let mut buf = Vec::new();
        assert_eq!(rx.recv_many(&mut buf, 3).await, 3);
        assert_eq!(rx.recv_many(&mut buf, 10).await, 2);
        assert_eq!(buf, [0, 1, 2, 3, 4]);
        drop(tx);
        assert_eq!(rx.recv_many(&mut buf, 10).await, 0);
    });
}

#[test]
fn dropping_the_receiver_fails_sends_and_drops_queued_values() {
    Runtime::sim(1).block_on(async {
        let value = Arc::new(());
        let (tx, rx) = mpsc::unbounded_channel();
        tx.send(value.clone()).unwrap();
        assert_eq!(Arc::strong_count(&value), 2);
        drop(rx);
        assert_eq!(Arc::strong_count(&value), 1, "the queued value was dropped");
        assert!(tx.send(value).is_err());
        tx.closed().await;
    });
}

#[test]
fn an_owned_permit_gives_its_sender_back() {
    Runtime::sim(1).block_on(async {
        let (tx, mut rx) = mpsc::channel(1);
        let tx = tx.reserve_owned().await.unwrap().send("a");
        let mut reserving = Box::pin(tx.reserve_owned());
        assert!(
            reserving.as_mut().now_or_never().is_none(),
            "the slot holds \"a\""
        );
        assert_eq!(rx.recv().await, Some("a"));
        let tx = reserving.await.unwrap().release();
        assert_eq!(tx.capacity(), 1, "released unused");
    });
}

#[test]
fn channel_handles_are_send_and_sync_like_tokios() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<mpsc::Sender<String>>();
    send_sync::<mpsc::Receiver<String>>();
    send_sync::<mpsc::UnboundedSender<String>>();
    send_sync::<mpsc::UnboundedReceiver<String>>();
    send_sync::<mpsc::Permit<'static, String>>();
    fn send_future_is_send(tx: &mpsc::Sender<String>) -> impl Send + '_ {
        tx.send(String::new())
    }
    let _ = send_future_is_send;
}
