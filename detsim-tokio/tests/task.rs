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

use detsim_tokio::task::{JoinSet, LocalSet};

#[test]
fn join_set_joins_in_completion_order_in_both_worlds() {
    everywhere(|| async {
        let mut set = JoinSet::new();
        assert!(set.is_empty());
        for ms in [30u64, 1, 15] {
            set.spawn(async move {
                sleep(Duration::from_millis(ms)).await;
                ms
            });
        }
        set.spawn_blocking(|| 0);
        assert_eq!(set.len(), 4);
        let mut order = Vec::new();
        while let Some(done) = set.join_next_with_id().await {
            let (_id, ms) = done.unwrap();
            order.push(ms);
        }
        // The blocking task may finish anywhere among the timers on a real
        // pool; under detsim virtual time orders the timers exactly, while
        // a loaded host may fire tokio's together, in any order.
        assert!(order.contains(&0), "{order:?}");
        let mut timed: Vec<u64> = order.iter().copied().filter(|&ms| ms != 0).collect();
        if !detsim::Runtime::in_context() {
            timed.sort_unstable();
        }
        assert_eq!(timed, [1, 15, 30]);
        assert!(set.try_join_next().is_none());
        assert!(set.join_next().await.is_none());
    });
}

#[test]
fn join_set_aborts_detaches_and_shuts_down_in_both_worlds() {
    everywhere(|| async {
        let mut set: JoinSet<()> = (0..3).map(|_| sleep(Duration::from_secs(60))).collect();
        let abort = set.spawn(sleep(Duration::from_secs(60)));
        abort.abort();
        let err = set.join_next().await.unwrap().unwrap_err();
        assert!(err.is_cancelled());
        assert_eq!(err.id(), abort.id());
        set.shutdown().await;
        assert!(set.is_empty());

        set.extend([sleep(Duration::from_millis(1))]);
        set.detach_all();
        assert!(set.is_empty());

        let set: JoinSet<u8> = [2, 1].map(std::future::ready).into_iter().collect();
        let mut all = set.join_all().await;
        all.sort();
        assert_eq!(all, [1, 2]);
    });
}

#[test]
fn a_join_set_made_outside_a_run_works_inside_it() {
    let mut set = JoinSet::new();
    detsim::Runtime::sim(4).block_on(async move {
        set.spawn(async { 1 });
        set.spawn_local(async { 2 });
        let mut got: Vec<u8> = Vec::new();
        while let Some(v) = set.join_next().await {
            got.push(v.unwrap());
        }
        got.sort();
        assert_eq!(got, [1, 2]);
        // Dropping the set inside the run aborts what is left.
        let mut set = JoinSet::new();
        let abort = set.spawn(sleep(Duration::from_secs(60)));
        drop(set);
        task::yield_now().await;
        assert!(abort.is_finished());
    });
}

async fn join_set_order() -> Vec<u32> {
    let mut set = JoinSet::new();
    for i in 0..5 {
        set.spawn(async move {
            task::yield_now().await;
            i
        });
    }
    let mut order = Vec::new();
    while let Some(i) = set.join_next().await {
        order.push(i.unwrap());
    }
    order
}

#[test]
fn join_set_completion_order_replays_per_seed_and_varies_across_seeds() {
    for seed in [2, 3, 4] {
        assert_eq!(
            digest_of(seed, join_set_order),
            digest_of(seed, join_set_order)
        );
    }
    let orders: std::collections::BTreeSet<_> =
        (0..10).map(|s| digest_of(s, join_set_order).1).collect();
    assert!(orders.len() > 1, "the seed decides which task ends first");
}

#[test]
fn local_set_runs_local_tasks_in_both_worlds() {
    let body = || async {
        let local = LocalSet::new();
        let shared = std::rc::Rc::new(4);
        let task = local.spawn_local({
            let shared = shared.clone();
            async move {
                sleep(Duration::from_millis(2)).await;
                *shared * 2
            }
        });
        assert_eq!(local.run_until(task).await.unwrap(), 8);
        let done = std::rc::Rc::new(std::cell::Cell::new(false));
        local.spawn_local({
            let done = done.clone();
            async move {
                sleep(Duration::from_millis(2)).await;
                done.set(true);
            }
        });
        local.await;
        assert!(done.get());
    };
    common::on_detsim(body);
    common::on_tokio_local_set(body());
}

#[test]
fn a_join_handle_is_two_words_so_a_vec_of_handles_stays_small() {
    // tokio's is one word; ours is the world's tag and one (fat) pointer.
    // A `Vec` of handles leaves glibc's thread cache (1,032 bytes) at 65
    // of ours, 129 of tokio's, and 33 of the four-word handle ours was:
    // each allocation past it costs (benches/overhead, spawn_yield_join).
    let ours = std::mem::size_of::<task::JoinHandle<u64>>();
    let tokios = std::mem::size_of::<tokio::task::JoinHandle<u64>>();
    assert_eq!(ours, 2 * std::mem::size_of::<usize>());
    assert_eq!(tokios, std::mem::size_of::<usize>());
}

#[test]
fn join_set_spawns_on_a_handle_in_both_worlds() {
    everywhere(|| async {
        let handle = detsim_tokio::runtime::Handle::current();
        let mut set = JoinSet::new();
        for ms in [20u64, 5] {
            set.spawn_on(
                async move {
                    sleep(Duration::from_millis(ms)).await;
                    ms
                },
                &handle,
            );
        }
        set.spawn_blocking_on(|| 0, &handle);
        assert_eq!(set.len(), 3);
        let mut got = Vec::new();
        while let Some(done) = set.join_next().await {
            got.push(done.unwrap());
        }
        got.sort_unstable();
        assert_eq!(got, [0, 5, 20]);
    });
}

#[test]
fn join_set_spawns_local_tasks_on_a_local_set_in_both_worlds() {
    let body = || async {
        let local = LocalSet::new();
        let mut set = JoinSet::new();
        let shared = std::rc::Rc::new(21);
        set.spawn_local_on(
            {
                let shared = shared.clone();
                async move {
                    sleep(Duration::from_millis(3)).await;
                    *shared * 2
                }
            },
            &local,
        );
        let got = local.run_until(set.join_next()).await;
        assert_eq!(got.unwrap().unwrap(), 42);
        // Awaiting the set waits for a task spawned into the join set on it.
        let done = std::rc::Rc::new(std::cell::Cell::new(false));
        set.spawn_local_on(
            {
                let done = done.clone();
                async move {
                    sleep(Duration::from_millis(3)).await;
                    done.set(true);
                    0
                }
            },
            &local,
        );
        local.await;
        assert!(done.get());
        assert_eq!(set.join_next().await.unwrap().unwrap(), 0);
    };
    common::on_detsim(body);
    common::on_tokio_local_set(body());
}

#[test]
fn join_set_spawn_on_a_run_handle_after_its_run_panics_naming_the_method() {
    let handle =
        detsim::Runtime::sim(1).block_on(async { detsim_tokio::runtime::Handle::current() });
    let mut set: JoinSet<()> = JoinSet::new();
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        set.spawn_on(async {}, &handle);
    }))
    .expect_err("a handle outside its run panics");
    let text = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(text.contains("JoinSet::spawn_on"), "{text}");
    assert!(text.contains("used outside it"), "{text}");
    assert!(set.is_empty(), "nothing was spawned");
}
