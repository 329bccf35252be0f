//! Deadlock reports name the locks a task waits on, who holds them and
//! where they were locked, and the wait-for cycle among stuck tasks.

use std::sync::Arc;
use std::time::Duration;

use detsim::Runtime;
use detsim::sync::{Mutex, RwLock, Semaphore};
use detsim::task::Builder;
use detsim::time::sleep;

use super::report_text::{at, stuck_lines};

const SOURCE: &str = include_str!("deadlock_locks.rs");

fn here(marker: &str) -> String {
    at("tests/sync/deadlock_locks.rs", SOURCE, marker)
}

#[test]
fn a_lock_order_deadlock_names_both_mutexes_their_holders_and_the_cycle() {
    let failure = Runtime::sim(1)
        .try_block_on(async {
            // @order-main
            let accounts = Arc::new(Mutex::new(0).with_name("accounts"));
            let audit = Arc::new(Mutex::new(0).with_name("audit"));
            let (a1, a2) = (accounts.clone(), audit.clone());
            let a = Builder::new().name("a").spawn(async move {
                // @order-a
                let _g = a1.lock().await; // @a-locks-accounts
                sleep(Duration::from_millis(1)).await;
                let _h = a2.lock().await;
            });
            let b = Builder::new().name("b").spawn(async move {
                // @order-b
                let _g = audit.lock().await; // @b-locks-audit
                sleep(Duration::from_millis(1)).await;
                let _h = accounts.lock().await;
            });
            a.await.unwrap();
            b.await.unwrap();
        })
        .expect_err("a and b each wait for the other's lock");
    assert_eq!(
        stuck_lines(&failure),
        [
            format!(
                "task `main` (task#0, spawned at {}) waits on task#1 to finish",
                here("@order-main")
            ),
            format!(
                "task `a` (task#1, spawned at {}) waits on Mutex `audit` (held by task `b`, \
                 locked at {})\n      wait-for cycle: task `a` waits on Mutex `audit`, held by \
                 task `b`; task `b` waits on Mutex `accounts`, held by task `a`",
                here("@order-a"),
                here("@b-locks-audit")
            ),
            format!(
                "task `b` (task#2, spawned at {}) waits on Mutex `accounts` (held by task `a`, \
                 locked at {})",
                here("@order-b"),
                here("@a-locks-accounts")
            ),
        ]
    );
}

#[test]
fn locking_a_mutex_twice_in_one_task_says_the_holder_is_this_task() {
    let failure = Runtime::sim(1)
        .try_block_on(async {
            // @twice-main
            let m = Mutex::new(()); // @twice-mutex
            let _first = m.lock().await; // @twice-first
            let _second = m.lock().await;
        })
        .expect_err("the second lock waits for the first");
    assert_eq!(
        stuck_lines(&failure),
        [format!(
            "task `main` (task#0, spawned at {}) waits on Mutex at {} (held by task `main` (this \
             task), locked at {})",
            here("@twice-main"),
            here("@twice-mutex"),
            here("@twice-first")
        )]
    );
}

#[test]
fn a_writer_waiting_on_readers_names_every_reader() {
    let failure = Runtime::sim(1)
        .try_block_on(async {
            // @rw-main
            let lock = Arc::new(RwLock::new(0).with_name("config"));
            let reader = Builder::new().name("reader").spawn({
                let lock = lock.clone();
                async move {
                    let _r = lock.read().await; // @rw-reader
                    std::future::pending::<()>().await;
                }
            });
            sleep(Duration::from_millis(1)).await;
            let _r = lock.read().await; // @rw-main-reads
            let _w = lock.write().await;
            reader.await.unwrap();
        })
        .expect_err("the writer waits on two readers, one of them itself");
    assert_eq!(
        stuck_lines(&failure)[0],
        format!(
            "task `main` (task#0, spawned at {}) waits on RwLock `config` to write (held for \
             reading by task `reader` at {} and task `main` (this task) at {})",
            here("@rw-main"),
            here("@rw-reader"),
            here("@rw-main-reads")
        )
    );
}

#[test]
fn a_semaphore_wait_lists_who_holds_the_permits() {
    let failure = Runtime::sim(1)
        .try_block_on(async {
            // @sem-main
            let slots = Arc::new(Semaphore::new(2).with_name("slots"));
            let holder = Builder::new().name("holder").spawn({
                let slots = slots.clone();
                async move {
                    let _p = slots.acquire_many(2).await.unwrap(); // @sem-holder
                    std::future::pending::<()>().await;
                }
            });
            sleep(Duration::from_millis(1)).await;
            let _p = slots.acquire().await.unwrap();
            holder.await.unwrap();
        })
        .expect_err("main waits for a permit the holder never gives back");
    assert_eq!(
        stuck_lines(&failure)[0],
        format!(
            "task `main` (task#0, spawned at {}) waits on Semaphore `slots` for 1 permit (0 \
             available; held: 2 by task `holder` (acquired at {}))",
            here("@sem-main"),
            here("@sem-holder")
        )
    );
}

#[test]
fn joining_a_task_that_waits_for_a_lock_the_joiner_holds_is_a_cycle() {
    let failure = Runtime::sim(1)
        .try_block_on(async {
            // @join-main
            let m = Arc::new(Mutex::new(0)); // @join-mutex
            let guard = m.lock().await; // @join-lock
            let worker = Builder::new().name("worker").spawn({
                // @join-worker
                let m = m.clone();
                async move { *m.lock().await += 1 }
            });
            worker.await.unwrap();
            drop(guard);
        })
        .expect_err("main holds the lock the worker needs and joins it");
    let mutex = here("@join-mutex");
    assert_eq!(
        stuck_lines(&failure),
        [
            format!(
                "task `main` (task#0, spawned at {}) waits on task#1 to finish\n      wait-for \
                 cycle: task `main` waits for task `worker` to finish; task `worker` waits on \
                 Mutex at {mutex}, held by task `main`",
                here("@join-main")
            ),
            format!(
                "task `worker` (task#1, spawned at {}) waits on Mutex at {mutex} (held by task \
                 `main`, locked at {})",
                here("@join-worker"),
                here("@join-lock")
            ),
        ]
    );
}

#[test]
fn three_tasks_in_a_ring_of_mutexes_are_one_cycle_named_once() {
    let failure = Runtime::sim(7)
        .try_block_on(async {
            let locks: Vec<_> = (0..3)
                .map(|n| Arc::new(Mutex::new(()).with_name(format!("m{n}"))))
                .collect();
            let tasks: Vec<_> = (0..3)
                .map(|n| {
                    let (mine, next) = (locks[n].clone(), locks[(n + 1) % 3].clone());
                    Builder::new().name(&format!("t{n}")).spawn(async move {
                        let _g = mine.lock().await;
                        sleep(Duration::from_millis(1)).await;
                        let _h = next.lock().await;
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        })
        .expect_err("each task waits for the next one's lock");
    let lines = stuck_lines(&failure);
    let cycles: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("wait-for cycle"))
        .collect();
    assert_eq!(cycles.len(), 1, "one cycle, named once: {lines:#?}");
    assert!(
        cycles[0].ends_with(
            "wait-for cycle: task `t0` waits on Mutex `m1`, held by task `t1`; task `t1` waits \
             on Mutex `m2`, held by task `t2`; task `t2` waits on Mutex `m0`, held by task `t0`"
        ),
        "{}",
        cycles[0]
    );
}
