//! Level, edge and one-shot registrations behave as epoll(7) describes, on
//! hand-driven simulated sources. The same checks on sockets, real ones
//! included, are in `kernel_net_conformance.rs`.

use std::future::poll_fn;
use std::task::{Context, Poll};

use detsim::kernel::{Interest, Readiness, Registration, Source, Trigger};
use detsim::{Config, Faults, Runtime};
use futures::task::noop_waker_ref;

/// Polls a registration once, without waiting.
#[track_caller]
fn poll(reg: &Registration) -> Option<Readiness> {
    match reg.poll_ready(&mut Context::from_waker(noop_waker_ref())) {
        Poll::Ready(r) => Some(r),
        Poll::Pending => None,
    }
}

/// A simulated runtime without legal behaviour: these tests pin exactly
/// which readiness each trigger reports and how many bytes each call
/// moves, which a spurious readiness event or a short read (legal, and on
/// by default) would change.
fn perfect_kernel(seed: u64) -> Runtime {
    let mut config = Config::default();
    config.faults = Faults::none();
    Runtime::with_config(seed, config)
}

fn on_sim(f: impl FnOnce()) {
    perfect_kernel(0).block_on(async { f() });
}

#[test]
fn level_triggered_reports_for_as_long_as_the_condition_holds() {
    on_sim(|| {
        let src = Source::new("test", Readiness::EMPTY);
        let reg = src.register(Interest::READABLE, Trigger::Level);
        assert_eq!(poll(&reg), None);
        src.set(Readiness::READABLE, Readiness::READABLE);
        assert_eq!(poll(&reg), Some(Readiness::READABLE));
        assert_eq!(
            poll(&reg),
            Some(Readiness::READABLE),
            "still readable: reported again"
        );
        src.clear(Readiness::READABLE);
        assert_eq!(poll(&reg), None, "drained: no longer reported");
    });
}

#[test]
fn edge_triggered_reports_changes_once_and_every_new_arrival() {
    on_sim(|| {
        let src = Source::new("test", Readiness::EMPTY);
        let reg = src.register(Interest::READABLE, Trigger::Edge);
        src.set(Readiness::READABLE, Readiness::READABLE);
        assert_eq!(poll(&reg), Some(Readiness::READABLE));
        assert_eq!(poll(&reg), None, "still readable, but no new edge");
        // New data on a buffer that was never drained is an edge too.
        src.set(Readiness::READABLE, Readiness::READABLE);
        assert_eq!(poll(&reg), Some(Readiness::READABLE));
        assert_eq!(poll(&reg), None);
    });
}

#[test]
fn one_shot_reports_once_and_queues_nothing_until_rearmed() {
    on_sim(|| {
        let src = Source::new("test", Readiness::EMPTY);
        let reg = src.register(Interest::READABLE, Trigger::OneShot);
        src.set(Readiness::READABLE, Readiness::READABLE);
        assert_eq!(poll(&reg), Some(Readiness::READABLE));
        src.set(Readiness::READABLE, Readiness::READABLE);
        assert_eq!(poll(&reg), None, "disarmed: the new arrival is not queued");
        reg.rearm(Interest::READABLE);
        assert_eq!(
            poll(&reg),
            Some(Readiness::READABLE),
            "re-armed while readable: reported at once"
        );
        assert_eq!(poll(&reg), None);
    });
}

#[test]
fn registering_a_ready_source_reports_it_once_even_edge_triggered() {
    on_sim(|| {
        let src = Source::new("test", Readiness::WRITABLE);
        let reg = src.register(Interest::WRITABLE, Trigger::Edge);
        assert_eq!(poll(&reg), Some(Readiness::WRITABLE));
        assert_eq!(poll(&reg), None);
    });
}

#[test]
fn errors_are_reported_whatever_the_interest() {
    on_sim(|| {
        let src = Source::new("test", Readiness::EMPTY);
        let reg = src.register(Interest::READABLE, Trigger::Edge);
        src.set(Readiness::WRITABLE, Readiness::WRITABLE);
        assert_eq!(poll(&reg), None, "writable is not asked for");
        src.set(Readiness::ERROR, Readiness::ERROR);
        assert_eq!(poll(&reg), Some(Readiness::ERROR));
    });
}

