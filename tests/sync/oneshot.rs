//! `oneshot`: one value, or an error when the sender is dropped.

use detsim::Runtime;
use detsim::sync::oneshot::{self, error::TryRecvError};

#[test]
fn the_receiver_gets_the_value_or_an_error_if_the_sender_is_dropped() {
    Runtime::sim(1).block_on(async {
        let (tx, rx) = oneshot::channel();
        detsim::spawn(async move { tx.send(7).unwrap() });
        assert_eq!(rx.await, Ok(7));
        let (tx, rx) = oneshot::channel::<u8>();
        drop(tx);
        assert!(rx.await.is_err());
    });
}

#[test]
fn try_recv_tells_empty_from_closed() {
    let (tx, mut rx) = oneshot::channel();
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    tx.send("x").unwrap();
    assert_eq!(rx.try_recv(), Ok("x"));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn closing_the_receiver_fails_the_send_and_completes_closed() {
    Runtime::sim(1).block_on(async {
        let (mut tx, mut rx) = oneshot::channel::<u8>();
        let waiter = detsim::spawn(async move {
            tx.closed().await;
            tx.send(1)
        });
        detsim::task::yield_now().await;
        rx.close();
        assert_eq!(waiter.await.unwrap(), Err(1));
        assert!(rx.await.is_err());
    });
}
