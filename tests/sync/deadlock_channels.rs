//! Deadlock reports say what a task blocked on a channel, a Notify or a
//! Barrier waits for: which senders are alive and which task last used
//! them, a lost notify_waiters, who has arrived.

use std::sync::Arc;
use std::time::Duration;

use detsim::Runtime;
use detsim::sync::{Barrier, Notify, broadcast, mpsc, oneshot, watch};
use detsim::task::Builder;
use detsim::time::sleep;

use super::report_text::{at, stuck_lines};

const SOURCE: &str = include_str!("deadlock_channels.rs");

fn here(marker: &str) -> String {
    at("tests/sync/deadlock_channels.rs", SOURCE, marker)
}

#[test]
fn a_receiver_whose_own_task_keeps_a_sender_alive_is_told_so() {
    let failure = Runtime::sim(1)
        .try_block_on(async {
            // @own-main-block
            let (tx, mut rx) = mpsc::named_channel::<u32>("jobs", 4); // @own-channel
            let worker = Builder::new().name("worker").spawn({
                let tx = tx.clone();
                async move { tx.send(1).await.unwrap() }
            });
            worker.await.unwrap();
            while let Some(_job) = rx.recv().await {}
            drop(tx);
        })
        .expect_err("main keeps its own sender and waits for the channel to end");
    assert_eq!(
        stuck_lines(&failure),
        [format!(
            "task `main` (task#0, spawned at {}) waits on mpsc receiver `jobs` (empty; 1 sender \
             alive (created at {} by task `main` (this task), never used))",
            here("@own-main-block"),
            here("@own-channel")
        )]
    );
}

#[test]
fn a_receiver_and_a_sender_waiting_on_each_other_form_a_cycle() {
    let failure = Runtime::sim(1)
        .try_block_on(async {
            // @cycle-main-block
            let (tx, mut rx) = mpsc::named_channel::<u32>("jobs", 1);
            let (reply_tx, mut replies) = mpsc::named_unbounded_channel::<u32>("replies");
            let server = Builder::new().name("server").spawn(async move {
                // @cycle-server
                while let Some(job) = rx.recv().await {
                    reply_tx.send(job).unwrap();
                }
            });
            tx.send(1).await.unwrap();
            // Waits for a second reply, keeping the server's input open.
            replies.recv().await;
            replies.recv().await;
            drop(tx);
            server.await.unwrap();
        })
        .expect_err("main waits for replies, the server for jobs from main");
    assert_eq!(
        stuck_lines(&failure),
        [
            format!(
                "task `main` (task#0, spawned at {}) waits on mpsc receiver `replies` (empty; 1 \
                 sender alive (last used by task `server`))\n      wait-for cycle: task `main` \
                 waits on mpsc receiver `replies`, whose sender was last used by task `server`; \
                 task `server` waits on mpsc receiver `jobs`, whose sender was last used by \
                 task `main`",
                here("@cycle-main-block")
            ),
            format!(
                "task `server` (task#1, spawned at {}) waits on mpsc receiver `jobs` (empty; 1 \
                 sender alive (last used by task `main`))",
                here("@cycle-server")
            ),
        ]
    );
}

#[test]
fn a_full_bounded_channel_names_its_receiver() {
    let failure = Runtime::sim(1)
        .try_block_on(async {
            // @full-main-block
            let (tx, rx) = mpsc::named_channel::<u32>("events", 1); // @full-channel
            let _keep = Builder::new().name("sleeper").spawn(async move {
                let _rx = rx;
                std::future::pending::<()>().await;
            });
            tx.send(1).await.unwrap();
            tx.send(2).await.unwrap();
        })
        .expect_err("nobody receives");
    assert_eq!(
        stuck_lines(&failure)[0],
        format!(
            "task `main` (task#0, spawned at {}) waits on mpsc sender `events` for capacity (1 of \
             1 slots full, 0 reserved; 1 receiver alive (created at {} by task `main` (this \
             task), never used))",
            here("@full-main-block"),
            here("@full-channel")
        )
    );
}

