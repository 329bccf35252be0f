//! [`Action`]: a kernel event, what the action queue runs when it is due.
//!
//! The steady path of a simulated connection is one event per segment, so
//! the common events are typed values, moved into the queue without an
//! allocation: a stream segment's transmission attempt holds its stream
//! and direction. Anything else a device schedules (a completion, a
//! handshake packet, a nemesis step, a user's
//! [`KernelHandle::schedule_at`](crate::kernel::KernelHandle::schedule_at))
//! is a boxed closure.

use crate::kernel::stream::Transmission;

/// Something to do at an instant.
pub(crate) enum Action {
    /// A stream segment is due at the far end of its link (`wire.rs`).
    Segment(Transmission),
    /// Any other device's work.
    Call(Box<dyn FnOnce()>),
}

impl Action {
    /// Runs the event. It may schedule further events.
    #[inline]
    pub(crate) fn run(self) {
        match self {
            Action::Segment(transmission) => transmission.attempt(),
            Action::Call(f) => f(),
        }
    }
}

impl<F: FnOnce() + 'static> From<F> for Action {
    /// A closure as an event (boxed).
    fn from(f: F) -> Action {
        Action::Call(Box::new(f))
    }
}
