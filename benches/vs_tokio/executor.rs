//! Executor workloads: spawning and joining, yielding, waking, and timers
//! (a chain of sleeps, 1,000 sleepers with random deadlines).

use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant as HostInstant};

use futures::task::AtomicWaker;

use crate::harness::{detsim_rt, tokio_rt, tokio_rt_paused};

// --- spawn 10k tasks, then join them all -----------------------------------

pub(crate) fn detsim_spawn_join_batch(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        let handles: Vec<_> = (0..n).map(|i| detsim::spawn(async move { i })).collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

pub(crate) fn tokio_spawn_join_batch(n: usize) -> Duration {
    tokio_rt().block_on(async move {
        let start = HostInstant::now();
        let handles: Vec<_> = (0..n).map(|i| tokio::spawn(async move { i })).collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

// --- spawn one task and await it, n times -----------------------------------

pub(crate) fn detsim_spawn_await_serial(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        let mut sum = 0;
        for i in 0..n {
            sum += detsim::spawn(async move { i }).await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

pub(crate) fn tokio_spawn_await_serial(n: usize) -> Duration {
    tokio_rt().block_on(async move {
        let start = HostInstant::now();
        let mut sum = 0;
        for i in 0..n {
            sum += tokio::spawn(async move { i }).await.unwrap();
        }
        black_box(sum);
        start.elapsed()
    })
}

// --- 100 tasks yielding; n is the total number of yields --------------------

const YIELDERS: usize = 100;

pub(crate) fn detsim_yield_many(n: usize) -> Duration {
    let per_task = n / YIELDERS;
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        let handles: Vec<_> = (0..YIELDERS)
            .map(|_| {
                detsim::spawn(async move {
                    for _ in 0..per_task {
                        detsim::task::yield_now().await;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        start.elapsed()
    })
}

pub(crate) fn tokio_yield_many(n: usize) -> Duration {
    let per_task = n / YIELDERS;
    tokio_rt().block_on(async move {
        let start = HostInstant::now();
        let handles: Vec<_> = (0..YIELDERS)
            .map(|_| {
                tokio::spawn(async move {
                    for _ in 0..per_task {
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await.unwrap();
        }
        start.elapsed()
    })
}

// --- two tasks handing a token back and forth; n is the number of hand-offs --
//
// The mechanism is runtime-free (an atomic counter and one `AtomicWaker` per
// player), so both sides run identical futures and only the executors' wake
// and poll paths differ. It is `Send`, so tokio uses plain `tokio::spawn`
// rather than paying for a `LocalSet`.

struct Court {
    /// How many hits so far; player `hits % 2` is to play.
    hits: AtomicUsize,
    wakers: [AtomicWaker; 2],
}

impl Court {
    fn new() -> Arc<Court> {
        Arc::new(Court {
            hits: AtomicUsize::new(0),
            wakers: [AtomicWaker::new(), AtomicWaker::new()],
        })
    }
}

/// Resolves when the court has seen exactly `hit` hits: `me`'s turn.
struct MyTurn<'a> {
    court: &'a Court,
    me: usize,
    hit: usize,
}

impl Future for MyTurn<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.court.hits.load(Ordering::Acquire) == self.hit {
            return Poll::Ready(());
        }
        self.court.wakers[self.me].register(cx.waker());
        // Checked again after registering: a hit in between would otherwise
        // be a lost wakeup.
        if self.court.hits.load(Ordering::Acquire) == self.hit {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

/// Player `me` makes every hit `h < n` with `h % 2 == me`.
async fn player(court: Arc<Court>, me: usize, n: usize) {
    for hit in (me..n).step_by(2) {
        MyTurn {
            court: &court,
            me,
            hit,
        }
        .await;
        court.hits.store(hit + 1, Ordering::Release);
        court.wakers[1 - me].wake();
    }
}

pub(crate) fn detsim_ping_pong(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let court = Court::new();
        let start = HostInstant::now();
        let a = detsim::spawn(player(court.clone(), 0, n));
        let b = detsim::spawn(player(court.clone(), 1, n));
        a.await.unwrap();
        b.await.unwrap();
        assert_eq!(court.hits.load(Ordering::Relaxed), n);
        start.elapsed()
    })
}

pub(crate) fn tokio_ping_pong(n: usize) -> Duration {
    tokio_rt().block_on(async move {
        let court = Court::new();
        let start = HostInstant::now();
        let a = tokio::spawn(player(court.clone(), 0, n));
        let b = tokio::spawn(player(court.clone(), 1, n));
        a.await.unwrap();
        b.await.unwrap();
        assert_eq!(court.hits.load(Ordering::Relaxed), n);
        start.elapsed()
    })
}

// --- one task sleeping 1 ms, n times in a row -------------------------------

const CHAIN_STEP: Duration = Duration::from_millis(1);

pub(crate) fn detsim_sleep_chain(n: usize) -> Duration {
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        for _ in 0..n {
            detsim::time::sleep(CHAIN_STEP).await;
        }
        start.elapsed()
    })
}

pub(crate) fn tokio_sleep_chain(n: usize) -> Duration {
    tokio_rt_paused().block_on(async move {
        let start = HostInstant::now();
        for _ in 0..n {
            tokio::time::sleep(CHAIN_STEP).await;
        }
        start.elapsed()
    })
}

// --- 1,000 tasks sleeping until random deadlines ----------------------------
//
// n is the total number of sleepers: n / SLEEPERS rounds of SLEEPERS tasks,
// one round after another on the same runtime. Deadlines are whole
// milliseconds (tokio's timer resolution) from a fixed-seed generator, the
// same list on both sides.

pub(crate) const SLEEPERS: usize = 1_000;
const SLEEP_MAX_MS: u64 = 10_000;

/// splitmix64: deterministic, and independent of both runtimes' RNGs.
fn deadlines_ms() -> Vec<u64> {
    let mut state: u64 = 0x5eed_0fde_751a;
    (0..SLEEPERS)
        .map(|_| {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            1 + z % SLEEP_MAX_MS
        })
        .collect()
}

pub(crate) fn detsim_random_sleepers(n: usize) -> Duration {
    let deadlines = deadlines_ms();
    detsim_rt().block_on(async move {
        let start = HostInstant::now();
        for _ in 0..n / SLEEPERS {
            let base = detsim::time::Instant::now();
            let handles: Vec<_> = deadlines
                .iter()
                .map(|&ms| {
                    let at = base + Duration::from_millis(ms);
                    detsim::spawn(detsim::time::sleep_until(at))
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        }
        start.elapsed()
    })
}

pub(crate) fn tokio_random_sleepers(n: usize) -> Duration {
    let deadlines = deadlines_ms();
    tokio_rt_paused().block_on(async move {
        let start = HostInstant::now();
        for _ in 0..n / SLEEPERS {
            let base = tokio::time::Instant::now();
            let handles: Vec<_> = deadlines
                .iter()
                .map(|&ms| {
                    let at = base + Duration::from_millis(ms);
                    tokio::spawn(tokio::time::sleep_until(at))
                })
                .collect();
            for h in handles {
                h.await.unwrap();
            }
        }
        start.elapsed()
    })
}
