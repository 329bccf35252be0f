//! The worlds a stand-in test runs its body in: real tokio (current-thread
//! and multi-thread) and detsim's simulation.

#![allow(dead_code)] // each test binary uses part of it

use std::future::Future;

/// Runs `body` on a tokio current-thread runtime, then on a tokio
/// multi-thread runtime, both built through the stand-in's `Builder`.
#[track_caller]
pub fn on_tokio<F, Fut>(body: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let current = detsim_tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio current-thread runtime");
    current.block_on(body());
    let multi = detsim_tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio multi-thread runtime");
    multi.block_on(body());
}

/// Runs `body` inside a `LocalSet` on a tokio current-thread runtime, as
/// tokio's `!Send` tasks need.
#[track_caller]
pub fn on_tokio_local_set(body: impl Future<Output = ()>) {
    let rt = detsim_tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio current-thread runtime");
    detsim_tokio::task::LocalSet::new().block_on(&rt, body);
}

/// Runs `body` in the simulation for a few seeds.
#[track_caller]
pub fn on_detsim<F, Fut>(body: F)
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = ()>,
{
    detsim::Sim::new().seeds(8).run(body);
}

/// Runs `body` in all three worlds.
#[track_caller]
pub fn everywhere<F, Fut>(body: F)
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = ()>,
{
    on_tokio(&body);
    on_detsim(body);
}

/// The digest and outcome of one seed's run of `body`.
pub fn digest_of<Fut>(seed: u64, body: impl FnOnce() -> Fut) -> (u64, Fut::Output)
where
    Fut: Future,
{
    let rt = detsim::Runtime::sim(seed);
    let out = rt.block_on(body());
    (rt.digest(), out)
}
