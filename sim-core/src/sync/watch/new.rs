//! Making a watch channel.

use std::panic::Location;

use super::receiver::Receiver;
use super::sender::Sender;
use super::shared::Shared;

/// A watch channel holding `init`, with one sender and one receiver that
/// has not seen `init` as a change. Named in reports after the place it
/// was created.
///
/// ```
/// detsim::Runtime::sim(1).block_on(async {
///     let (tx, rx) = detsim::sync::watch::channel("v1");
///     assert_eq!(*rx.borrow(), "v1");
///     tx.send("v2").unwrap();
///     assert!(rx.has_changed().unwrap());
/// });
/// ```
#[track_caller]
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    make(init, Location::caller(), None)
}

/// Like [`channel`], named in deadlock reports (``watch receiver
/// `config` ``).
#[track_caller]
pub fn named_channel<T>(name: impl Into<String>, init: T) -> (Sender<T>, Receiver<T>) {
    make(init, Location::caller(), Some(name.into()))
}

fn make<T>(
    init: T,
    at: &'static Location<'static>,
    name: Option<String>,
) -> (Sender<T>, Receiver<T>) {
    let shared = Shared::new(init, at, name);
    let tx = Sender::from_shared(shared.clone(), at);
    let rx = Receiver::from_shared(shared, at);
    (tx, rx)
}
