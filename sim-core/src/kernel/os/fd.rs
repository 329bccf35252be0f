//! [`FdRegistration`]: a file descriptor's owner, registered with epoll.

use std::fmt;
use std::io;
use std::ops::Deref;
use std::os::fd::AsFd;
use std::rc::Rc;

use crate::kernel::Source;
use crate::kernel::os::FdToken;
use crate::runtime::RuntimeInner;

/// An IO object (a socket, anything that owns a file descriptor) registered
/// with the OS kernel's epoll, its readiness reported on a [`Source`].
///
/// The registration owns the object, as mio's `IoSource` does: the fd
/// cannot be closed while it is registered, and dropping the registration
/// deregisters before the object (and its fd) is dropped. So
/// deregistration never hits a descriptor number that was closed and
/// reused meanwhile, without any `unsafe` at the call site. The object is
/// reachable through [`Deref`] and [`FdRegistration::get_ref`].
///
/// Built by [`KernelHandle::register_fd`](crate::kernel::KernelHandle::register_fd).
///
/// Registering a borrowed object (`&T` is `AsFd` too) ties the
/// registration to the borrow, so closing the fd first does not compile:
///
/// ```compile_fail
/// use detsim::kernel::{KernelHandle, Readiness, Source};
///
/// detsim::Runtime::os().unwrap().block_on(async {
///     let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
///     let source = Source::new("udp", Readiness::EMPTY);
///     let registration = KernelHandle::current().register_fd(&socket, &source).unwrap();
///     drop(socket); // error: `socket` is borrowed by the registration
///     drop(registration);
/// });
/// ```
pub struct FdRegistration<T: AsFd> {
    rt: Rc<RuntimeInner>,
    source: Source,
    /// What epoll's events for the descriptor carry.
    token: FdToken,
    /// Dropped after `Drop::drop` deregistered it.
    io: T,
}

impl<T: AsFd> FdRegistration<T> {
    pub(crate) fn new(rt: Rc<RuntimeInner>, io: T, source: &Source) -> io::Result<Self> {
        let token = rt.kernel.register_fd(io.as_fd(), source)?;
        Ok(FdRegistration {
            rt: Rc::clone(&rt),
            source: source.clone(),
            token,
            io,
        })
    }

    /// The source epoll events are reported to.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The registered object.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// What epoll's events for the descriptor carry.
    pub(crate) fn token(&self) -> FdToken {
        self.token
    }

    /// The OS kernel the descriptor is registered with.
    pub(crate) fn os_kernel(&self) -> &super::OsKernel {
        self.rt
            .kernel
            .os_kernel()
            .expect("a registered descriptor belongs to an OS runtime")
    }
}

impl<T: AsFd> Deref for FdRegistration<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.io
    }
}

impl<T: AsFd> Drop for FdRegistration<T> {
    fn drop(&mut self) {
        // `self.io` still owns its fd here: fields drop after this.
        self.rt
            .kernel
            .deregister_fd(self.io.as_fd(), self.source.id(), self.token);
    }
}

impl<T: AsFd> fmt::Debug for FdRegistration<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use std::os::fd::AsRawFd;
        f.debug_struct("FdRegistration")
            .field("fd", &self.io.as_fd().as_raw_fd())
            .field("source", &self.source)
            .finish()
    }
}
