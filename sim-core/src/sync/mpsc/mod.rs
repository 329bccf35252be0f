//! Multi-producer, single-consumer channels, as tokio's `mpsc`: a bounded
//! [`channel`] whose senders wait for a free slot, and an
//! [`unbounded_channel`] whose senders never wait.
//!
//! Values arrive in the order they were sent. Senders waiting for a slot
//! of a full bounded channel get one first come, first served (FIFO), and
//! a `send` future dropped while it waits loses no slot. `recv` is cancel
//! safe: a dropped `recv` future takes no value.
//!
//! A task stuck in `recv` is reported as ``waits on mpsc receiver `jobs`
//! (empty; 1 sender alive (last used by task `d`))``: each live sender is
//! described by the task that last used it (sent, reserved, waited on
//! `closed`), or else where and by whom it was created, since a sender
//! may move between tasks unseen. A task stuck in `send` on a full
//! channel is reported with the slots in use and its receiver. Name a
//! channel with [`named_channel`] or [`named_unbounded_channel`];
//! unnamed, it is "of the channel at" the place it was created.
//!
//! ```
//! use detsim::sync::mpsc;
//!
//! detsim::Runtime::sim(1).block_on(async {
//!     let (tx, mut rx) = mpsc::named_channel("jobs", 2);
//!     for worker in 0..3 {
//!         let tx = tx.clone();
//!         detsim::spawn(async move { tx.send(worker).await.unwrap() });
//!     }
//!     drop(tx);
//!     let mut got = Vec::new();
//!     while let Some(n) = rx.recv().await {
//!         got.push(n);
//!     }
//!     got.sort();
//!     assert_eq!(got, [0, 1, 2]);
//! });
//! ```

mod bounded;
mod chan;
mod closed;
pub mod error;
mod new;
mod unbounded;

pub use bounded::{OwnedPermit, Permit, Receiver, Sender};
pub use new::{channel, named_channel, named_unbounded_channel, unbounded_channel};
pub use unbounded::{UnboundedReceiver, UnboundedSender};
