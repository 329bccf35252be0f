//! Making mpsc channels, bounded or not, named or not.

use std::panic::Location;

use super::bounded::{Receiver, Sender};
use super::chan::Chan;
use super::unbounded::{UnboundedReceiver, UnboundedSender};

/// A channel that holds at most `buffer` values; senders wait for a free
/// slot. Named in reports after the place it was created.
///
/// # Panics
///
/// If `buffer` is 0, or exceeds `Semaphore::MAX_PERMITS`.
///
/// ```
/// use detsim::sync::mpsc::{self, error::TrySendError};
///
/// detsim::Runtime::sim(1).block_on(async {
///     let (tx, mut rx) = mpsc::channel(1);
///     tx.send(1).await.unwrap();
///     assert!(matches!(tx.try_send(2), Err(TrySendError::Full(2))));
///     assert_eq!(rx.recv().await, Some(1));
/// });
/// ```
#[track_caller]
pub fn channel<T>(buffer: usize) -> (Sender<T>, Receiver<T>) {
    bounded(buffer, Location::caller(), None)
}

/// Like [`channel`], named in deadlock reports (``mpsc receiver `jobs` ``).
#[track_caller]
pub fn named_channel<T>(name: impl Into<String>, buffer: usize) -> (Sender<T>, Receiver<T>) {
    bounded(buffer, Location::caller(), Some(name.into()))
}

fn bounded<T>(
    buffer: usize,
    at: &'static Location<'static>,
    name: Option<String>,
) -> (Sender<T>, Receiver<T>) {
    assert!(buffer > 0, "mpsc bounded channel requires buffer > 0");
    let (chan, tx, rx) = Chan::new(Some(buffer), at);
    if let Some(name) = name {
        chan.core.state().label.set_name(name);
    }
    (Sender::new(chan.clone(), tx), Receiver::new(chan, rx))
}

/// A channel without bound; sending never waits. Named in reports after
/// the place it was created.
///
/// ```
/// detsim::Runtime::sim(1).block_on(async {
///     let (tx, mut rx) = detsim::sync::mpsc::unbounded_channel();
///     for n in 0..3 {
///         tx.send(n).unwrap(); // never waits
///     }
///     drop(tx);
///     let mut got = Vec::new();
///     while let Some(n) = rx.recv().await {
///         got.push(n);
///     }
///     assert_eq!(got, [0, 1, 2]);
/// });
/// ```
#[track_caller]
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    unbounded(Location::caller(), None)
}

/// Like [`unbounded_channel`], named in deadlock reports.
#[track_caller]
pub fn named_unbounded_channel<T>(
    name: impl Into<String>,
) -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    unbounded(Location::caller(), Some(name.into()))
}

fn unbounded<T>(
    at: &'static Location<'static>,
    name: Option<String>,
) -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (chan, tx, rx) = Chan::new(None, at);
    if let Some(name) = name {
        chan.core.state().label.set_name(name);
    }
    (
        UnboundedSender::new(chan.clone(), tx),
        UnboundedReceiver::new(chan, rx),
    )
}
