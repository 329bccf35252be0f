//! One poll's bookkeeping: taking a task up ([`Executor::begin_poll`]),
//! what the poll borrows from the task table ([`Polling`]), and the end of
//! the poll ([`Executor::end_poll_pending`], [`Executor::end_poll_ready`]);
//! also a task removed at teardown ([`Drained`]).
//!
//! The common end of a poll, `Pending` from a task that noted no wait
//! before or during it (a future woken by a plain waker), touches no
//! entry: a flag set when the poll begins and by whatever would change
//! the entry (a wait noted, the task aborting itself) says so.

use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use super::{CellRef, Executor, TaskKey};
use crate::runtime::waker::RawKey;
use crate::task::TaskId;
use crate::task::cell::Task;

impl Executor {
    /// Takes the task up for polling (a spawned task's cell marks itself
    /// not queued when polled; the `block_on` future is marked here).
    /// `None` if the key is stale. What the task waited on before this
    /// poll stays in its entry until `end_poll_*` replaces or drops it, so
    /// nothing moves it on the common path ([`Executor::waited`] reads it
    /// for a report). Inlined into the run loop.
    #[inline(always)]
    pub(crate) fn begin_poll(&self, raw: RawKey) -> Option<(TaskKey, Polling)> {
        let key = TaskKey::from_raw(raw);
        // No wait is ever noted outside a poll (`note_wait` and
        // `restore_wait` ignore one, say by a Drop impl run when a finished
        // task's future was dropped), and every poll's end takes its own:
        // the poll starts with none.
        #[cfg(debug_assertions)]
        {
            let wait = self.current_wait.take();
            assert!(wait.is_none(), "a wait was noted outside a poll");
        }
        // Mutable borrows although nothing changes: a shared one costs an
        // overflow check and a count on both ends.
        let main;
        let slots;
        let entry = if key.is_main() {
            main = self.main.borrow_mut();
            main.as_ref()
                .filter(|_| key.generation == self.main_generation.get())?
        } else {
            slots = self.slots.borrow_mut();
            let slot = slots.get(key.index)?;
            if slot.generation != key.generation {
                return None;
            }
            slot.entry.as_ref()?
        };
        debug_assert!(self.current.get().is_none(), "one poll at a time");
        // (`block_on`'s future keeps its wait aside: below.)
        self.entry_changes.set(entry.waiting.is_some());
        let (task, data) = match &entry.task {
            // The cell marks itself not queued when polled.
            Some(task) => (Some(task.as_ptr()), task.as_ptr().as_ptr() as *const ()),
            None => {
                // `block_on`'s future: what it waits on is in
                // `main_waiting`, its waker a plain `TaskWaker`.
                debug_assert!(entry.waiting.is_none(), "main's wait is kept aside");
                self.entry_changes.set(self.main_waits.get());
                let state = self.main_state.borrow();
                let state = state.as_ref()?;
                state.unqueue();
                (None, Arc::as_ptr(state).cast::<()>())
            }
        };
        let polling = Polling {
            id: entry.id,
            task,
            // SAFETY: the waker's vtable with its data (`Entry::waker_vtable`),
            // never dropped: what it points to outlives the poll (see
            // `Polling::waker`).
            waker: ManuallyDrop::new(unsafe { Waker::new(data, entry.waker_vtable) }),
        };
        self.current.set(Some(key));
        Some((key, polling))
    }

    /// Ends a poll that returned `Pending`. If the task aborted itself
    /// meanwhile, it leaves the table, its handle is completed as
    /// cancelled, and it is returned so the caller drops its future
    /// (outside any borrow). Inlined into the run loop: when the task
    /// neither waited on anything noted before the poll nor noted a wait
    /// during it, nor aborted itself, its entry has nothing to change and
    /// is not looked up. The rare paths (`block_on`'s future, an abort)
    /// are calls of their own.
    #[inline(always)]
    pub(crate) fn end_poll_pending(&self, key: TaskKey) -> Option<CellRef> {
        self.current.set(None);
        if self.entry_changes.get() {
            return self.end_noted_poll(key);
        }
        None
    }

