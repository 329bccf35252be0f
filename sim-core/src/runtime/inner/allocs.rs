//! The runtime's side of the allocation tracker (`crate::alloc`): whether
//! a run tracks its polls, charging each poll to its task, and failing the
//! run when a poll asked for more than the cap.

use std::rc::Rc;

use crate::alloc;
use crate::failure::FailureKind;
use crate::runtime::executor::TaskKey;
use crate::runtime::inner::watch::resumed_from;
use crate::runtime::{Config, RuntimeInner, context};
use crate::task::TaskId;

/// The cap a runtime enforces (`u64::MAX`: none).
///
/// # Panics
///
/// If `config` sets a cap for a simulated runtime while the tracker is not
/// the global allocator: nothing would enforce it.
pub(super) fn cap(config: &Config, is_os: bool) -> u64 {
    match config.allocation_cap {
        None | Some(0) => u64::MAX,
        Some(_) if is_os => u64::MAX,
        Some(_) if !alloc::installed() => panic!(
            "detsim: an allocation cap is set, but detsim::alloc::Tracker is not this binary's \
             global allocator, so nothing would enforce it. Install it (`#[global_allocator] \
             static ALLOC: detsim::alloc::Tracker = detsim::alloc::Tracker::system();`) in the \
             test binary, or remove the cap"
        ),
        Some(cap) => cap,
    }
}

impl RuntimeInner {
    /// Whether this run charges polls to tasks (see `crate::alloc`).
    #[inline]
    pub(crate) fn tracks_allocations(&self) -> bool {
        self.track_allocs
    }

    /// Starts charging allocations to task `id`, whose poll is about to
    /// begin (tracking runs only). The poll's panic, if any, is built
    /// untracked (`panic.rs`), so only the task's own work is charged.
    #[inline(never)]
    pub(super) fn track_poll(&self, id: TaskId) {
        alloc::begin_poll(self.alloc_cap, self.seed, id.0, self.watchdog.polls());
    }

    /// After a tracked poll of `id` (slot `key`): stops tracking, charges
    /// what the poll allocated to the task, and fails the run if it asked
    /// for more than the cap in one request.
    #[inline(never)]
    pub(super) fn charge_poll(&self, key: TaskKey, id: TaskId) {
        let charge = alloc::end_poll();
        let allocated = self.exec.charge(key, charge.usage);
        if let Some((bytes, refused)) = charge.over {
            self.fail(FailureKind::Allocation {
                task: self.task_desc(id),
                bytes,
                cap: self.alloc_cap,
                poll: self.watchdog.polls(),
                resumed: resumed_from(self.exec.waited(key).as_ref()),
                served: !refused,
                allocated,
            });
        }
    }
}

/// How the allocator's failure line names task `id` of the runtime running
/// on this thread: never panics, and gives up (`None`) rather than wait
/// for a borrow held elsewhere.
pub(crate) fn quiet_task_label(id: TaskId) -> Option<String> {
    let rt: Rc<RuntimeInner> = context::try_runtime_quiet()?;
    let info = rt.exec.try_info(id)?;
    Some(match info.name {
        Some(name) => format!("task `{name}` ({id}, spawned at {})", info.location),
        None => format!("{id} (spawned at {})", info.location),
    })
}
