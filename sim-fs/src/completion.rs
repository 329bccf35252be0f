//! [`FileCompletion`]: an owned-buffer file operation in flight.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use sim_core::kernel::{BufResult, Completion};

/// A submitted [`File::read_at`](crate::File::read_at) or
/// [`File::write_at`](crate::File::write_at): resolves to the result and
/// the buffer the operation owned.
///
/// A thin wrapper over the kernel's
/// [`Completion`](sim_core::kernel::Completion), the same on both kernels:
/// under the simulation it is due at a seeded time; on the OS runtime it
/// is a `pread`/`pwrite` job on the blocking pool, handed to the pool when
/// the operation is submitted, not when first polled.
///
/// # Cancellation
///
/// Dropping it does not stop the operation, on either kernel: the
/// operation still takes effect (a write still lands) and its buffer is
/// dropped when it completes, as with io_uring.
#[must_use = "an operation's result is only seen by awaiting its FileCompletion"]
pub struct FileCompletion<B: 'static> {
    inner: Completion<BufResult<usize, B>>,
}

impl<B: 'static> FileCompletion<B> {
    pub(crate) fn new(inner: Completion<BufResult<usize, B>>) -> FileCompletion<B> {
        FileCompletion { inner }
    }

    /// Whether the result is ready.
    ///
    /// # Panics
    ///
    /// Unless the runtime that submitted the operation runs on this thread.
    #[track_caller]
    pub fn is_complete(&self) -> bool {
        self.inner.is_complete()
    }
}

impl<B: 'static> Future for FileCompletion<B> {
    type Output = (io::Result<usize>, B);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.inner).poll(cx)
    }
}

impl<B: 'static> fmt::Debug for FileCompletion<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileCompletion")
            .field("inner", &self.inner)
            .finish()
    }
}
