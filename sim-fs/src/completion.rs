//! [`FileCompletion`]: an owned-buffer file operation in flight, on either
//! backend.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use sim_core::kernel::{BufResult, Completion, Resident};

/// A submitted [`File::read_at`](crate::File::read_at) or
/// [`File::write_at`](crate::File::write_at): resolves to the result and
/// the buffer the operation owned.
///
/// Under the simulation it is the kernel's
/// [`Completion`](sim_core::kernel::Completion), due at a seeded time; on
/// the OS runtime, a job on the blocking pool (`pread`/`pwrite`), handed to
/// the pool when the operation is submitted, not when first polled.
///
/// # Cancellation
///
/// Dropping it does not stop the operation, on either backend: the
/// operation still takes effect (a write still lands) and its buffer is
/// dropped when it completes, as with io_uring.
#[must_use = "an operation's result is only seen by awaiting its FileCompletion"]
pub struct FileCompletion<B: 'static> {
    inner: Resident<RefCell<Inner<B>>>,
}

enum Inner<B> {
    Sim(Completion<BufResult<usize, B>>),
    #[cfg(target_os = "linux")]
    Os(crate::os::Job<(io::Result<usize>, B)>),
}

impl<B: 'static> FileCompletion<B> {
    fn new(inner: Inner<B>) -> FileCompletion<B> {
        FileCompletion {
            inner: Resident::new("a FileCompletion", RefCell::new(inner)),
        }
    }

    pub(crate) fn sim(completion: Completion<BufResult<usize, B>>) -> FileCompletion<B> {
        FileCompletion::new(Inner::Sim(completion))
    }

    #[cfg(target_os = "linux")]
    pub(crate) fn os(job: crate::os::Job<(io::Result<usize>, B)>) -> FileCompletion<B> {
        FileCompletion::new(Inner::Os(job))
    }

    /// Whether the result is ready.
    ///
    /// # Panics
    ///
    /// Unless the runtime that submitted the operation runs on this thread.
    #[track_caller]
    pub fn is_complete(&self) -> bool {
        is_complete(&self.inner.get().borrow())
    }
}

fn is_complete<B>(inner: &Inner<B>) -> bool {
    match inner {
        Inner::Sim(c) => c.is_complete(),
        #[cfg(target_os = "linux")]
        Inner::Os(job) => job.is_complete(),
    }
}

impl<B: 'static> Future for FileCompletion<B> {
    type Output = (io::Result<usize>, B);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.inner.get();
        match &mut *inner.borrow_mut() {
            Inner::Sim(c) => Pin::new(c).poll(cx),
            #[cfg(target_os = "linux")]
            Inner::Os(job) => Pin::new(job).poll(cx),
        }
    }
}

impl<B: 'static> fmt::Debug for FileCompletion<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let complete = self.inner.try_get().map(|i| is_complete(&i.borrow()));
        f.debug_struct("FileCompletion")
            .field("complete", &complete)
            .finish()
    }
}
