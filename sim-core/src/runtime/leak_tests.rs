//! A run leaves nothing behind: once `Sim::run` returns (or a `Runtime`
//! drops), no reference to its runtime survives, whatever its tasks did in
//! their last poll. A leaked runtime is tens of KB per seed, so a long
//! sweep in one process would run out of memory.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures::AsyncReadExt;

use crate::runtime::{RuntimeInner, context};
use crate::time::timeout;
use crate::{Runtime, Sim};

thread_local! {
    /// Every runtime the bodies below ran on.
    static SEEN: RefCell<Vec<Weak<RuntimeInner>>> = const { RefCell::new(Vec::new()) };
}

fn remember_runtime() {
    let rt = context::try_runtime().expect("called inside a run");
    SEEN.with(|s| s.borrow_mut().push(Rc::downgrade(&rt)));
}

/// How many of the remembered runtimes are still alive, forgetting them.
fn alive_runtimes() -> usize {
    SEEN.with(|s| {
        s.borrow_mut()
            .drain(..)
            .filter(|w| w.strong_count() > 0)
            .count()
    })
}

/// Waits on a stream that never receives anything until the timeout fires:
/// the poll that returns registered interest in the stream first.
async fn read_times_out() {
    let (mut a, _b) = crate::io::duplex(64);
    let mut buf = [0; 8];
    let read = timeout(Duration::from_millis(1), a.read(&mut buf)).await;
    assert!(read.is_err(), "nothing was written: the timeout fires");
}

#[test]
fn a_body_whose_last_poll_timed_out_on_a_stream_leaves_no_runtime_alive() {
    // Each body checks the runs before it on its thread (`DETSIM_JOBS` may
    // spread the seeds over several), and the test thread the last one.
    Sim::new()
        .seeds(5)
        .jobs(1)
        .regressions(false)
        .run(|| async {
            assert_eq!(alive_runtimes(), 0, "an earlier seed's runtime is alive");
            remember_runtime();
            read_times_out().await;
        });
    assert_eq!(alive_runtimes(), 0, "a runtime outlived Sim::run");
}

#[test]
fn a_task_whose_last_poll_timed_out_on_a_stream_leaves_no_runtime_alive() {
    let rt = Runtime::sim(7);
    rt.block_on(async {
        remember_runtime();
        crate::spawn(read_times_out()).await.unwrap();
    });
    drop(rt);
    assert_eq!(alive_runtimes(), 0, "the runtime outlived its drop");
}

#[test]
fn an_end_of_faults_hook_that_never_ran_leaves_no_runtime_alive() {
    let phase = crate::liveness::Liveness::after(Duration::from_secs(60));
    Sim::new()
        .liveness(phase)
        .seeds(3)
        .jobs(1)
        .regressions(false)
        .run(|| async {
            assert_eq!(alive_runtimes(), 0, "an earlier seed's runtime is alive");
            remember_runtime();
            // The hook holds the runtime; the run ends before the faults do.
            let kernel = crate::kernel::KernelHandle::current();
            let held = kernel.clone();
            kernel.on_faults_end(move || drop(held));
        });
    assert_eq!(alive_runtimes(), 0, "a runtime outlived Sim::run");
}
