//! `detsim_tokio::time` in both worlds: virtual time under detsim, tokio's
//! clock elsewhere.

mod common;

use common::{digest_of, everywhere, on_detsim, on_tokio};
use detsim_tokio::time::{
    self, Duration, Instant, MissedTickBehavior, interval, interval_at, sleep, sleep_until,
    timeout, timeout_at,
};

#[test]
fn tokio_clock_reads_virtual_time_inside_detsim() {
    // The issue: tokio::time::Instant moved 1.4 µs while detsim slept 3,600 s.
    detsim::Runtime::sim(7).block_on(async {
        let start = Instant::now();
        let sim_start = detsim::time::Instant::now();
        detsim::time::sleep(Duration::from_secs(3600)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(3600));
        assert_eq!(sim_start.elapsed(), Duration::from_secs(3600));
        sleep(Duration::from_secs(3600)).await;
        assert_eq!(start.elapsed(), Duration::from_secs(7200));
    });
}

#[test]
fn instant_converts_to_and_from_std_in_both_worlds() {
    everywhere(|| async {
        let now = Instant::now();
        let std: std::time::Instant = now.into();
        assert_eq!(Instant::from_std(std), now);
        assert_eq!(Instant::from(now.into_std()), now);
        let later = now + Duration::from_millis(3);
        assert_eq!(later - now, Duration::from_millis(3));
        assert_eq!(now - later, Duration::ZERO, "Sub saturates, like tokio's");
        assert_eq!(now.checked_duration_since(later), None);
        assert_eq!(later.checked_sub(Duration::from_millis(3)), Some(now));
        assert_eq!(now.checked_add(Duration::from_millis(3)), Some(later));
        let mut moved = now;
        moved += Duration::from_secs(1);
        moved -= Duration::from_secs(1);
        assert_eq!(moved, now);
    });
}

#[test]
fn sleeps_wait_at_least_their_duration_in_both_worlds() {
    everywhere(|| async {
        let start = Instant::now();
        sleep(Duration::from_millis(20)).await;
        assert!(start.elapsed() >= Duration::from_millis(20));
        let deadline = Instant::now() + Duration::from_millis(5);
        let nap = sleep_until(deadline);
        assert_eq!(nap.deadline(), deadline);
        nap.await;
        assert!(Instant::now() >= deadline);
    });
}

#[test]
fn simulated_sleeps_end_exactly_at_their_deadline() {
    on_detsim(|| async {
        let start = Instant::now();
        let mut nap = Box::pin(sleep(Duration::from_secs(60)));
        assert!(!nap.is_elapsed());
        nap.as_mut().reset(start + Duration::from_secs(2));
        nap.as_mut().await;
        assert!(nap.is_elapsed());
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    });
}

#[test]
fn timeouts_give_elapsed_or_the_value_in_both_worlds() {
    everywhere(|| async {
        let slow = timeout(Duration::from_millis(10), sleep(Duration::from_secs(30)));
        let err = slow.await.unwrap_err();
        assert_eq!(err.to_string(), "deadline has elapsed");
        let io: std::io::Error = err.into();
        assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);

        let mut fast = timeout(Duration::from_secs(30), std::future::ready(5));
        *fast.get_mut() = std::future::ready(6);
        assert_eq!(format!("{:?}", fast.get_ref()), "Ready(Some(6))");
        assert_eq!(fast.await, Ok(6));

        let at = Instant::now() + Duration::from_millis(5);
        assert!(
            timeout_at(at, sleep(Duration::from_secs(30)))
                .await
                .is_err()
        );
        assert!(Instant::now() >= at);
        let wrapped = timeout(Duration::from_secs(1), async { 9 });
        assert_eq!(wrapped.into_inner().await, 9);
    });
}

#[test]
fn a_timeout_fires_even_when_its_future_spends_the_whole_coop_budget() {
    // tokio's Timeout polls its deadline outside the task's budget when the
    // future spent it (a busy future that yields through the budget would
    // otherwise never time out); the stand-in's does too.
    on_tokio(|| async {
        let busy = async {
            loop {
                tokio::task::coop::consume_budget().await;
            }
        };
        // The guard is real tokio's timeout, which fires however the
        // stand-in's behaves: a failure, not a hang.
        let outcome = tokio::time::timeout(
            Duration::from_secs(2),
            timeout(Duration::from_millis(5), busy),
        )
        .await;
        assert!(
            matches!(outcome, Ok(Err(_))),
            "the stand-in's timeout must fire over a future that spends the budget"
        );
    });
}

#[test]
fn interval_ticks_every_period_in_both_worlds() {
    everywhere(|| async {
        let start = Instant::now();
        let mut every = interval(Duration::from_millis(5));
        assert_eq!(every.period(), Duration::from_millis(5));
        let first = every.tick().await;
        let second = every.tick().await;
        assert!(first >= start);
        assert_eq!(second - first, Duration::from_millis(5));
        every.reset_after(Duration::from_millis(1));
        every.tick().await;
        every.reset_immediately();
        every.tick().await;
        every.reset();
        every.tick().await;
    });
}

#[test]
fn simulated_intervals_follow_tokios_missed_tick_rules() {
    on_detsim(|| async {
        let ms = Duration::from_millis;
        let start = Instant::now();
        let since = |t: Instant| t - start;
        for (behavior, expected) in [
            (MissedTickBehavior::Burst, [0, 10, 20, 30, 40]),
            // The late tick still reports when it was due (20 ms); the
            // next is due a period after it was seen (35 ms)...
            (MissedTickBehavior::Delay, [0, 10, 20, 45, 55]),
            // ... or at the next multiple of the period.
            (MissedTickBehavior::Skip, [0, 10, 20, 40, 50]),
        ] {
            let begin = Instant::now();
            let mut every = interval_at(begin, ms(10));
            every.set_missed_tick_behavior(behavior);
            assert_eq!(every.missed_tick_behavior(), behavior);
            let mut seen = Vec::new();
            for n in 0..5 {
                seen.push(since(every.tick().await) - since(begin));
                if n == 1 {
                    sleep(ms(25)).await; // busy past two ticks
                }
            }
            let expected: Vec<_> = expected.iter().map(|&m| ms(m)).collect();
            assert_eq!(seen, expected, "{behavior:?}");
            sleep_until(begin + ms(100)).await;
        }
    });
}

#[test]
fn timers_are_deterministic_per_seed() {
    let body = || async {
        let mut order = Vec::new();
        let (tx, mut rx) = detsim::sync::mpsc::unbounded_channel();
        for i in 0..4u32 {
            let tx = tx.clone();
            detsim_tokio::spawn(async move {
                sleep(Duration::from_millis(10)).await;
                tx.send(i).unwrap();
            });
        }
        drop(tx);
        while let Some(i) = rx.recv().await {
            order.push(i);
        }
        order
    };
    for seed in [1, 2, 3] {
        assert_eq!(digest_of(seed, body), digest_of(seed, body));
    }
    let orders: std::collections::BTreeSet<_> = (0..20).map(|s| digest_of(s, body).1).collect();
    assert!(orders.len() > 1, "timers due together run in seeded orders");
}

#[test]
#[should_panic(expected = "awaited inside it")]
fn a_tokio_sleep_awaited_inside_detsim_panics_with_the_fix() {
    let rt = detsim_tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let nap = {
        let _in_tokio = rt.enter();
        sleep(Duration::from_secs(5))
    };
    detsim::Runtime::sim(1).block_on(nap);
}

#[test]
fn time_module_is_usable_by_path() {
    on_tokio(|| async {
        time::sleep(Duration::from_millis(1)).await;
    });
}
