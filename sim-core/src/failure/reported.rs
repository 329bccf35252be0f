//! Trace events and injected faults as a failure report holds them: the
//! structured values, with the names the run gave their tasks and
//! resources, rendered as the report prints them.
//!
//! The names are resolved when the report is made, from the runtime's
//! tables (a task's `task::Builder` name, `tcp#3`, ``node `server` ``):
//! after the run they are gone, so a report keeps them beside the events.

use std::fmt;

use crate::faults::FaultKind;
use crate::task::TaskId;
use crate::time::Instant;
use crate::trace::{Event, EventKind};

/// A trace event as a failure report shows it: the [`Event`] itself and the
/// name of the task or resource it concerns.
///
/// `Display` renders the report's line: `t=1.000ms poll task#2 `worker``,
/// `t=3.000ms kernel readable tcp#3 (1)`, `t=3.000ms FAULT partial_write on
/// tcp#3 (5)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportEvent {
    event: Event,
    name: Option<String>,
    /// Whether `name` was looked up. A report built after its run ended
    /// (the determinism check compares two finished runs) has no names and
    /// shows the event as the trace does.
    named: bool,
}

impl ReportEvent {
    /// `event`, with the name the run gave its task or resource (`None`:
    /// an unnamed task, or an event about no resource).
    pub(crate) fn named(event: Event, name: Option<String>) -> ReportEvent {
        ReportEvent {
            event,
            name,
            named: true,
        }
    }

    /// `event` from a run whose names are gone: shown as the trace shows it.
    pub(crate) fn unnamed(event: Event) -> ReportEvent {
        ReportEvent {
            event,
            name: None,
            named: false,
        }
    }

    /// The event.
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// How the report names what the event concerns: the task's name
    /// (given through `task::Builder`) for task events and scheduling
    /// faults, the resource's name (`tcp#3`, ``node `server` ``,
    /// ``link `a`->`b` ``) for kernel events and other faults; `None` when
    /// the task has no name, the event concerns no resource, or the names
    /// were not available when the report was made.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The event as an injected fault, if it is one.
    pub fn fault(&self) -> Option<InjectedFault> {
        let EventKind::Fault {
            kind,
            occurrence,
            target,
            value,
        } = self.event.kind
        else {
            return None;
        };
        Some(InjectedFault {
            at: self.event.at,
            kind,
            occurrence,
            target,
            target_name: self.name.clone(),
            value,
        })
    }
}

impl fmt::Display for ReportEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.named {
            return write!(f, "{}", self.event);
        }
        let at = self.event.at;
        let name = self.name.as_deref();
        match &self.event.kind {
            EventKind::Kernel { what, value, .. } => match name {
                Some(name) => write!(f, "t={at} kernel {what} {name} ({value})"),
                None => write!(f, "t={at} kernel {what} ({value})"),
            },
            &EventKind::Fault {
                kind,
                target,
                value,
                ..
            } => write_fault(f, at, &Label::Kind(kind), kind, target, name, value),
            EventKind::Spawned { .. }
            | EventKind::Polled { .. }
            | EventKind::Woken { .. }
            | EventKind::Finished { .. }
            | EventKind::Aborted { .. } => match name {
                Some(name) => write!(f, "{} `{name}`", self.event),
                None => write!(f, "{}", self.event),
            },
            _ => write!(f, "{}", self.event),
        }
    }
}

/// A fault injected during a run: which kind, which hit of the kind's
/// stream, when, and what it hit.
///
/// `Display` renders the report's line, `t=3.000ms FAULT partial_write on
/// tcp#3 (5)`; [`InjectedFault::with_occurrence`] the shrunk timeline's,
/// `t=3.000ms partial_write#2 on tcp#3 (5)`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InjectedFault {
    /// Virtual time of the fault.
    pub at: Instant,
    /// The fault kind.
    pub kind: FaultKind,
    /// Which hit of the kind's stream it was, from 0, suppressed hits
    /// included: what a replay schedule pins (`pw2` in `DETSIM_REPLAY`).
    pub occurrence: u64,
    /// What it hit: a task id for scheduling faults
    /// ([`FaultKind::is_scheduling`], see [`InjectedFault::task`]), else
    /// the resource's id.
    pub target: u64,
    /// The target's name: the task's name, if it has one, or the
    /// resource's (`tcp#3`, ``node `server` ``); `None` when the fault
    /// concerns no resource.
    pub target_name: Option<String>,
    /// A kind-specific number: bytes let through, a delay in nanoseconds...
    pub value: i64,
}

impl InjectedFault {
    /// The task a scheduling fault (spurious wake or poll) hit.
    pub fn task(&self) -> Option<TaskId> {
        self.kind.is_scheduling().then_some(TaskId(self.target))
    }

