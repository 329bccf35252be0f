//! Hand-written futures that misread the waker protocol: one that takes
//! being polled again for the event it waits on, and one that keeps a
//! single waker for several waiters.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::io::ErrorKind;
use std::rc::Rc;
use std::task::{Poll, Waker};

use detsim::io::duplex;
use detsim::kernel::{Interest, Readiness, Trigger};
use detsim::task::{self, Builder};
use detsim::time::{Duration, sleep};
use futures::AsyncWriteExt;

/// A future waits for a byte on a duplex stream; the buggy one takes its
/// second poll for the byte having arrived. A future may be polled, or
/// woken, with nothing new (`Future::poll`'s contract); only the default
/// plan's spurious wakes and polls find it, since this program polls only
/// a few times.
pub async fn wake_as_readiness(fixed: bool) {
    let (mut tx, rx) = duplex(64);
    let reg = rx.source().register(Interest::READABLE, Trigger::Level);
    detsim::spawn(async move {
        sleep(Duration::from_millis(1)).await;
        tx.write_all(b"x").await.unwrap();
    });
    let (mut polled, mut buf) = (false, [0; 1]);
    let read = poll_fn(|cx| {
        loop {
            // BUG (unless fixed): the second poll proves nothing.
            if fixed || !polled {
                polled = true;
                if reg.poll_ready(cx).is_pending() {
                    return Poll::Pending;
                }
            }
            match rx.try_read(&mut buf) {
                Err(e) if fixed && e.kind() == ErrorKind::WouldBlock => {
                    rx.source().clear(Readiness::READABLE);
                }
                result => return Poll::Ready(result),
            }
        }
    })
    .await;
    assert_eq!(read.unwrap(), 1, "read before the byte arrived");
}

/// A latch (a "pool ready" flag, say) that hand-written futures wait on.
#[derive(Default)]
struct Latch {
    set: Cell<bool>,
    /// The buggy latch's one waker slot.
    slot: RefCell<Option<Waker>>,
    /// The fixed latch's waiters, one waker per task.
    wakers: RefCell<Vec<Waker>>,
}

impl Latch {
    fn set(&self) {
        self.set.set(true);
        if let Some(w) = self.slot.take() {
            w.wake();
        }
        for w in self.wakers.take() {
            w.wake();
        }
    }

    async fn wait(&self, fixed: bool) {
        poll_fn(|cx| {
            if self.set.get() {
                return Poll::Ready(());
            }
            if fixed {
                let mut wakers = self.wakers.borrow_mut();
                // Polled again (spuriously, say): keep one waker per task.
                if !wakers.iter().any(|w| w.will_wake(cx.waker())) {
                    wakers.push(cx.waker().clone());
                }
            } else {
                // BUG: a second waiter's waker replaces the first's, which
                // is then never woken.
                *self.slot.borrow_mut() = Some(cx.waker().clone());
            }
            Poll::Pending
        })
        .await;
    }
}

/// Two tasks wait on a latch that a third sets after some work; the buggy
/// latch loses the first waiter whenever both wait before the set, which
/// the seeded schedule decides.
pub async fn lost_waker(fixed: bool) {
    let latch = Rc::new(Latch::default());
    let waiters: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|name| {
            let latch = Rc::clone(&latch);
            Builder::new()
                .name(name)
                .spawn(async move { latch.wait(fixed).await })
        })
        .collect();
    let setter = Rc::clone(&latch);
    let setter = Builder::new().name("setter").spawn(async move {
        task::yield_now().await;
        setter.set();
    });
    setter.await.unwrap();
    for w in waiters {
        w.await.unwrap();
    }
}
