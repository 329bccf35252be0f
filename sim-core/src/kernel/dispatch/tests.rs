//! The kernel's dispatch: parking, ordering of due actions, device draws
//! and the turn's clock, on both backends.

use super::*;

#[test]
fn the_simulated_kernel_parks_by_jumping_its_clock_and_never_without_a_deadline() {
    let kernel = Kernel::sim(7);
    let at = Instant::from_nanos(1_000);
    assert_eq!(kernel.park(Some(at)).unwrap(), Parked::ClockJumped);
    assert_eq!(kernel.clock(), at);
    assert_eq!(kernel.now(), at);
    assert_eq!(kernel.park(Some(Instant::ZERO)).unwrap(), Parked::Woken);
    assert_eq!(kernel.clock(), at, "the clock never goes back");
    assert_eq!(kernel.park(None).unwrap(), Parked::Never);
}

#[cfg(target_os = "linux")]
#[test]
fn the_os_kernel_runs_actions_due_together_in_scheduling_order() {
    use std::rc::Rc;

    let kernel = Kernel::os().unwrap();
    let log = Rc::new(RefCell::new(Vec::new()));
    let at = Instant::from_nanos(5);
    for n in 0..16 {
        let log = Rc::clone(&log);
        kernel.schedule(at, Action::from(move || log.borrow_mut().push(n)));
    }
    assert_eq!(kernel.next_due(), Some(at));
    kernel.run_due(at);
    assert_eq!(*log.borrow(), (0..16).collect::<Vec<_>>());
    assert_eq!(kernel.next_due(), None);
}

#[cfg(target_os = "linux")]
#[test]
fn the_os_kernel_draws_no_device_latency() {
    let kernel = Kernel::os().unwrap();
    let (min, max) = (Duration::from_micros(5), Duration::from_micros(500));
    assert_eq!(kernel.device_delay(min, max), min);
    assert_eq!(kernel.pickup_delay(min, max), Duration::ZERO);
    let sim = Kernel::sim(7);
    let drawn = sim.device_delay(min, max);
    assert!(min <= drawn && drawn <= max, "{drawn:?}");
    assert!(sim.pickup_delay(min, max) >= min);
}

#[test]
fn a_draw_over_a_kept_span_is_the_draw_over_its_bounds() {
    let (a, b) = (Kernel::sim(7), Kernel::sim(7));
    let ranges = [(5, 500), (9, 9), (0, 1), (0, u64::MAX)];
    for (min, max) in ranges.map(|(l, h)| (Duration::from_nanos(l), Duration::from_nanos(h))) {
        let span = super::super::sim::span_nanos(min, max);
        assert_eq!(a.device_delay(min, max), b.device_delay_span(min, span));
    }
    let huge = (Duration::ZERO, Duration::MAX);
    let span = super::super::sim::span_nanos(huge.0, huge.1);
    assert_eq!(span, u64::MAX, "saturated");
    assert_eq!(
        a.device_delay(huge.0, huge.1),
        b.device_delay_span(huge.0, span)
    );
    // Both streams moved alike: the next draws agree too.
    assert_eq!(
        a.pickup_delay(Duration::ZERO, Duration::from_micros(3)),
        b.pickup_delay(Duration::ZERO, Duration::from_micros(3))
    );
}

#[cfg(target_os = "linux")]
#[test]
fn the_os_clock_is_read_at_each_turn() {
    let kernel = Kernel::os().unwrap();
    let before = kernel.clock();
    std::thread::sleep(Duration::from_millis(2));
    assert_eq!(kernel.clock(), before, "stamps hold still within a turn");
    kernel.begin_turn();
    assert!(kernel.clock() >= before + Duration::from_millis(2));
    assert!(kernel.now() >= kernel.clock());
}
