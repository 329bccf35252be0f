//! The same bodies on the simulation (20 seeds, legal faults on) and on
//! `Runtime::os()`: the primitives need nothing from the simulated kernel.

use std::sync::Arc;
use std::time::Duration;

use detsim::sync::{Barrier, Mutex, Notify, RwLock, Semaphore, broadcast, mpsc, oneshot, watch};
use detsim::time::sleep;
use detsim::{Faults, Runtime, Sim};

both_backends! {
    fn a_worker_pool_fed_by_a_bounded_channel_sums_every_job() {
        let (jobs, rx) = mpsc::named_channel::<u64>("jobs", 2);
        let rx = Arc::new(Mutex::new(rx).with_name("job queue"));
        let total = Arc::new(Mutex::new(0).with_name("total"));
        let slots = Arc::new(Semaphore::new(2).with_name("slots"));
        let workers: Vec<_> = (0..3)
            .map(|_| {
                let (rx, total, slots) = (rx.clone(), total.clone(), slots.clone());
                detsim::spawn(async move {
                    loop {
                        let job = rx.lock().await.recv().await;
                        let Some(job) = job else { break };
                        let _slot = slots.acquire().await.unwrap();
                        sleep(Duration::from_micros(job)).await;
                        *total.lock().await += job;
                    }
                })
            })
            .collect();
        for job in 1..=20 {
            jobs.send(job).await.unwrap();
        }
        drop(jobs);
        for w in workers {
            w.await.unwrap();
        }
        assert_eq!(*total.lock().await, 210);
        assert_eq!(slots.available_permits(), 2);
    }

    fn notifications_watches_broadcasts_and_a_barrier_line_up() {
        let ready = Arc::new(Notify::new());
        let (config_tx, config_rx) = watch::channel(0u32);
        let (events, _) = broadcast::channel::<u32>(8);
        let start = Arc::new(Barrier::new(3));
        let state = Arc::new(RwLock::new(Vec::new()));
        let (done_tx, done_rx) = oneshot::channel();
        let mut tasks = Vec::new();
        for n in 0..2u32 {
            let (ready, start, state) = (ready.clone(), start.clone(), state.clone());
            let (mut config, mut events) = (config_rx.clone(), events.subscribe());
            tasks.push(detsim::spawn(async move {
                start.wait().await;
                ready.notified().await;
                config.wait_for(|v| *v == 1).await.unwrap();
                let e = events.recv().await.unwrap();
                state.write().await.push(n + e);
            }));
        }
        start.wait().await;
        config_tx.send(1).unwrap();
        events.send(10).unwrap();
        ready.notify_one();
        ready.notify_one();
        detsim::spawn(async move {
            for t in tasks {
                t.await.unwrap();
            }
            done_tx.send(()).unwrap();
        });
        done_rx.await.unwrap();
        let mut seen = state.read().await.clone();
        seen.sort();
        assert_eq!(seen, [10, 11]);
    }
}