#[test]
fn a_oneshot_whose_sender_was_never_used_says_where_it_was_made() {
    let failure = Runtime::sim(1)
        .try_block_on(async {
            // @oneshot-main-block
            let (tx, rx) = oneshot::channel::<u32>(); // @oneshot-channel
            let _forgotten = Builder::new().name("holder").spawn(async move {
                let _tx = tx;
                std::future::pending::<()>().await;
            });
            let _ = rx.await;
        })
        .expect_err("the sender is held, never used");
    let channel = here("@oneshot-channel");
    assert_eq!(
        stuck_lines(&failure)[0],
        format!(
            "task `main` (task#0, spawned at {}) waits on oneshot receiver of the channel at \
             {channel} (nothing sent; 1 sender alive (created at {channel} by task `main` (this \
             task), never used))",
            here("@oneshot-main-block")
        )
    );
}

#[test]
fn a_notify_waiters_with_nobody_waiting_is_reported_to_the_task_that_then_waits() {
    let failure = Runtime::sim(1)
        .try_block_on(async {
            // @notify-main-block
            let ready = Arc::new(Notify::new().with_name("ready"));
            let signaller = Builder::new().name("signaller").spawn({
                let ready = ready.clone();
                async move { ready.notify_waiters() } // @notify-waiters
            });
            signaller.await.unwrap();
            sleep(Duration::from_millis(3)).await;
            ready.notified().await;
        })
        .expect_err("the notification came before anyone waited");
    assert_eq!(
        stuck_lines(&failure),
        [format!(
            "task `main` (task#0, spawned at {}) waits on Notify `ready` (1 waiting; not \
             notified since this task began waiting; notify_waiters at {} by task `signaller` \
             (finished) found no waiter at t=0.000ms)",
            here("@notify-main-block"),
            here("@notify-waiters")
        )]
    );
}

#[test]
fn watch_broadcast_and_barrier_waits_are_named() {
    let failure = Runtime::sim(1)
        .try_block_on(async {
            // @named-main-block
            let (config_tx, mut config) = watch::named_channel("config", 0); // @watch
            let (events_tx, mut events) = broadcast::named_channel::<u32>("events", 4); // @bcast
            let start = Arc::new(Barrier::new(3).with_name("start"));
            let w = Builder::new().name("watcher").spawn(async move {
                // @watcher
                let _ = config.changed().await;
            });
            let l = Builder::new().name("listener").spawn(async move {
                // @listener
                let _ = events.recv().await;
            });
            let s = Builder::new().name("starter").spawn({
                // @starter
                let start = start.clone();
                async move { start.wait().await }
            });
            start.wait().await;
            drop((config_tx, events_tx, w, l, s));
        })
        .expect_err("nobody sends, and the barrier needs a third task");
    assert_eq!(
        stuck_lines(&failure),
        [
            format!(
                "task `main` (task#0, spawned at {}) waits on Barrier `start` (2 of 3 arrived: \
                 task `main` (this task) and task `starter`)",
                here("@named-main-block")
            ),
            format!(
                "task `watcher` (task#1, spawned at {}) waits on watch receiver `config` for a \
                 change (none since it last looked; 1 sender alive (created at {} by task \
                 `main`, never used))",
                here("@watcher"),
                here("@watch")
            ),
            format!(
                "task `listener` (task#2, spawned at {}) waits on broadcast receiver `events` \
                 (nothing unread; 1 sender alive (created at {} by task `main`, never used))",
                here("@listener"),
                here("@bcast")
            ),
            format!(
                "task `starter` (task#3, spawned at {}) waits on Barrier `start` (2 of 3 \
                 arrived: task `main` and task `starter` (this task))",
                here("@starter")
            ),
        ]
    );
}
