//! Wakers may do anything: a waker that spawns a task, touches a timer,
//! aborts a task or wakes others runs with no detsim borrow held, whether a
//! timer, a socket's readiness, a connect or a join handle calls it.

use std::cell::RefCell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use detsim::net::{self, TcpListener, TcpStream};
use detsim::task::JoinHandle;
use detsim::time::{Duration, sleep};
use detsim::{Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

thread_local! {
    /// A task the busy waker aborts (a `JoinHandle` is not `Send`, a waker
    /// must be, so it waits here).
    static VICTIM: RefCell<Option<JoinHandle<()>>> = const { RefCell::new(None) };
}

/// A waker that, before waking the task, spawns a detsim task that sleeps,
/// polls a fresh `sleep` (inserting and cancelling a timer), aborts the
/// victim task and wakes its inner waker twice.
struct BusyWaker {
    inner: Waker,
    calls: Arc<AtomicUsize>,
}

impl Wake for BusyWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let calls = Arc::clone(&self.calls);
        spawn(async move {
            sleep(Duration::from_millis(1)).await;
            calls.fetch_add(1000, Ordering::SeqCst);
        });
        let mut timer = pin!(sleep(Duration::from_millis(3)));
        assert!(
            timer
                .as_mut()
                .poll(&mut Context::from_waker(Waker::noop()))
                .is_pending()
        );
        if let Some(victim) = VICTIM.with(|v| v.borrow_mut().take()) {
            victim.abort();
        }
        self.inner.wake_by_ref();
        self.inner.wake_by_ref();
    }
}

/// Dropping a waker runs user code too: the last clone of a busy waker
/// polls a fresh `sleep` (inside a task; a sleep needs one).
impl Drop for BusyWaker {
    fn drop(&mut self) {
        if detsim::task::try_id().is_some() {
            let mut timer = pin!(sleep(Duration::from_millis(3)));
            let _ = timer.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        }
    }
}

/// Polls `F` with a [`BusyWaker`] around the task's waker.
struct Busy<F> {
    future: Pin<Box<F>>,
    calls: Arc<AtomicUsize>,
}

fn busy<F: Future>(future: F) -> Busy<F> {
    Busy {
        future: Box::pin(future),
        calls: Arc::new(AtomicUsize::new(0)),
    }
}

impl<F: Future> Future for Busy<F> {
    type Output = (F::Output, usize);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let waker = Waker::from(Arc::new(BusyWaker {
            inner: cx.waker().clone(),
            calls: Arc::clone(&self.calls),
        }));
        let out = self.future.as_mut().poll(&mut Context::from_waker(&waker));
        out.map(|v| (v, self.calls.load(Ordering::SeqCst)))
    }
}

/// Spawns a task that sleeps for an hour, for the busy waker to abort.
fn plant_victim() -> JoinHandle<()> {
    let victim = spawn(sleep(Duration::from_secs(3600)));
    VICTIM.with(|v| *v.borrow_mut() = Some(victim));
    // The victim's own handle goes to the waker; the returned task finishes
    // once the waker took it (and aborted the victim).
    spawn(async {
        while VICTIM.with(|v| v.borrow().is_some()) {
            sleep(Duration::from_millis(1)).await;
        }
    })
}

#[test]
fn a_timer_may_call_a_waker_that_spawns_sleeps_and_aborts() {
    Sim::new().seeds(20).run(|| async {
        let victim_done = plant_victim();
        let ((), calls) = busy(sleep(Duration::from_millis(5))).await;
        assert!(calls >= 1, "the timer called the busy waker");
        victim_done.await.unwrap();
        // The task the waker spawned ran and finished.
        sleep(Duration::from_millis(2)).await;
    });
}

#[test]
fn socket_readiness_and_connect_may_call_a_waker_that_spawns_sleeps_and_aborts() {
    Sim::new().seeds(20).run(|| async {
        net::host("server", || async {
            let listener = TcpListener::bind("0.0.0.0:7").await?;
            let (mut conn, _) = listener.accept().await?;
            sleep(Duration::from_millis(2)).await;
            conn.write_all(b"late").await?;
            std::io::Result::Ok(())
        });
        let victim_done = plant_victim();
        let (conn, calls) = busy(TcpStream::connect("server:7")).await;
        let mut conn = conn.unwrap();
        assert!(calls >= 1, "connect called the busy waker");
        let mut buf = [0; 4];
        let (read, calls) = busy(conn.read_exact(&mut buf)).await;
        read.unwrap();
        assert_eq!(&buf, b"late");
        assert!(calls >= 1, "readiness called the busy waker");
        victim_done.await.unwrap();
    });
}

#[test]
fn a_join_handle_may_call_a_waker_that_spawns_sleeps_and_aborts() {
    Sim::new().seeds(20).run(|| async {
        let victim_done = plant_victim();
        let worker = spawn(async {
            sleep(Duration::from_millis(4)).await;
            7
        });
        let (out, calls) = busy(worker).await;
        assert_eq!(out.unwrap(), 7);
        assert!(calls >= 1, "the finishing task called the busy waker");
        victim_done.await.unwrap();
    });
}

#[test]
fn a_waker_dropped_when_its_timer_is_cancelled_may_touch_timers() {
    Sim::new().seeds(20).run(|| async {
        // The inner sleep holds the only clone of the busy waker; the
        // timeout cancels it, which drops that waker.
        let (out, _) = busy(detsim::time::timeout(
            Duration::from_millis(1),
            sleep(Duration::from_millis(10)),
        ))
        .await;
        assert!(out.is_err(), "the timeout fired first");
    });
}
