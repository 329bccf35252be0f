//! Panics inside simulated tasks become failure reports, not noise.
//!
//! A process-wide panic hook is installed once. While a task is being polled
//! it records where the panic happened and stays quiet (the failure report
//! prints it); elsewhere it defers to the hook that was there before.
//!
//! A panic that says code reached for another runtime (tokio's "there is no
//! reactor running") gets a hint line naming detsim's replacement.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic;
use std::sync::Once;

thread_local! {
    static CAPTURING: Cell<bool> = const { Cell::new(false) };
    static LAST_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
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
                LAST_LOCATION.with(|l| *l.borrow_mut() = at);
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
        let mut message = message(&*payload);
        if let Some(hint) = hint(&message) {
            message.push_str("\n    ");
            message.push_str(hint);
        }
        (message, location)
    })
}

/// The phrases tokio panics with when its runtime is not running, which is
/// always the case inside a detsim run.
const TOKIO_NO_RUNTIME: [&str; 2] = [
    "there is no reactor running",
    "must be called from the context of a Tokio",
];

/// A line that tells the user what to call instead, for panics detsim
/// recognises.
fn hint(message: &str) -> Option<&'static str> {
    TOKIO_NO_RUNTIME
        .iter()
        .any(|phrase| message.contains(phrase))
        .then_some(
            "hint: this is tokio's runtime, which does not run inside detsim; use detsim's \
             replacements: detsim::spawn (tokio::spawn), detsim::time::{sleep, timeout, \
             interval} (tokio::time), detsim::net::{TcpListener, TcpStream, UdpSocket} \
             (tokio::net), detsim::fs (tokio::fs), detsim::task::spawn_blocking",
        )
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
