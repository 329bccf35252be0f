//! `detsim_tokio::spawn` and `detsim_tokio::task` in both worlds.

mod common;

use common::{digest_of, everywhere, on_detsim};
use detsim_tokio::task::{self, JoinError};
use detsim_tokio::time::{Duration, sleep};

#[test]
fn spawned_tasks_return_their_output_in_both_worlds() {
    everywhere(|| async {
        let handle = detsim_tokio::spawn(async { task::id() });
        let id = handle.id();
        assert_eq!(handle.await.unwrap(), id);
        // Inside a spawned task (tokio has no id for the block_on future).
        assert!(
            detsim_tokio::spawn(async { task::try_id().is_some() })
                .await
                .unwrap()
        );
        let blocking = task::spawn_blocking(|| 40 + 2);
        assert_eq!(blocking.await.unwrap(), 42);
        task::yield_now().await;
    });
}

#[test]
fn aborted_tasks_give_a_cancelled_join_error_in_both_worlds() {
    everywhere(|| async {
        let task = detsim_tokio::spawn(sleep(Duration::from_secs(60)));
        let abort = task.abort_handle();
        assert_eq!(abort.id(), task.id());
        assert!(!task.is_finished());
        abort.clone().abort();
        let err: JoinError = task.await.unwrap_err();
        assert!(err.is_cancelled());
        assert!(!err.is_panic());
        assert!(abort.is_finished());
        assert_eq!(err.id(), abort.id());
        assert!(err.to_string().contains("cancelled"), "{err}");
        assert!(format!("{err:?}").contains("Cancelled"), "{err:?}");
        let err = err.try_into_panic().unwrap_err();
        let io: std::io::Error = err.into();
        assert_eq!(io.to_string(), "task was cancelled");
    });
}

#[test]
fn a_tokio_panic_is_a_join_error_with_its_payload() {
    common::on_tokio(|| async {
        let err = detsim_tokio::spawn(async { panic!("boom") })
            .await
            .unwrap_err();
        assert!(err.is_panic());
        let payload = err.into_panic();
        assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    });
}

#[test]
fn block_in_place_runs_the_closure_inline_under_detsim() {
    on_detsim(|| async {
        assert_eq!(task::block_in_place(|| 3), 3);
    });
    let rt = detsim_tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        assert_eq!(
            detsim_tokio::spawn(async { task::block_in_place(|| 4) })
                .await
                .unwrap(),
            4
        );
    });
}

#[test]
fn spawn_local_needs_no_local_set_under_detsim() {
    on_detsim(|| async {
        let shared = std::rc::Rc::new(1);
        let task = task::spawn_local(async move { *shared + 1 });
        assert_eq!(task.await.unwrap(), 2);
    });
}

/// Tasks that interleave through yields and record their order.
async fn interleaving() -> Vec<u32> {
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let log = log.clone();
            detsim_tokio::spawn(async move {
                for _ in 0..3 {
                    log.lock().unwrap().push(i);
                    task::yield_now().await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    log.lock().unwrap().clone()
}

#[test]
fn spawned_tasks_replay_per_seed_and_interleave_differently_across_seeds() {
    for seed in [0, 5, 9] {
        assert_eq!(digest_of(seed, interleaving), digest_of(seed, interleaving));
    }
    let orders: std::collections::BTreeSet<_> =
        (0..10).map(|s| digest_of(s, interleaving).1).collect();
    assert!(orders.len() > 1, "different seeds explore different orders");
}
