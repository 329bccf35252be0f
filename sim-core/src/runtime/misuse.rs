//! Objects used outside their runtime.
//!
//! Sockets, files, sleeps and join handles capture the runtime they were
//! created in. Used in another runtime (a value handed out of one
//! `block_on` into the next) or after theirs ended, they would report
//! success for effects that never happen, or wait for events that never
//! come, and the run would end in a deadlock without a cause. The few
//! places every such object goes through (fault rolls, readiness waits,
//! submissions, sleeps, join handles) call [`RuntimeInner::check_current`],
//! which panics with a message naming both runtimes. Drops never check:
//! dropping a leftover object stays harmless.

use crate::runtime::{RuntimeInner, context};

impl RuntimeInner {
    /// Panics unless this runtime runs on this thread now. IO objects
    /// (sockets, files, sleeps, join handles) belong to the runtime they
    /// were created in; used in another one, or after theirs ended, they
    /// would report success for effects that never happen, or wait for
    /// events that never come. `what` names the object for the message.
    #[inline]
    #[track_caller]
    pub(crate) fn check_current(&self, what: impl FnOnce() -> String) {
        if !context::is_current(self) {
            self.used_elsewhere(&what());
        }
    }

    #[cold]
    #[track_caller]
    fn used_elsewhere(&self, what: &str) -> ! {
        let state = if self.ended.get() {
            "which has ended"
        } else {
            "which is not running"
        };
        let used = match context::try_runtime() {
            None => "outside any runtime".to_string(),
            Some(other) if other.seed == self.seed => {
                format!("in another runtime of the same seed {:#x}", other.seed)
            }
            Some(other) => format!("in runtime seed {:#x}", other.seed),
        };
        panic!(
            "detsim: {what} belongs to runtime seed {:#x}, {state}; it was used {used}. IO \
             objects, sleeps and join handles work only inside the run that created them: \
             create them inside this run instead.",
            self.seed
        )
    }
}
