//! The trace's digest and recent ring, as a report reads them.

use super::*;

fn polled(task: u64) -> Event {
    Event {
        at: Instant::ZERO,
        kind: EventKind::Polled { task: TaskId(task) },
    }
}

fn digest_of(events: &[Event]) -> u64 {
    let trace = Trace::new(0, false);
    for e in events {
        trace.record(e.clone());
    }
    trace.digest()
}

fn kernel(at_ns: u64, resource: u64, what: &'static str, value: i64) -> Event {
    Event {
        at: Instant::from_nanos(at_ns),
        kind: EventKind::Kernel {
            resource: crate::kernel::ResourceId::io(resource),
            what,
            value,
        },
    }
}

#[test]
fn events_that_differ_in_one_field_or_in_order_give_different_digests() {
    let base = kernel(1_000, 2, "read", 64);
    let variants = [
        base.clone(),
        kernel(1_001, 2, "read", 64),
        kernel(1_000, 3, "read", 64),
        kernel(1_000, 2, "write", 64),
        kernel(1_000, 2, "read", 63),
        // The same words under another tag.
        Event {
            at: Instant::from_nanos(1_000),
            kind: EventKind::Polled { task: TaskId(2) },
        },
        Event {
            at: Instant::from_nanos(1_000),
            kind: EventKind::Spawned { task: TaskId(2) },
        },
        // Time and a field swapped.
        kernel(2, 1_000, "read", 64),
    ];
    let mut digests: Vec<u64> = variants
        .iter()
        .map(|e| digest_of(&[polled(1), e.clone()]))
        .collect();
    // The same events, swapped.
    digests.push(digest_of(&[base.clone(), polled(1)]));
    let mut unique = digests.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), digests.len(), "{digests:x?}");
    // And the same events give the same digest.
    assert_eq!(digest_of(&[polled(1), base.clone()]), digests[0]);
}

#[test]
fn recent_events_are_the_last_ones_oldest_first_after_the_ring_wraps() {
    let trace = Trace::new(3, false);
    let recent = |t: &Trace| -> Vec<Event> { t.recent() };
    trace.record(polled(1));
    trace.record(polled(2));
    assert_eq!(recent(&trace), [polled(1), polled(2)]);
    for task in 3..=7 {
        trace.record(polled(task));
    }
    assert_eq!(recent(&trace), [polled(5), polled(6), polled(7)]);
    assert_eq!(trace.len(), 7);
}
