//! A channel for exactly one value, as tokio's `oneshot`: the [`Sender`]
//! sends once, the [`Receiver`] is a future of that value.
//!
//! A task stuck awaiting the receiver is reported as ``waits on oneshot
//! receiver `reply` (nothing sent; 1 sender alive (last used by task
//! `server`))``, or ``... created at src/x.rs:3:9 by task `main`, never
//! used`` when the sender was never touched after being made; one stuck in
//! [`Sender::closed`] is reported with the receiver's side. Name a channel
//! with [`named_channel`].
//!
//! ```
//! use detsim::sync::oneshot;
//!
//! detsim::Runtime::sim(1).block_on(async {
//!     let (tx, rx) = oneshot::named_channel("reply");
//!     detsim::spawn(async move { tx.send(42).unwrap() });
//!     assert_eq!(rx.await, Ok(42));
//! });
//! ```

mod channel;
pub mod error;

pub use channel::{Receiver, Sender, channel, named_channel};
