//! [`IoSource`]: a resource, its readiness, and the try-then-wait loop
//! every IO type runs, written once (tokio's `Registration::poll_io`).

use std::fmt;
use std::io;
use std::task::{Context, Poll, ready};

use crate::alloc::{self, Untracked};
use crate::kernel::{Interest, Readiness, Source, Trigger};

/// A resource with a readiness [`Source`]: what an [`IoSource`] owns.
pub trait AsSource {
    /// The resource's readiness source.
    fn source(&self) -> &Source;
}

impl<T: AsSource + ?Sized> AsSource for Box<T> {
    fn source(&self) -> &Source {
        (**self).source()
    }
}

/// A resource registered for readiness, reading and writing; owns the
/// resource, as mio's `IoSource` does, so the registrations never outlive
/// it.
///
/// A resource's operations never wait: they return `WouldBlock` when they
/// cannot make progress. Its [`Source`] says when they may: the kernel
/// sets readiness from its events (data arrived, room freed, FIN, RST; on
/// the OS an epoll event) and [`IoSource`] clears it when an operation
/// says `WouldBlock`. So readiness persists until an operation proves it
/// stale, as tokio's does: a reader that stops before `WouldBlock` finds
/// the socket still ready next time, and never loses a wake-up.
///
/// The loop ([`IoSource::poll_io`]):
///
/// 1. wait until the source is ready for the interest: its state, else
///    the level-triggered registration of each direction, which wakes the
///    task when the state changes;
/// 2. try the operation;
/// 3. on `WouldBlock`, clear exactly the readiness observed in step 1 (the
///    closed bits excepted: a closed direction stays closed) and go back
///    to 1; on `Interrupted`, try again; otherwise return the result.
///
/// Readiness is a hint. The fault plan's spurious readiness makes step 1
/// report what is not there; step 2 then says `WouldBlock` and the loop
/// waits again (a registration never reports two spurious events in a
/// row, so the loop always ends in a real wait).
///
/// No tick is needed to keep a clear from erasing newer readiness (tokio's
/// `ScheduledIo` keeps one because its reactor runs on other threads):
/// readiness changes only when the kernel delivers events, between polls,
/// never while an operation of this resource runs.
///
/// A device of one's own on the readiness model: a one-slot mailbox,
/// readable while it holds a value, read through the loop.
///
/// ```
/// use detsim::kernel::{AsSource, Interest, IoSource, Readiness, Source};
/// use std::{cell::Cell, io, rc::Rc};
///
/// struct Mailbox {
///     source: Source,
///     slot: Cell<Option<u8>>,
/// }
///
/// impl AsSource for Mailbox {
///     fn source(&self) -> &Source {
///         &self.source
///     }
/// }
///
/// impl Mailbox {
///     fn put(&self, value: u8) {
///         self.slot.set(Some(value));
///         self.source.set(Readiness::READABLE, Readiness::READABLE);
///     }
///
///     fn try_take(&self) -> io::Result<u8> {
///         self.slot.take().ok_or_else(|| io::ErrorKind::WouldBlock.into())
///     }
/// }
///
/// detsim::Runtime::sim(0).block_on(async {
///     let mailbox = Rc::new(IoSource::new(Mailbox {
///         source: Source::new("mailbox", Readiness::EMPTY),
///         slot: Cell::new(None),
///     }));
///     let sender = Rc::clone(&mailbox);
///     detsim::spawn(async move {
///         detsim::time::sleep(detsim::time::Duration::from_millis(1)).await;
///         sender.get_ref().put(7);
///     });
///     let got = std::future::poll_fn(|cx| {
///         mailbox.poll_io(cx, Interest::READABLE, |m| m.try_take())
///     })
///     .await
///     .unwrap();
///     assert_eq!(got, 7);
/// });
/// ```
pub struct IoSource<T: AsSource> {
    regs: Registrations,
    io: T,
}

/// The reader's and the writer's level-triggered registrations, as keys
/// into the one source they share: 16 bytes, where two
/// [`Registration`](crate::kernel::Registration)s (each holding the
/// source) took 32, in every socket an idle connection keeps. Dropping it
/// deregisters both, as dropping them did.
struct Registrations {
    source: Source,
    read: u32,
    write: u32,
}

