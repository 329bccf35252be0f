//! tokio's readiness contract for every socket, on both backends.
//!
//! A socket's readiness is its source's state: set by the kernel's events
//! (data arriving, room freed, FIN, RST, or an epoll event on the OS
//! runtime) and cleared when an operation finds the condition gone
//! (`WouldBlock`, or the simulation's drained buffer). `readable()` reports
//! that state while it holds, so a read that leaves data behind does not
//! lose the wake-up; only when it is clear does the task wait on the edge
//! registrations, whose events (including the fault plan's spurious ones)
//! are hints: the next operation may still say `WouldBlock`.

use std::task::{Context, Poll};

use sim_core::kernel::{Interest, Readiness, Source};

/// Polls for `interest`: the source's current state if it already says
/// ready, else the edge registrations (read and write) the interest names.
pub(crate) fn poll_ready(
    cx: &mut Context<'_>,
    source: &Source,
    interest: Interest,
    poll_read: impl FnOnce(&mut Context<'_>) -> Poll<Readiness>,
    poll_write: impl FnOnce(&mut Context<'_>) -> Poll<Readiness>,
) -> Poll<Readiness> {
    let now = source.readiness() & interest.mask();
    if !now.is_empty() {
        return Poll::Ready(now);
    }
    let mut got = Readiness::EMPTY;
    if interest.is_readable()
        && let Poll::Ready(r) = poll_read(cx)
    {
        got |= r;
    }
    if interest.is_writable()
        && let Poll::Ready(r) = poll_write(cx)
    {
        got |= r;
    }
    if got.is_empty() {
        Poll::Pending
    } else {
        Poll::Ready(got)
    }
}
