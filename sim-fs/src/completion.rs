//! [`FileCompletion`]: an owned-buffer file operation in flight, on either
//! backend.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use sim_core::kernel::Completion;

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
pub struct FileCompletion<B> {
    inner: Inner<B>,
}

enum Inner<B> {
    Sim(Completion<B>),
    #[cfg(target_os = "linux")]
    Os(crate::os::Job<(io::Result<usize>, B)>),
}

impl<B> FileCompletion<B> {
    pub(crate) fn sim(completion: Completion<B>) -> FileCompletion<B> {
        FileCompletion {
            inner: Inner::Sim(completion),
        }
    }

    #[cfg(target_os = "linux")]
    pub(crate) fn os(job: crate::os::Job<(io::Result<usize>, B)>) -> FileCompletion<B> {
        FileCompletion {
            inner: Inner::Os(job),
        }
    }

    /// Whether the result is ready.
    pub fn is_complete(&self) -> bool {
        match &self.inner {
            Inner::Sim(c) => c.is_complete(),
            #[cfg(target_os = "linux")]
            Inner::Os(job) => job.is_complete(),
        }
    }
}

impl<B> Future for FileCompletion<B> {
    type Output = (io::Result<usize>, B);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().inner {
            Inner::Sim(c) => Pin::new(c).poll(cx),
            #[cfg(target_os = "linux")]
            Inner::Os(job) => Pin::new(job).poll(cx),
        }
    }
}

impl<B> fmt::Debug for FileCompletion<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileCompletion")
            .field("complete", &self.is_complete())
            .finish()
    }
}
