//! The line printed when the allocator returns null inside a tracked poll:
//! Rust aborts the process right after (`handle_alloc_error`), so this line
//! is the only report there will be, and it carries the seed and the
//! replay command.

use std::io::Write as _;

use crate::alloc::account::{self, Refusal};
use crate::alloc::size::ByteSize;
use crate::task::TaskId;

/// A request of `size` bytes got null. Prints the line if a tracked poll
/// was in progress; never panics.
#[cold]
#[inline(never)]
pub(super) fn report(size: usize, over_cap: bool) {
    let Some(refusal) = account::refused(size, over_cap) else {
        return;
    };
    // Tracking is off until `resume`, so the line's own allocations go
    // straight to the wrapped allocator. Nothing may unwind out of an
    // allocator: a panic while describing the task is caught here.
    let _ = std::panic::catch_unwind(|| print(&refusal, over_cap));
    account::resume_after_refusal();
}

fn print(r: &Refusal, over_cap: bool) {
    let task = crate::runtime::quiet_task_label(TaskId(r.task))
        .unwrap_or_else(|| TaskId(r.task).to_string());
    let cap = if over_cap {
        format!(", above the allocation cap of {}", ByteSize(r.cap))
    } else {
        String::new()
    };
    let replay = crate::runner::stall::replay_line(r.seed)
        .unwrap_or_else(|| format!("DETSIM_SEED={:#x}", r.seed));
    let _ = writeln!(
        std::io::stderr(),
        "detsim: allocation failed: {task} asked for {size} in one allocation in poll #{poll} \
         of seed {seed:#x}{cap}, and the allocator returned null: unless the caller handles \
         that (Vec::try_reserve), Rust aborts the process now.\nreplay: {replay}",
        size = ByteSize(r.size),
        poll = r.poll,
        seed = r.seed,
    );
}
