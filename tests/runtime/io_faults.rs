//! The fault plan breaks naive IO code and leaves correct code alone.

use std::cell::RefCell;

use crate::common;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use detsim::io::{BlockDevice, BlockDeviceConfig, DuplexStream, duplex};
use detsim::time::{Duration, sleep};
use detsim::trace::EventKind;
use detsim::{Config, FailureKind, FaultKind, Faults, Probability, Runtime, Sim, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

/// Treats every wake after the first poll as "data is there".
struct TrustsEveryWake<'a> {
    stream: &'a DuplexStream,
    registered: bool,
}

impl Future for TrustsEveryWake<'_> {
    type Output = u8;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u8> {
        let mut byte = [0u8];
        if self.registered {
            let n = self
                .stream
                .try_read(&mut byte)
                .expect("woken, so the byte must be there");
            return Poll::Ready(byte[n - 1]);
        }
        self.registered = true;
        match self.stream.poll_read_ready(cx) {
            Poll::Ready(_) => Poll::Ready(0),
            Poll::Pending => Poll::Pending,
        }
    }
}

async fn wake_trusting_exchange() {
    let (a, b) = duplex(8);
    let busy = spawn(async {
        for _ in 0..50 {
            detsim::task::yield_now().await;
        }
    });
    spawn(async move {
        sleep(Duration::from_millis(1)).await;
        a.try_write(&[42]).unwrap();
        sleep(Duration::from_millis(1)).await;
    });
    let got = TrustsEveryWake {
        stream: &b,
        registered: false,
    }
    .await;
    assert_eq!(got, 42);
    busy.await.unwrap();
}

#[test]
fn a_future_that_treats_any_wake_as_readiness_passes_without_faults() {
    Sim::new()
        .faults(Faults::none())
        .seeds(50)
        .run(wake_trusting_exchange);
}

#[test]
fn a_future_that_treats_any_wake_as_readiness_fails_under_spurious_wakes() {
    let mut plan = Faults::none();
    plan.spurious_wake = Probability::new(0.1).unwrap();
    let failure = Sim::new()
        .faults(plan)
        .seeds(50)
        .try_run(wake_trusting_exchange)
        .expect_err("found");
    let FailureKind::Panic { message, .. } = &failure.failure.kind else {
        panic!("expected a panic, got {}", failure.failure.kind);
    };
    assert!(
        message.contains("woken, so the byte must be there"),
        "{message}"
    );
    assert!(
        failure
            .failure
            .faults
            .iter()
            .any(|f| f.kind == FaultKind::SpuriousWake),
        "{:?}",
        failure.failure.faults
    );
}

/// Ignores how many bytes each write accepted.
async fn naive_send(stream: &mut DuplexStream, data: &[u8]) {
    for chunk in data.chunks(16) {
        let _ = stream.write(chunk).await.unwrap();
    }
    stream.close().await.unwrap();
}

async fn correct_send(stream: &mut DuplexStream, data: &[u8]) {
    stream.write_all(data).await.unwrap();
    stream.close().await.unwrap();
}

fn message() -> Vec<u8> {
    (0..200u32).map(|i| (i % 251) as u8).collect()
}

async fn transfer(naive: bool) {
    let (mut a, mut b) = duplex(64);
    let sender = spawn(async move {
        let data = message();
        if naive {
            naive_send(&mut a, &data).await
        } else {
            correct_send(&mut a, &data).await
        }
    });
    let mut got = Vec::new();
    b.read_to_end(&mut got).await.unwrap();
    sender.await.unwrap();
    assert!(
        got == message(),
        "stream corrupted: got {} of {} bytes",
        got.len(),
        message().len()
    );
}

#[test]
fn a_write_loop_that_ignores_the_count_is_caught_within_50_seeds() {
    let failure = Sim::new()
        .faults(Faults::default())
        .seeds(50)
        .try_run(|| transfer(true))
        .expect_err("partial writes must corrupt the naive stream");
    assert!(failure.failure.seed < 50);
    assert!(
        failure
            .failure
            .faults
            .iter()
            .any(|f| f.kind == FaultKind::PartialWrite)
    );
}

#[test]
fn write_all_survives_default_and_chaos_faults() {
    Sim::new()
        .faults(Faults::default())
        .seeds(200)
        .run(|| transfer(false));
    Sim::new()
        .faults(Faults::chaos())
        .seeds(100)
        .run(|| transfer(false));
}

async fn hundred_completions() -> Vec<usize> {
    let dev = BlockDevice::new(BlockDeviceConfig::default());
    let order = Rc::new(RefCell::new(Vec::new()));
    let ops: Vec<_> = (0..100)
        .map(|i| {
            let (dev, order) = (dev.clone(), order.clone());
            spawn(async move {
                let (n, _) = dev.write_at(vec![i as u8; 4096], i as u64 * 4096).await;
                n.unwrap();
                order.borrow_mut().push(i);
            })
        })
        .collect();
    for op in ops {
        op.await.unwrap();
    }
    Rc::try_unwrap(order).unwrap().into_inner()
}

fn completion_order(seed: u64) -> Vec<usize> {
    Runtime::sim(seed).block_on(hundred_completions())
}

