//! Panics inside simulated tasks become failure reports, not noise.
//!
//! A process-wide panic hook is installed once. While a task is being polled
//! it records where the panic happened and stays quiet (the failure report
//! prints it); elsewhere it defers to the hook that was there before.
//!
//! A panic that says code reached for another runtime (tokio's "there is no
//! reactor running") gets hint lines naming the crate that called tokio and
//! the fix (see `foreign_runtime`).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic;
use std::sync::Once;

use super::foreign_runtime;

thread_local! {
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    static LAST_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
    /// A rendered backtrace of the last tokio "no runtime" panic: its
    /// location may be inside tokio, and the report names the caller.
    static LAST_BACKTRACE: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            // The report's bookkeeping, not the panicking task's memory.
            let _untracked = crate::alloc::Untracked::new();
            if CAPTURING.with(Cell::get) {
                let at = info.location().map(|l| l.to_string());
                // Only when the location does not already name the caller:
                // symbolising a backtrace takes a good part of a second.
                let backtrace =
                    (foreign_runtime::is_tokio_without_runtime(&message(info.payload()))
                        && at.as_deref().is_none_or(foreign_runtime::is_inside_tokio))
                    .then(|| std::backtrace::Backtrace::force_capture().to_string());
                LAST_LOCATION.with(|l| *l.borrow_mut() = at);
                LAST_BACKTRACE.with(|b| *b.borrow_mut() = backtrace);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, catching a panic as `(message, location)`.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, (String, Option<String>)> {
    let _scope = capture();
    catch_captured(f)
}

/// While the guard lives, panics on this thread are recorded quietly
/// instead of printed: a run holds one for its whole loop, so polls pay
/// for no thread-local bookkeeping.
pub(crate) fn capture() -> CaptureGuard {
    install_hook();
    CaptureGuard {
        was: CAPTURING.with(|c| c.replace(true)),
    }
}

pub(crate) struct CaptureGuard {
    was: bool,
}

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        CAPTURING.with(|c| c.set(self.was));
    }
}

/// Like [`catch`], inside a [`capture`] scope.
#[inline]
pub(crate) fn catch_captured<R>(f: impl FnOnce() -> R) -> Result<R, (String, Option<String>)> {
    panic::catch_unwind(panic::AssertUnwindSafe(f)).map_err(|payload| {
        // The report's message, not the panicking task's memory.
        let _untracked = crate::alloc::Untracked::new();
        let location = LAST_LOCATION.with(|l| l.borrow_mut().take());
        let backtrace = LAST_BACKTRACE.with(|b| b.borrow_mut().take());
        let mut message = message(&*payload);
        if foreign_runtime::is_tokio_without_runtime(&message) {
            message.push_str("\n    ");
            message.push_str(&foreign_runtime::hint(
                location.as_deref(),
                backtrace.as_deref(),
            ));
        }
        (message, location)
    })
}

fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}
