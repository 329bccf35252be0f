//! `detsim_tokio::runtime`: tokio runtimes outside detsim, handles to the
//! run inside it.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use detsim_tokio::runtime::{Builder, Handle, Runtime, RuntimeFlavor};
use detsim_tokio::time::{Duration, sleep};

fn panic_text(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("it should panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn handle_current_inside_a_run_spawns_onto_the_run() {
    common::on_detsim(|| async {
        let handle = Handle::current();
        assert_eq!(handle.runtime_flavor(), RuntimeFlavor::CurrentThread);
        let _entered = handle.enter();
        let task = handle.spawn(async {
            sleep(Duration::from_secs(10)).await;
            detsim::time::Instant::now().since_start()
        });
        assert_eq!(task.await.unwrap(), Duration::from_secs(10));
        let blocking = Handle::try_current().unwrap().spawn_blocking(|| 3);
        assert_eq!(blocking.await.unwrap(), 3);
    });
}

#[test]
fn a_run_handle_used_on_another_thread_panics_with_the_fix() {
    let handle = detsim::Runtime::sim(1).block_on(async { Handle::current() });
    let text = std::thread::spawn(move || panic_text(|| drop(handle.spawn(async {}))))
        .join()
        .unwrap();
    assert!(text.contains("was used on thread"), "{text}");
    assert!(text.contains("on the run's own thread"), "{text}");
}

#[test]
fn a_run_handle_used_after_its_run_panics() {
    let handle = detsim::Runtime::sim(1).block_on(async { Handle::current() });
    let text = panic_text(|| drop(handle.spawn(async {})));
    assert!(text.contains("used outside it"), "{text}");
    let text =
        panic_text(|| detsim::Runtime::sim(1).block_on(async { drop(handle.spawn(async {})) }));
    assert!(text.contains("another runtime of the same seed"), "{text}");
}

#[test]
fn building_a_tokio_runtime_inside_a_run_is_an_error_that_names_the_fix() {
    common::on_detsim(|| async {
        for built in [
            Builder::new_current_thread().enable_all().build(),
            Builder::new_multi_thread().build(),
            Runtime::new(),
        ] {
            let err = built.unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::Unsupported);
            let text = err.to_string();
            assert!(text.contains("outside the simulation"), "{text}");
            assert!(text.contains("tokio::spawn"), "{text}");
        }
        let local = Builder::new_current_thread().build_local(Default::default());
        assert!(local.is_err());
    });
}

#[test]
fn blocking_on_a_tokio_runtime_inside_a_run_panics() {
    let rt = Runtime::new().unwrap();
    let text = panic_text(|| detsim::Runtime::sim(1).block_on(async { rt.block_on(async {}) }));
    assert!(text.contains("`.await` the future"), "{text}");
    let text = panic_text(|| {
        detsim::Runtime::sim(1).block_on(async { Handle::current().block_on(async {}) })
    });
    assert!(text.contains("block_on"), "{text}");
}

#[test]
fn tokio_runtimes_forward_to_tokio() {
    let rt = Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(4)
        .thread_name("stand-in")
        .thread_stack_size(1 << 20)
        .thread_keep_alive(Duration::from_secs(1))
        .global_queue_interval(31)
        .event_interval(61)
        .max_io_events_per_tick(512)
        .on_thread_start(|| {})
        .on_thread_stop(|| {})
        .on_thread_park(|| {})
        .on_thread_unpark(|| {})
        .enable_all()
        .build()
        .unwrap();
    assert_eq!(rt.handle().runtime_flavor(), RuntimeFlavor::MultiThread);
    let task = rt.spawn(async { Handle::current().spawn(async { 5 }).await.unwrap() });
    assert_eq!(rt.block_on(task).unwrap(), 5);
    assert_eq!(rt.block_on(rt.spawn_blocking(|| 6)).unwrap(), 6);
    {
        let _guard = rt.enter();
        assert!(Handle::try_current().is_ok());
    }
    let handle = rt.handle().clone();
    let from_thread = std::thread::spawn(move || handle.block_on(async { 7 }))
        .join()
        .unwrap();
    assert_eq!(from_thread, 7);
    rt.shutdown_timeout(Duration::from_secs(1));
    let rt = Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .name("named")
        .thread_name_fn(|| "t".into())
        .build()
        .unwrap();
    rt.block_on(async { sleep(Duration::from_millis(1)).await });
    rt.shutdown_background();
    let err = Handle::try_current().unwrap_err();
    assert!(err.is_missing_context());
}
