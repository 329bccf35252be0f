//! A multi-producer, multi-consumer channel where every receiver gets
//! every value, as tokio's `broadcast`.
//!
//! The channel retains a bounded number of values; senders never wait.
//! A receiver that falls more than that far behind loses the oldest
//! values and is told how many with [`error::RecvError::Lagged`]. Values
//! reach each receiver in send order; receivers waiting together are
//! woken in the order they began waiting.
//!
//! A task stuck in `recv` is reported as ``waits on broadcast receiver
//! `events` (nothing unread; 1 sender alive (last used by task `a`))``.
//! Name a channel with [`named_channel`].
//!
//! ```
//! use detsim::sync::broadcast;
//!
//! detsim::Runtime::sim(1).block_on(async {
//!     let (tx, mut a) = broadcast::named_channel("events", 16);
//!     let mut b = tx.subscribe();
//!     tx.send("hello").unwrap();
//!     assert_eq!(a.recv().await, Ok("hello"));
//!     assert_eq!(b.recv().await, Ok("hello"));
//! });
//! ```

pub mod error;
mod handles;
mod new;
mod shared;

pub use handles::{Receiver, Sender};
pub use new::{channel, named_channel};
