//! `#[tokio::main]` and `#[tokio::test]` through the stand-in: this file
//! names the stand-in `tokio`, as a service's `Cargo.toml` rename does, so
//! the attributes' expansion (`tokio::runtime::Builder`, `block_on`,
//! `tokio::pin!`) goes through it.

extern crate detsim_tokio as tokio;

use tokio::time::{Duration, Instant, sleep};

#[tokio::test]
async fn a_tokio_test_runs_on_real_tokio_through_the_stand_in() {
    let start = Instant::now();
    let task = tokio::spawn(async { 1 });
    assert_eq!(task.await.unwrap(), 1);
    sleep(Duration::from_millis(1)).await;
    assert!(start.elapsed() >= Duration::from_millis(1));
    assert_eq!(
        tokio::runtime::Handle::current().runtime_flavor(),
        tokio::runtime::RuntimeFlavor::CurrentThread
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multi_thread_tokio_test_runs_through_the_stand_in() {
    assert_eq!(
        tokio::runtime::Handle::current().runtime_flavor(),
        tokio::runtime::RuntimeFlavor::MultiThread
    );
}

#[tokio::test(flavor = "local")]
async fn a_local_tokio_test_runs_through_the_stand_in() {
    let task = tokio::task::spawn_local(async { std::rc::Rc::new(2) });
    assert_eq!(*task.await.unwrap(), 2);
}

#[tokio::main(flavor = "current_thread")]
async fn main_like() -> u8 {
    tokio::spawn(async { 9 }).await.unwrap()
}

#[test]
fn a_tokio_main_runs_through_the_stand_in() {
    assert_eq!(main_like(), 9);
}

tokio::task_local! {
    static REQUEST: u32;
}

#[test]
fn task_locals_work_in_the_simulation() {
    detsim::Runtime::sim(1).block_on(REQUEST.scope(7, async {
        tokio::task::yield_now().await;
        assert_eq!(REQUEST.get(), 7);
    }));
}

#[test]
fn pin_is_forwarded() {
    detsim::Runtime::sim(1).block_on(async {
        let nap = sleep(Duration::from_millis(1));
        tokio::pin!(nap);
        (&mut nap).await;
        assert!(nap.is_elapsed());
    });
}