#[test]
fn a_waiting_task_is_woken_by_the_event_its_trigger_reports() {
    perfect_kernel(3).block_on(async {
        let src = Source::new("test", Readiness::EMPTY);
        let reg = src.register(Interest::READABLE, Trigger::Edge);
        let setter = src.clone();
        detsim::spawn(async move {
            detsim::time::sleep(detsim::time::Duration::from_millis(2)).await;
            setter.set(Readiness::READABLE, Readiness::READABLE);
        });
        let r = poll_fn(|cx| reg.poll_ready(cx)).await;
        assert!(r.is_readable());
        assert_eq!(detsim::time::Instant::now().since_start().as_millis(), 2);
    });
}

#[test]
fn a_duplex_reader_gets_an_edge_per_segment_even_without_draining() {
    perfect_kernel(1).block_on(async {
        let (a, b) = detsim::io::duplex(64);
        let reg = b.source().register(Interest::READABLE, Trigger::Edge);
        a.try_write(b"one").unwrap();
        reg.ready().await;
        let mut byte = [0u8; 1];
        assert_eq!(
            b.try_read(&mut byte).unwrap(),
            1,
            "read only part of the segment"
        );
        a.try_write(b"two").unwrap();
        // Linux reports the new arrival although the reader never drained.
        reg.ready().await;
        let mut rest = [0u8; 16];
        assert_eq!(b.try_read(&mut rest).unwrap(), 5);
        assert_eq!(&rest[..5], b"netwo");
        assert_eq!(
            b.try_read(&mut rest).unwrap_err().kind(),
            std::io::ErrorKind::WouldBlock
        );
    });
}

/// Drains `n` bytes from `end` in reads of at most `chunk`, as a reader
/// that reads in small pieces.
fn read_in_pieces(end: &detsim::io::DuplexStream, n: usize, chunk: usize) {
    let mut buf = vec![0u8; chunk];
    let mut left = n;
    while left > 0 {
        let want = left.min(chunk);
        left -= end.try_read(&mut buf[..want]).unwrap();
    }
}

#[test]
fn a_full_socketpair_writer_is_woken_once_three_quarters_are_free() {
    perfect_kernel(2).block_on(async {
        let (a, b) = detsim::io::duplex(64);
        let writer = a.source().register(Interest::WRITABLE, Trigger::Edge);
        writer.ready().await;
        assert_eq!(a.try_write(&[7; 100]).unwrap(), 64);
        let full = a.try_write(&[7; 1]).unwrap_err();
        assert_eq!(full.kind(), std::io::ErrorKind::WouldBlock);
        detsim::time::sleep(detsim::time::Duration::from_millis(1)).await;
        // `unix_writable`: no wake-up while more than a quarter is used...
        read_in_pieces(&b, 47, 1);
        assert_eq!(poll(&writer), None, "17 of 64 bytes still used");
        // ...but a write that fits is still accepted.
        assert_eq!(a.try_write(&[7; 1]).unwrap(), 1);
        read_in_pieces(&b, 2, 1);
        assert!(
            poll(&writer).is_some_and(|r| r.is_writable()),
            "16 of 64 used"
        );
    });
}

#[test]
fn a_full_tcp_writer_is_woken_once_a_third_is_free() {
    use detsim::kernel::stream::{Link, StreamConfig, stream_pair};
    use std::rc::Rc;
    struct Instant;
    impl Link for Instant {}
    perfect_kernel(3).block_on(async {
        let (a, b) = stream_pair(StreamConfig {
            kind: "tcp",
            capacity: 90,
            tcp: true,
            link_ab: Rc::new(Instant),
            link_ba: Rc::new(Instant),
        });
        let a = detsim::io::DuplexStream::new(a);
        let b = detsim::io::DuplexStream::new(b);
        let writer = a.source().register(Interest::WRITABLE, Trigger::Edge);
        writer.ready().await;
        assert_eq!(a.try_write(&[7; 100]).unwrap(), 90);
        detsim::time::sleep(detsim::time::Duration::from_millis(1)).await;
        // `sk_stream_is_writeable`: free room at least half of what is
        // queued, so 30 of 90 bytes free.
        read_in_pieces(&b, 29, 1);
        assert_eq!(poll(&writer), None, "29 of 90 bytes free");
        read_in_pieces(&b, 1, 1);
        assert!(
            poll(&writer).is_some_and(|r| r.is_writable()),
            "30 of 90 free"
        );
    });
}
