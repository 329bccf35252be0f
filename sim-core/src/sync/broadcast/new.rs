//! Making a broadcast channel.

use std::panic::Location;

use super::handles::{Receiver, Sender};
use super::shared::Shared;

/// A broadcast channel that retains at least `capacity` values (rounded
/// up to a power of two, as in tokio), with one sender and one receiver.
/// Named in reports after the place it was created.
///
/// # Panics
///
/// If `capacity` is 0 or more than `usize::MAX / 2`.
///
/// ```
/// detsim::Runtime::sim(1).block_on(async {
///     let (tx, mut rx) = detsim::sync::broadcast::channel(3);
///     assert_eq!(tx.send("tick").unwrap(), 1, "one receiver");
///     assert_eq!(rx.recv().await.unwrap(), "tick");
/// });
/// ```
#[track_caller]
pub fn channel<T: Clone>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    make(capacity, Location::caller(), None)
}

/// Like [`channel`], named in deadlock reports (``broadcast receiver
/// `events` ``).
#[track_caller]
pub fn named_channel<T: Clone>(
    name: impl Into<String>,
    capacity: usize,
) -> (Sender<T>, Receiver<T>) {
    make(capacity, Location::caller(), Some(name.into()))
}

fn make<T>(
    capacity: usize,
    at: &'static Location<'static>,
    name: Option<String>,
) -> (Sender<T>, Receiver<T>) {
    assert!(capacity > 0, "broadcast channel capacity cannot be zero");
    assert!(
        capacity <= usize::MAX >> 1,
        "broadcast channel capacity exceeded `usize::MAX / 2`"
    );
    let shared = Shared::new(capacity.next_power_of_two(), at, name);
    let tx = Sender::from_shared(shared.clone(), at);
    let rx = Receiver::from_shared(shared, at);
    (tx, rx)
}
