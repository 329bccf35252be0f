//! The future of `Sender::closed` (both flavours): waits until the
//! receiving side closes the channel or is dropped.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use super::chan::Chan;
use crate::sync::ends::EndId;

pub(super) struct Closed<'a, T> {
    chan: &'a Arc<Chan<T>>,
    id: EndId,
    /// Its entry among the channel's `closed` waiters, once it waits.
    key: Option<u64>,
}

impl<'a, T> Closed<'a, T> {
    pub(super) fn new(chan: &'a Arc<Chan<T>>, id: EndId) -> Self {
        Closed {
            chan,
            id,
            key: None,
        }
    }
}

impl<T> Future for Closed<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        this.chan.poll_closed(this.id, &mut this.key, cx)
    }
}

impl<T> Drop for Closed<'_, T> {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            self.chan.cancel_closed(key);
        }
    }
}