#[test]
fn concurrent_completions_finish_in_a_seeded_order() {
    let first = completion_order(1);
    assert_eq!(first.len(), 100);
    assert_eq!(first, completion_order(1), "same seed, same order");
    let others: Vec<_> = (2..6).map(completion_order).collect();
    assert!(
        others.iter().any(|o| *o != first),
        "different seeds should reorder completions"
    );
    assert_ne!(
        first,
        (0..100).collect::<Vec<_>>(),
        "completions should not simply follow submission"
    );
}

async fn mixed_workload() {
    let dev = BlockDevice::new(BlockDeviceConfig::default());
    let writes = spawn({
        let dev = dev.clone();
        async move {
            for i in 0..20u64 {
                // A completion may be short: write the rest, as correct code must.
                let mut done = 0;
                while done < 100 {
                    let (n, _) = dev
                        .write_at(vec![1; 100 - done], i * 100 + done as u64)
                        .await;
                    done += n.unwrap();
                }
            }
        }
    });
    transfer(false).await;
    writes.await.unwrap();
    let (n, buf) = dev.read_at(vec![0; 2000], 0).await;
    let n = n.unwrap();
    assert!(buf[..n].iter().all(|&b| b == 1));
}

#[test]
fn with_no_faults_no_fault_event_appears_in_the_trace() {
    let mut config = Config::default();
    config.faults = Faults::none();
    config.record_all_events = true;
    for seed in 0..5 {
        let rt = Runtime::with_config(seed, config.clone());
        rt.block_on(mixed_workload());
        let events = rt.take_events().unwrap();
        assert!(
            events.len() > 100,
            "the workload should produce a real trace"
        );
        let faults: Vec<_> = events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Fault { .. }))
            .collect();
        assert!(faults.is_empty(), "seed {seed}: {faults:?}");
    }
}

#[test]
fn chaos_runs_are_bit_for_bit_repeatable() {
    let mut config = Config::default();
    config.faults = Faults::chaos();
    for seed in 0..10 {
        let digest = |_| {
            let rt = Runtime::with_config(seed, config.clone());
            rt.block_on(mixed_workload());
            (rt.digest(), rt.trace_len())
        };
        assert_eq!(digest(0), digest(1), "seed {seed}");
    }
}

/// A run whose body is cut short by a spurious poll of itself and a
/// partial write, then fails on purpose: its report, as values.
fn partial_write_report() -> detsim::Failure {
    let mut config = Config::default();
    config.faults = Faults::none();
    config.faults.partial_write = Probability::ALWAYS;
    config.faults.spurious_poll = Probability::ALWAYS;
    *Runtime::with_config(7, config)
        .try_block_on(async {
            // The body returns `Pending` once, here: a spurious poll polls
            // it again at once (its only target: the task that returned
            // `Pending`), and the yield is over on either poll.
            detsim::task::yield_now().await;
            let (mut a, _b) = duplex(64);
            let n = a.write(&[1; 32]).await.unwrap();
            panic!("wrote {n} of 32 bytes");
        })
        .expect_err("the body panics on purpose")
}

#[test]
fn a_failures_faults_are_values_with_their_kind_occurrence_and_target() {
    let failure = partial_write_report();
    let [poll, write] = &failure.faults[..] else {
        panic!("expected two faults:\n{failure}");
    };
    assert_eq!((poll.kind, poll.occurrence), (FaultKind::SpuriousPoll, 0));
    assert_eq!(poll.target_name.as_deref(), Some("main"));
    let body = poll.task().expect("a scheduling fault hits a task");
    assert_eq!(body.as_u64(), poll.target);
    assert_eq!((write.kind, write.occurrence), (FaultKind::PartialWrite, 0));
    assert_eq!(write.target_name.as_deref(), Some("duplex#1"));
    assert_eq!(write.task(), None);
    assert!(write.at <= failure.at);
    // Rendered, they are the report's lines, as they always were.
    common::assert_contains(
        &failure.to_string(),
        "faults injected (2):\n    \
         t=0.000ms FAULT spurious_poll on task#0 `main`\n    \
         t=0.000ms FAULT partial_write on duplex#1 (0)\n",
    );
    assert_eq!(
        write.with_occurrence().to_string(),
        "t=0.000ms partial_write#0 on duplex#1 (0)"
    );
}

#[test]
fn a_failures_events_are_trace_events_with_the_names_of_what_they_concern() {
    let failure = partial_write_report();
    // The faults are among the events, as trace events carrying their kind.
    let faults: Vec<_> = failure
        .recent_events
        .iter()
        .filter(|e| matches!(e.event().kind, EventKind::Fault { .. }))
        .collect();
    assert!(matches!(
        faults[1].event().kind,
        EventKind::Fault {
            kind: FaultKind::PartialWrite,
            occurrence: 0,
            ..
        }
    ));
    let as_faults: Vec<_> = faults.iter().filter_map(|e| e.fault()).collect();
    assert_eq!(as_faults, failure.faults);
    assert_eq!(faults[1].name(), Some("duplex#1"));
    // A task event names its task.
    let first = &failure.recent_events[0];
    assert!(
        matches!(first.event().kind, EventKind::Spawned { task } if task.as_u64() == 0),
        "{first:?}"
    );
    assert_eq!(first.name(), Some("main"));
    assert_eq!(first.to_string(), "t=0.000ms spawn task#0 `main`");
    let report = failure.to_string();
    for event in &failure.recent_events {
        common::assert_contains(&report, &format!("\n    {event}\n"));
    }
}
