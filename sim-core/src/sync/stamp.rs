//! Who did something to a sync primitive, where in the source and when:
//! the facts a deadlock report tells ("held by task `b`, locked at
//! src/x.rs:12:9"), and the names primitives go by in it.

use std::fmt;
use std::panic::Location;
use std::sync::Arc;

use crate::runtime::context;
use crate::task::TaskId;
use crate::time::Instant;

/// The task that did something, and the runtime it ran in (a primitive
/// may be shared between runtimes, whose task ids mean different things).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Owner {
    /// The address of the runtime's ready queue (what `Home` compares);
    /// 0 outside any runtime.
    pub(crate) runtime: usize,
    /// `None` outside any task.
    pub(crate) task: Option<TaskId>,
}

impl Owner {
    /// The task being polled now, in the runtime running on this thread.
    pub(crate) fn current() -> Owner {
        context::with_current(|rt| match rt {
            Some(rt) => Owner {
                runtime: Arc::as_ptr(&rt.exec.queue) as usize,
                task: rt.exec.current_id(),
            },
            None => Owner {
                runtime: 0,
                task: None,
            },
        })
    }
}

/// Who did something, where and when.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stamp {
    pub(crate) owner: Owner,
    /// The call site (a `#[track_caller]` API's caller).
    pub(crate) at: &'static Location<'static>,
    /// The runtime's clock, if a runtime was running.
    pub(crate) time: Option<Instant>,
}

impl Stamp {
    /// Now, in the current task, for a call made at `at`.
    pub(crate) fn now(at: &'static Location<'static>) -> Stamp {
        context::with_current(|rt| match rt {
            Some(rt) => Stamp {
                owner: Owner {
                    runtime: Arc::as_ptr(&rt.exec.queue) as usize,
                    task: rt.exec.current_id(),
                },
                at,
                time: Some(rt.now()),
            },
            None => Stamp {
                owner: Owner {
                    runtime: 0,
                    task: None,
                },
                at,
                time: None,
            },
        })
    }
}

/// How reports name a primitive: its kind plus the name given with
/// `with_name`/`named_channel`, else the place it was created.
#[derive(Clone, Debug)]
pub(crate) struct Label {
    kind: &'static str,
    name: Option<Box<str>>,
    created: &'static Location<'static>,
}

impl Label {
    pub(crate) fn new(kind: &'static str, created: &'static Location<'static>) -> Label {
        Label {
            kind,
            name: None,
            created,
        }
    }

    pub(crate) fn set_name(&mut self, name: impl Into<String>) {
        self.name = Some(name.into().into_boxed_str());
    }

    /// The name given by the user, if any.
    pub(crate) fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// `Mutex `accounts``, or `Mutex at tests/x.rs:12:9` when unnamed.
    pub(crate) fn whole(&self) -> String {
        match &self.name {
            Some(name) => format!("{} `{name}`", self.kind),
            None => format!("{} at {}", self.kind, self.created),
        }
    }

    /// One end of a channel: `mpsc receiver `jobs``, or `mpsc receiver of
    /// the channel at tests/x.rs:5:20` when unnamed.
    pub(crate) fn end(&self, end: &str) -> String {
        match &self.name {
            Some(name) => format!("{} {end} `{name}`", self.kind),
            None => format!("{} {end} of the channel at {}", self.kind, self.created),
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.whole())
    }
}

/// Locks one of the sync module's internal `std` mutexes. They are never
/// held while user code runs (wakers are woken and values dropped after
/// unlocking), so poisoning can only come from a bug in this module; the
/// state is still consistent enough to report, so it is not fatal.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
