//! A channel that holds one value, as tokio's `watch`: the senders
//! replace it, the receivers see the latest one and can wait for a
//! change. Intermediate values may be skipped; only the newest counts.
//!
//! Receivers waiting in [`Receiver::changed`] are all woken by a send,
//! in the order they began waiting. A task stuck there is reported as
//! ``waits on watch receiver `config` for a change (none since it last
//! looked; 1 sender alive (last used by task `leader`))``. Name a channel
//! with [`named_channel`].
//!
//! ```
//! use detsim::sync::watch;
//!
//! detsim::Runtime::sim(1).block_on(async {
//!     let (tx, mut rx) = watch::channel(0);
//!     let reader = detsim::spawn(async move {
//!         rx.wait_for(|n| *n >= 3).await.map(|n| *n)
//!     });
//!     for n in 1..=3 {
//!         tx.send(n).unwrap();
//!         detsim::task::yield_now().await;
//!     }
//!     assert_eq!(reader.await.unwrap(), Ok(3));
//! });
//! ```

pub mod error;
mod new;
mod receiver;
mod sender;
mod shared;

pub use new::{channel, named_channel};
pub use receiver::{Receiver, Ref};
pub use sender::Sender;