    /// [`Executor::end_poll_pending`] when the task's entry changes: what
    /// it waits on now replaces what it waited on before, and a task that
    /// aborted itself leaves. Inlined too: a task waiting on a resource
    /// (every simulated socket's) notes its wait at every poll.
    #[inline(always)]
    fn end_noted_poll(&self, key: TaskKey) -> Option<CellRef> {
        if key.is_main() {
            self.end_main_poll();
            return None;
        }
        let waiting = self.current_wait.take();
        let mut slots = self.slots.borrow_mut();
        let entry = slots[key.index]
            .entry
            .as_mut()
            .expect("task vanished while it was polled");
        // What the task waited on before this poll: dropped after the
        // borrow, as it may hold the last handle on a resource.
        let before = std::mem::replace(&mut entry.waiting, waiting);
        drop(slots);
        if self.abort_current.get() {
            let gone = self.remove_aborted(key);
            drop(before);
            return gone;
        }
        drop(before);
        None
    }

    /// The end of a poll of `block_on`'s future that changes what it
    /// waits on: its own cell, no entry borrowed.
    #[inline(always)]
    fn end_main_poll(&self) {
        let waiting = self.current_wait.take();
        self.main_waits.set(waiting.is_some());
        let before = self.main_waiting.replace(waiting);
        drop(before);
    }

    /// A task that aborted itself during its poll, now over: it leaves the
    /// table and its handle sees a cancelled `JoinError`.
    #[cold]
    fn remove_aborted(&self, key: TaskKey) -> Option<CellRef> {
        self.abort_current.set(false);
        let task = self.remove(key)?;
        task.cancel_join();
        Some(task)
    }

    /// Removes a finished (or panicked) task and returns its cell, whose
    /// future the caller drops. What its last poll noted it waited on is
    /// dropped: it holds the resource, and through it the runtime, which
    /// would otherwise keep the whole run alive after it ends.
    #[inline(always)]
    pub(crate) fn end_poll_ready(&self, key: TaskKey) -> Option<CellRef> {
        self.current.set(None);
        self.abort_current.set(false);
        // A note is only ever made with the flag set.
        if self.entry_changes.get() {
            let stale = self.current_wait.take();
            drop(stale);
        }
        if key.is_main() {
            self.end_main_ready();
            return None;
        }
        self.remove(key)
    }

    /// `block_on`'s future completed: what it waited on before its last
    /// poll is dropped.
    #[cold]
    fn end_main_ready(&self) {
        self.main_waits.set(false);
        let before = self.main_waiting.take();
        drop(before);
    }
}

/// A task taken up for polling.
pub(crate) struct Polling {
    pub(crate) id: TaskId,
    /// The task's cell (`None`: the `block_on` future), borrowed from its
    /// entry: an entry being polled is never removed before `end_poll_*`
    /// (an abort waits for the poll's end; see `Executor::abort`), and
    /// nothing drops the table during a poll.
    pub(super) task: Option<NonNull<dyn Task>>,
    /// The task's waker, borrowed (never dropped): a spawned task's cell
    /// (alive as long as `task` is) or `block_on`'s `TaskWaker` (kept in
    /// `main_state` for the whole `block_on`: a nested `block_on` is
    /// refused before it could replace it).
    pub(super) waker: ManuallyDrop<Waker>,
}

impl Polling {
    /// The waker for the poll's `Context`.
    #[inline]
    pub(crate) fn waker(&self) -> &Waker {
        &self.waker
    }

    /// Polls the spawned task; `None` for the `block_on` future, which
    /// the loop polls itself. Call before `end_poll_*` only.
    #[inline]
    pub(crate) fn poll_task(&self, cx: &mut Context<'_>) -> Option<Poll<()>> {
        // SAFETY: the entry's `Arc` keeps the cell alive until `end_poll_*`
        // (see `task`), and the caller polls before that.
        self.task.map(|task| unsafe { task.as_ref() }.poll(cx))
    }
}

/// A task removed at teardown: dropping it drops its future in place.
pub(crate) struct Drained(pub(super) Arc<dyn Task>);

impl Drop for Drained {
    fn drop(&mut self) {
        self.0.drop_future();
    }
}