impl Registrations {
    fn new(source: &Source) -> Registrations {
        let key = |interest| {
            let key = source.register_key(interest, Trigger::Level);
            u32::try_from(key).expect("fewer than 2^32 registrations on one source")
        };
        let read = key(Interest::READABLE);
        let write = key(Interest::WRITABLE);
        Registrations {
            source: source.clone(),
            read,
            write,
        }
    }
}

impl Drop for Registrations {
    fn drop(&mut self) {
        self.source.deregister(self.read as usize);
        self.source.deregister(self.write as usize);
    }
}

impl<T: AsSource> IoSource<T> {
    /// Registers `io`'s source, level-triggered, once per direction: a
    /// reader and a writer on two tasks each have their own waker.
    pub fn new(io: T) -> IoSource<T> {
        let _untracked = Untracked::new();
        let regs = Registrations::new(io.source());
        IoSource { regs, io }
    }

    /// The resource.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// Deregisters and gives the resource back.
    pub fn into_inner(self) -> T {
        self.io
    }

    /// The resource's readiness source: the one the registrations are
    /// on, held with them rather than asked of the resource (a dynamic
    /// call for a boxed socket, on every wait and operation).
    #[inline]
    pub fn source(&self) -> &Source {
        &self.regs.source
    }

    /// Ready with what the resource is ready for (`READ_CLOSED`,
    /// `WRITE_CLOSED` and `ERROR` included) while its state says so for
    /// `interest`; otherwise waits on the registrations `interest` names.
    /// A hint: the operation may still say `WouldBlock`.
    pub fn poll_ready(&self, cx: &mut Context<'_>, interest: Interest) -> Poll<Readiness> {
        let now = self.source().readiness() & interest.mask();
        if !now.is_empty() {
            return Poll::Ready(now);
        }
        let mut got = Readiness::EMPTY;
        if interest.is_readable()
            && let Poll::Ready(r) = self.source().poll_key(self.regs.read as usize, cx)
        {
            got |= r;
        }
        if interest.is_writable()
            && let Poll::Ready(r) = self.source().poll_key(self.regs.write as usize, cx)
        {
            got |= r;
        }
        if got.is_empty() {
            Poll::Pending
        } else {
            Poll::Ready(got)
        }
    }

    /// Forgets `observed` readiness, because an operation it announced
    /// said `WouldBlock`. The closed bits stay: a closed direction does
    /// not reopen.
    pub fn clear_readiness(&self, observed: Readiness) {
        let stale = observed & !(Readiness::READ_CLOSED | Readiness::WRITE_CLOSED);
        if !stale.is_empty() {
            self.source().clear(stale);
        }
    }

    /// Runs `op` until it does not say `WouldBlock`, waiting for readiness
    /// before each try; see [`IoSource`]. `Interrupted` is
    /// retried.
    #[inline]
    pub fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        // What an operation allocates (segments in flight, a datagram, an
        // error's message) is the kernel's, never the task's.
        let paused = alloc::pause();
        let result = self.poll_io_loop(cx, interest, op);
        alloc::resume(paused);
        result
    }

    #[inline(always)]
    fn poll_io_loop<R>(
        &self,
        cx: &mut Context<'_>,
        interest: Interest,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let observed = ready!(self.poll_ready(cx, interest));
            match op(&self.io) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(observed),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                result => return Poll::Ready(result),
            }
        }
    }

    /// Tries `op` once, without waiting; on `WouldBlock`, clears the
    /// readiness the state showed for `interest`, so the next wait really
    /// waits. Unlike tokio's `try_io`, the operation is tried even when
    /// the state says not ready: it is the operation that knows.
    pub fn try_io<R>(
        &self,
        interest: Interest,
        op: impl FnOnce(&T) -> io::Result<R>,
    ) -> io::Result<R> {
        let observed = self.source().readiness() & interest.mask();
        let paused = alloc::pause();
        let result = op(&self.io);
        alloc::resume(paused);
        if matches!(&result, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
            self.clear_readiness(observed);
        }
        result
    }
}

impl<T: AsSource> fmt::Debug for IoSource<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IoSource")
            .field("source", self.source())
            .finish_non_exhaustive()
    }
}
