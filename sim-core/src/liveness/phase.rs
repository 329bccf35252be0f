//! The liveness phase of one run: its state machine, the end-of-faults
//! hooks, and what the runtime's clock asks of it.
//!
//! States, in the only order they are entered:
//!
//! - `Faults`: from the start of the run until the virtual clock reaches
//!   the end instant. Every fault the plan has is injected.
//! - `Recovering`: entered at the end instant exactly, at the start of the
//!   loop turn whose clock reaches it, before the kernel actions and
//!   timers due then. Environment and user faults roll nothing from then
//!   on; the hooks have run (healing, restarts). The recovery deadline
//!   applies.
//! - `Recovered`: entered when a task calls
//!   [`recovered`](crate::liveness::recovered) while recovering. Nothing
//!   is checked any more: the run is an ordinary run from then on.
//!
//! The end instant counts as a pending event (the clock stops there even
//! when nothing else is due), and the deadline is checked where the clock
//! moves (`advance`), the one place time passes.

use std::cell::{Cell, RefCell};

use crate::failure::FailureKind;
use crate::kernel::ResourceId;
use crate::liveness::Liveness;
use crate::runtime::RuntimeInner;
use crate::time::Instant;
use crate::trace::EventKind;

/// A run's place in the phase; see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    Faults,
    Recovering,
    Recovered,
}

/// The phase of one run: when faults end, the deadline, where the run is,
/// and what subsystems do at the end.
pub(crate) struct Phase {
    pub(crate) end: Instant,
    pub(crate) deadline: Instant,
    state: Cell<State>,
    /// Run once, in registration order, at the end instant.
    hooks: RefCell<Vec<Box<dyn FnOnce()>>>,
}

impl Phase {
    pub(crate) fn new(liveness: &Liveness) -> Phase {
        let end = Instant::ZERO.saturating_add(liveness.faults_end());
        Phase {
            end,
            deadline: end.saturating_add(liveness.recovery()),
            state: Cell::new(State::Faults),
            hooks: RefCell::new(Vec::new()),
        }
    }

    pub(crate) fn state(&self) -> State {
        self.state.get()
    }

    /// The hooks not run yet, for the runtime's teardown to drop (they
    /// may hold what holds the runtime).
    pub(crate) fn take_hooks(&self) -> Vec<Box<dyn FnOnce()>> {
        std::mem::take(&mut *self.hooks.borrow_mut())
    }
}

impl RuntimeInner {
    /// The end instant, while the faults have not ended: a pending event
    /// for the clock.
    #[inline]
    pub(crate) fn faults_end_due(&self) -> Option<Instant> {
        self.liveness
            .as_ref()
            .filter(|p| p.state() == State::Faults)
            .map(|p| p.end)
    }

    /// Whether the run has a liveness phase and its faults have ended.
    pub(crate) fn faults_have_ended(&self) -> bool {
        self.liveness
            .as_ref()
            .is_some_and(|p| p.state() != State::Faults)
    }

    /// The recovery deadline, while it applies.
    pub(crate) fn recovery_deadline(&self) -> Option<Instant> {
        self.liveness
            .as_ref()
            .filter(|p| p.state() == State::Recovering)
            .map(|p| p.deadline)
    }

    /// Registers `hook` to run at the end of faults. Dropped unused when
    /// the run has no phase or the end has passed.
    pub(crate) fn on_faults_end(&self, hook: Box<dyn FnOnce()>) {
        if let Some(phase) = &self.liveness {
            if phase.state() == State::Faults {
                phase.hooks.borrow_mut().push(hook);
            }
        }
    }

    /// Ends the faults if the clock has reached the end instant: stops the
    /// environment and user fault rolls, records the event, runs the hooks
    /// (no borrow held: a hook may spawn tasks and schedule actions).
    pub(crate) fn end_faults_if_due(&self, now: Instant) {
        let Some(phase) = &self.liveness else { return };
        if phase.state() != State::Faults || now < phase.end {
            return;
        }
        debug_assert_eq!(now, phase.end, "the clock never jumps past the end");
        phase.state.set(State::Recovering);
        self.faults.end_faults();
        self.record(EventKind::Kernel {
            resource: ResourceId::NONE,
            what: "faults end",
            value: 0,
        });
        for hook in phase.take_hooks() {
            hook();
        }
    }

    /// The run says it has recovered: the deadline no longer applies. A
    /// no-op unless recovering.
    pub(crate) fn mark_recovered(&self) {
        let Some(phase) = &self.liveness else { return };
        if phase.state() == State::Recovering {
            phase.state.set(State::Recovered);
            self.record(EventKind::Kernel {
                resource: ResourceId::NONE,
                what: "recovered",
                value: 0,
            });
        }
    }

    /// The liveness failure of a run that, recovering, would next move its
    /// clock to `next` (`None`: nothing can ever happen again). `None`
    /// while the deadline does not apply, or when `next` is within it.
    pub(crate) fn missed_deadline(&self, next: Option<Instant>) -> Option<FailureKind> {
        let phase = self.liveness.as_ref()?;
        if phase.state() != State::Recovering || next.is_some_and(|at| at <= phase.deadline) {
            return None;
        }
        Some(FailureKind::Liveness {
            faults_ended: phase.end,
            deadline: phase.deadline,
            deadlocked: next.is_none(),
            stuck: self.stuck_tasks(),
        })
    }
}
