//! The task table's reference to a spawned task's cell.
//!
//! An `Arc<dyn Task>` points at the `Arc`'s header; where the cell starts
//! after it depends on the cell's alignment, which for a `dyn` value is a
//! read from its vtable and three arithmetic steps, paid at every poll.
//! The table keeps the pointer `Arc::into_raw` gives instead, to the cell
//! itself, worked out once at spawn: the same strong reference, held as a
//! raw pointer. A finished task leaves the table as this reference too:
//! the run loop drops its future through it, and the `Arc` is rebuilt
//! only to be released.

use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::Arc;

use crate::task::cell::Task;

/// One strong reference to a task's cell, as a pointer to the cell.
pub(crate) struct CellRef(NonNull<dyn Task>);

impl CellRef {
    /// Takes over `task`'s reference.
    pub(super) fn new(task: Arc<dyn Task>) -> CellRef {
        let raw = Arc::into_raw(task).cast_mut();
        CellRef(NonNull::new(raw).expect("an Arc's pointer is never null"))
    }

    /// The cell, for a poll: valid for as long as this reference lives.
    #[inline]
    pub(super) fn as_ptr(&self) -> NonNull<dyn Task> {
        self.0
    }

    /// Gives the reference back as the `Arc` it was.
    pub(super) fn into_arc(self) -> Arc<dyn Task> {
        let this = ManuallyDrop::new(self);
        // SAFETY: the pointer came from `Arc::into_raw` and its reference
        // is handed back exactly once: `this` is never dropped.
        unsafe { Arc::from_raw(this.0.as_ptr()) }
    }
}

impl Deref for CellRef {
    type Target = dyn Task;

    fn deref(&self) -> &(dyn Task + 'static) {
        // SAFETY: the reference this holds keeps the cell alive.
        unsafe { self.0.as_ref() }
    }
}

impl Drop for CellRef {
    fn drop(&mut self) {
        // SAFETY: as in `into_arc`: the reference is released once, here.
        drop(unsafe { Arc::from_raw(self.0.as_ptr()) });
    }
}
