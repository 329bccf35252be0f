use std::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::rc::Rc;

use crate::kernel::Source;
use crate::runtime::RuntimeInner;

/// A file descriptor registered with the OS kernel's epoll for a
/// [`Source`]. Dropping it deregisters; drop it before closing the fd
/// (declare it before the fd's owner in a struct).
pub struct FdRegistration {
    rt: Rc<RuntimeInner>,
    fd: RawFd,
    source: Source,
}

impl FdRegistration {
    pub(crate) fn new(
        rt: Rc<RuntimeInner>,
        fd: BorrowedFd<'_>,
        source: &Source,
    ) -> io::Result<FdRegistration> {
        let os = rt.os().ok_or_else(|| {
            io::Error::other("real file descriptors can only be registered on the OS runtime (detsim::Runtime::os)")
        })?;
        os.register(fd, source)?;
        Ok(FdRegistration {
            rt: Rc::clone(&rt),
            fd: fd.as_raw_fd(),
            source: source.clone(),
        })
    }

    /// The source epoll events are reported to.
    pub fn source(&self) -> &Source {
        &self.source
    }
}

impl Drop for FdRegistration {
    fn drop(&mut self) {
        if let Some(os) = self.rt.os() {
            // SAFETY: the owner keeps the fd open until this registration is
            // dropped (documented above), so it is valid for this call.
            let fd = unsafe { BorrowedFd::borrow_raw(self.fd) };
            os.deregister(fd.as_fd(), self.source.id().as_u64());
        }
    }
}

impl fmt::Debug for FdRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FdRegistration")
            .field("fd", &self.fd)
            .field("source", &self.source)
            .finish()
    }
}
