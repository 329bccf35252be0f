//! Virtual time: the clock jumps to the next deadline when nothing can run,
//! and every timer fires exactly at its deadline.

use std::cell::RefCell;
use std::rc::Rc;

use detsim::task::yield_now;
use detsim::time::{Duration, Instant, interval, interval_at, sleep, sleep_until, timeout};
use detsim::{Config, Runtime, Sim, spawn};

#[track_caller]
fn assert_now(expected: Duration) {
    assert_eq!(Instant::now().since_start(), expected, "virtual time");
}

#[test]
fn timeout_fires_exactly_at_the_virtual_deadline() {
    Sim::new().seeds(20).run(|| async {
        sleep(Duration::from_millis(3)).await;
        let start = Instant::now();
        let slow = sleep(Duration::from_secs(10));
        let result = timeout(Duration::from_micros(1_500_001), slow).await;
        assert!(
            result.is_err(),
            "the 10 s sleep cannot beat a 1.5 s timeout"
        );
        assert_eq!(Instant::now() - start, Duration::from_micros(1_500_001));
        assert_now(Duration::from_micros(1_503_001));
    });
}

#[test]
fn a_future_ready_exactly_at_the_timeout_deadline_wins() {
    Sim::new().seeds(20).run(|| async {
        let same = sleep(Duration::from_millis(10));
        let result = timeout(Duration::from_millis(10), same).await;
        assert_eq!(result, Ok(()));
        assert_now(Duration::from_millis(10));
    });
}

#[test]
fn a_timeout_that_is_not_reached_leaves_the_clock_at_the_inner_completion() {
    Runtime::sim(0).block_on(async {
        let quick = async {
            sleep(Duration::from_millis(4)).await;
            "done"
        };
        assert_eq!(timeout(Duration::from_secs(60), quick).await, Ok("done"));
        assert_now(Duration::from_millis(4));
    });
}

#[test]
fn a_hundred_thousand_tasks_sleeping_random_durations_wake_in_deadline_order() {
    const TASKS: usize = 100_000;
    // Spawning 100,000 tasks is one long poll of the body; on a loaded host
    // it can overrun the long-poll budget, which this test is not about.
    let mut config = Config::default();
    config.long_poll_budget = Duration::ZERO;
    let wakes = Runtime::with_config(0x1d1e, config).block_on(async {
        let wakes = Rc::new(RefCell::new(Vec::with_capacity(TASKS)));
        let sleepers: Vec<_> = (0..TASKS)
            .map(|_| {
                let wakes = Rc::clone(&wakes);
                let nap = Duration::from_micros(detsim::rand::random_range(0..10_000_000));
                spawn(async move {
                    sleep(nap).await;
                    wakes.borrow_mut().push((Instant::now(), nap));
                })
            })
            .collect();
        for s in sleepers {
            s.await.unwrap();
        }
        wakes.take()
    });
    assert_eq!(wakes.len(), TASKS);
    for (i, &(woke, nap)) in wakes.iter().enumerate() {
        // Every task started at t=0, so it must wake at exactly its nap.
        assert_eq!(woke.since_start(), nap, "sleeper #{i} woke late or early");
    }
    let out_of_order = wakes.windows(2).position(|w| w[0].0 > w[1].0);
    assert_eq!(
        out_of_order, None,
        "a later deadline woke before an earlier one"
    );
    let distinct = wakes.windows(2).filter(|w| w[0].0 != w[1].0).count();
    assert!(distinct > TASKS / 2, "the naps should mostly differ");
}

#[test]
fn the_clock_moves_only_when_no_task_can_run() {
    Runtime::sim(3).block_on(async {
        let busy = spawn(async {
            for _ in 0..1_000 {
                yield_now().await;
            }
            Instant::now()
        });
        let sleeper = spawn(async {
            sleep(Duration::from_nanos(1)).await;
            Instant::now()
        });
        assert_eq!(busy.await.unwrap(), Instant::ZERO);
        assert_eq!(
            sleeper.await.unwrap().since_start(),
            Duration::from_nanos(1)
        );
    });
}

#[test]
fn an_hour_of_sleep_passes_exactly_and_sleep_until_the_past_returns_at_once() {
    Runtime::sim(4).block_on(async {
        sleep(Duration::from_secs(3600)).await;
        assert_now(Duration::from_secs(3600));
        sleep_until(Instant::ZERO).await;
        sleep(Duration::ZERO).await;
        assert_now(Duration::from_secs(3600));
    });
}

#[test]
fn interval_ticks_every_period_at_exact_virtual_instants() {
    Sim::new().seeds(10).run(|| async {
        let mut every = interval(Duration::from_millis(10));
        for n in 0..5 {
            let tick = every.tick().await;
            assert_eq!(tick.since_start(), Duration::from_millis(10 * n));
            assert_now(Duration::from_millis(10 * n));
        }
    });
}

#[test]
fn interval_delivers_missed_ticks_at_once_after_a_busy_stretch() {
    Runtime::sim(5).block_on(async {
        let start = Instant::ZERO + Duration::from_millis(5);
        let mut every = interval_at(start, Duration::from_millis(10));
        assert_eq!(every.tick().await.since_start(), Duration::from_millis(5));
        sleep(Duration::from_millis(32)).await; // now t=37ms: ticks at 15, 25, 35 are late
        for missed in [15, 25, 35] {
            assert_eq!(
                every.tick().await.since_start(),
                Duration::from_millis(missed)
            );
            assert_now(Duration::from_millis(37));
        }
        assert_eq!(every.tick().await.since_start(), Duration::from_millis(45));
        assert_now(Duration::from_millis(45));
    });
}