    /// The fault labelled with its occurrence instead of `FAULT`:
    /// `t=3.000ms partial_write#2 on tcp#3 (5)`, how the shrunk report
    /// lists the faults a replay string keeps.
    pub fn with_occurrence(&self) -> impl fmt::Display + '_ {
        struct WithOccurrence<'a>(&'a InjectedFault);
        impl fmt::Display for WithOccurrence<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let fault = self.0;
                let label = Label::Occurrence(fault.kind, fault.occurrence);
                fault.write(f, &label)
            }
        }
        WithOccurrence(self)
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, label: &Label) -> fmt::Result {
        let name = self.target_name.as_deref();
        write_fault(f, self.at, label, self.kind, self.target, name, self.value)
    }
}

impl fmt::Display for InjectedFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, &Label::Kind(self.kind))
    }
}

/// How a fault line starts: `FAULT partial_write` or `partial_write#2`.
enum Label {
    Kind(FaultKind),
    Occurrence(FaultKind, u64),
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Kind(kind) => write!(f, "FAULT {kind}"),
            Label::Occurrence(kind, n) => write!(f, "{kind}#{n}"),
        }
    }
}

/// A fault's report line. A scheduling fault names its task (and leaves
/// out its value, always 0); any other names its resource, if any.
fn write_fault(
    f: &mut fmt::Formatter<'_>,
    at: Instant,
    label: &Label,
    kind: FaultKind,
    target: u64,
    name: Option<&str>,
    value: i64,
) -> fmt::Result {
    if kind.is_scheduling() {
        write!(f, "t={at} {label} on {}", TaskId(target))?;
        return match name {
            Some(name) => write!(f, " `{name}`"),
            None => Ok(()),
        };
    }
    match name {
        Some(name) => write!(f, "t={at} {label} on {name} ({value})"),
        None => write!(f, "t={at} {label} ({value})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::ResourceId;

    fn at_ms(ms: u64) -> Instant {
        Instant::ZERO + std::time::Duration::from_millis(ms)
    }

    fn fault(kind: FaultKind, target: u64, value: i64) -> Event {
        Event {
            at: at_ms(3),
            kind: EventKind::Fault {
                kind,
                occurrence: 2,
                target,
                value,
            },
        }
    }

    #[test]
    fn named_events_show_their_task_or_resource_by_name() {
        let poll = Event {
            at: at_ms(1),
            kind: EventKind::Polled { task: TaskId(2) },
        };
        let named = ReportEvent::named(poll.clone(), Some("worker".into()));
        assert_eq!(named.to_string(), "t=1.000ms poll task#2 `worker`");
        let anonymous = ReportEvent::named(poll, None);
        assert_eq!(anonymous.to_string(), "t=1.000ms poll task#2");
        let kernel = Event {
            at: at_ms(1),
            kind: EventKind::Kernel {
                resource: ResourceId::NONE,
                what: "tick",
                value: 7,
            },
        };
        let unnamed = ReportEvent::named(kernel.clone(), None);
        assert_eq!(unnamed.to_string(), "t=1.000ms kernel tick (7)");
        // Without names (a report made after the run) the trace's own text.
        assert_eq!(
            ReportEvent::unnamed(kernel.clone()).to_string(),
            kernel.to_string()
        );
    }

    #[test]
    fn a_fault_event_is_a_structured_injected_fault() {
        let event = ReportEvent::named(fault(FaultKind::PartialWrite, 5, 4), Some("tcp#3".into()));
        assert_eq!(
            event.to_string(),
            "t=3.000ms FAULT partial_write on tcp#3 (4)"
        );
        let injected = event.fault().expect("a fault event");
        assert_eq!(injected.kind, FaultKind::PartialWrite);
        assert_eq!(
            (injected.occurrence, injected.target, injected.value),
            (2, 5, 4)
        );
        assert_eq!(injected.task(), None);
        assert_eq!(injected.to_string(), event.to_string());
        assert_eq!(
            injected.with_occurrence().to_string(),
            "t=3.000ms partial_write#2 on tcp#3 (4)"
        );
    }

    #[test]
    fn a_scheduling_fault_names_its_task_and_leaves_out_its_value() {
        let event = ReportEvent::named(fault(FaultKind::SpuriousWake, 4, 0), Some("leader".into()));
        assert_eq!(
            event.to_string(),
            "t=3.000ms FAULT spurious_wake on task#4 `leader`"
        );
        let injected = event.fault().expect("a fault event");
        assert_eq!(injected.task(), Some(TaskId(4)));
        assert_eq!(
            injected.with_occurrence().to_string(),
            "t=3.000ms spurious_wake#2 on task#4 `leader`"
        );
    }
}
