//! The OS kernel: the same contract as the simulated kernel, on Linux.
//!
//! - **Clock**: `CLOCK_MONOTONIC` (std's `Instant`), counted from the
//!   runtime's start so `detsim::time::Instant` means the same thing on
//!   both backends.
//! - **Readiness**: one epoll instance. Every file descriptor is registered
//!   edge-triggered (`EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLPRI |
//!   EPOLLET`) with its slot in the kernel's slab of watched
//!   descriptors as the token (`watchers.rs`), so finding an event's
//!   [`Source`](crate::kernel::Source) is an index; an epoll event becomes a
//!   [`Source::set`](crate::kernel::Source::set) with the bits as
//!   arrivals, so `Registration`s, level/edge/one-shot triggers and the IO
//!   types' try-then-wait loop (`IoSource`) are the very code the
//!   simulation runs. An event also says what is *not* ready: epoll polls
//!   the descriptor when it hands the event out, so an event without
//!   `EPOLLOUT` means there was no room to write then, and the source
//!   forgets `WRITABLE` (room that frees later is a new event). Stream
//!   sockets forget `READABLE` themselves when a read saw the receive
//!   queue empty ([`net`]); `EPOLLPRI` (TCP urgent data, which makes reads
//!   stop short) is remembered per stream socket for that.
//! - **Sockets** ([`net`]): the runtime's network stack, real non-blocking
//!   sockets behind the socket contract of `kernel::net`, installed when
//!   the runtime is built.
//! - **Completions**: a small bounded pool of blocking threads
//!   ([`pool`]); a finished job wakes its task from the pool thread, which
//!   interrupts `epoll_wait` through an eventfd. The file system ([`fs`])
//!   runs every file operation there, or, with the `io-uring` feature and
//!   a kernel that grants a ring, its reads, writes and syncs on the
//!   kernel's io_uring instance, whose completions are reaped on this
//!   thread after every `epoll_wait` (the ring signals a second eventfd).
//! - **Scheduled actions**: the kernel's action queue with no tie-break:
//!   in time order, first-scheduled-first among actions due together.
//! - **Parking**: `epoll_wait` with the time until the next timer or
//!   scheduled action as its timeout.
//! - **Seed**: `DETSIM_SEED` if set, else OS entropy ([`seed`]); it seeds
//!   `detsim::rand`, and a failure report prints it.
//!
//! # Divergence from the simulated kernel
//!
//! Nothing is seeded (the OS kernel draws nothing from the seed): event
//! order is the real kernel's, actions due at the same instant run in the
//! order they were scheduled, simulated devices used here take their
//! minimum latency, no fault is injected, and a task that waits forever is
//! not reported as a deadlock (another thread may still wake it), as with
//! tokio.

mod fd;
pub(crate) mod fs;
pub(crate) mod net;
pub(crate) mod pool;
pub(crate) mod seed;
mod watchers;

use std::cell::{Cell, RefCell};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use rustix::event::epoll;
use rustix::event::{EventfdFlags, eventfd};

pub use fd::FdRegistration;
pub(crate) use watchers::FdToken;

use crate::kernel::Readiness;
use crate::time::Instant;
use watchers::{FIRST_RESERVED_TOKEN, Watched, Watchers};

/// Token of the eventfd that interrupts `epoll_wait` (the highest token,
/// so among those [`watchers`] leaves to the kernel's own descriptors).
const WAKE_TOKEN: u64 = u64::MAX;

/// Token of the eventfd the file ring signals on every completion.
#[cfg(feature = "io-uring")]
const URING_TOKEN: u64 = u64::MAX - 1;
#[cfg(feature = "io-uring")]
const _: () = assert!(URING_TOKEN >= FIRST_RESERVED_TOKEN);

/// The OS kernel's own state. See the module docs.
pub(crate) struct OsKernel {
    epoll: OwnedFd,
    wake_fd: Arc<OwnedFd>,
    sources: RefCell<Watchers>,
    events: RefCell<Vec<epoll::Event>>,
    /// `CLOCK_MONOTONIC` when the kernel was built, in nanoseconds.
    origin_nanos: u64,
    pub(crate) pool: pool::BlockingPool,
    /// Files' reads, writes and syncs, if the kernel granted a ring.
    #[cfg(feature = "io-uring")]
    file_ring: Option<Arc<fs::uring::FileRing>>,
}

impl OsKernel {
    pub(crate) fn new() -> io::Result<OsKernel> {
        let epoll = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        let wake_fd = eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?;
        epoll::add(
            &epoll,
            &wake_fd,
            epoll::EventData::new_u64(WAKE_TOKEN),
            epoll::EventFlags::IN | epoll::EventFlags::ET,
        )?;
        #[cfg(feature = "io-uring")]
        let file_ring = fs::uring::file_ring().and_then(|ring| {
            epoll::add(
                &epoll,
                ring.eventfd(),
                epoll::EventData::new_u64(URING_TOKEN),
                epoll::EventFlags::IN | epoll::EventFlags::ET,
            )
            .ok()?;
            Some(Arc::new(ring))
        });
        Ok(OsKernel {
            epoll,
            wake_fd: Arc::new(wake_fd),
            sources: RefCell::new(Watchers::default()),
            events: RefCell::new(Vec::with_capacity(256)),
            origin_nanos: monotonic_nanos(),
            pool: pool::BlockingPool::new(pool::DEFAULT_THREADS),
            #[cfg(feature = "io-uring")]
            file_ring,
        })
    }

    /// The file ring, if the kernel granted one.
    #[cfg(feature = "io-uring")]
    pub(crate) fn file_ring(&self) -> Option<Arc<fs::uring::FileRing>> {
        self.file_ring.clone()
    }

    /// Completes the file operations whose completions arrived.
    fn reap_files(&self) {
        #[cfg(feature = "io-uring")]
        if let Some(ring) = &self.file_ring {
            ring.reap();
        }
    }

    /// Time since the runtime started, on the monotonic clock. Out of
    /// line: `Kernel::now` is inlined wherever devices and timers ask the
    /// time, simulated or not, and the OS read there would only bloat them.
    #[inline(never)]
    pub(crate) fn now(&self) -> Instant {
        self.turn_now()
    }

    /// [`OsKernel::now`], inlined into the loop's turn, which reads the
    /// clock twice per message of a request/response exchange (before and
    /// after each park).
    #[inline(always)]
    pub(crate) fn turn_now(&self) -> Instant {
        Instant::from_nanos(monotonic_nanos().saturating_sub(self.origin_nanos))
    }

    /// The hook that interrupts `epoll_wait` from any thread.
    pub(crate) fn unparker(&self) -> Box<dyn Fn() + Send + Sync> {
        let fd = Arc::clone(&self.wake_fd);
        Box::new(move || {
            // A full counter (never in practice) already guarantees a wakeup.
            let _ = rustix::io::write(&*fd, &1u64.to_ne_bytes());
        })
    }

    /// Registers `fd` for `source`, edge-triggered for every condition;
    /// the token names the registration to [`OsKernel::deregister`].
    pub(crate) fn register(
        &self,
        fd: BorrowedFd<'_>,
        source: &crate::kernel::Source,
    ) -> io::Result<FdToken> {
        let flags = epoll::EventFlags::IN
            | epoll::EventFlags::OUT
            | epoll::EventFlags::RDHUP
            | epoll::EventFlags::PRI
            | epoll::EventFlags::ET;
        let token = self.sources.borrow_mut().insert(Watched {
            source: source.downgrade(),
            urgent: None,
        });
        if let Err(e) = epoll::add(
            &self.epoll,
            fd,
            epoll::EventData::new_u64(token.as_u64()),
            flags,
        ) {
            self.sources.borrow_mut().remove(token);
            return Err(e.into());
        }
        Ok(token)
    }

    /// The flag that turns true once an event on the descriptor `token`
    /// names reported urgent data (`EPOLLPRI`), and stays true. A stream
    /// socket asks for it when it is registered.
    pub(crate) fn urgent_flag(&self, token: FdToken) -> Rc<Cell<bool>> {
        let mut sources = self.sources.borrow_mut();
        let watched = sources
            .get_mut(token)
            .expect("urgent_flag: the descriptor is registered");
        Rc::clone(watched.urgent.get_or_insert_with(Rc::default))
    }

    /// Forgets `fd`'s registration (closing the fd removes it from epoll;
    /// deleting first keeps dup'ed descriptors from lingering).
    pub(crate) fn deregister(&self, fd: BorrowedFd<'_>, token: FdToken) {
        let _ = epoll::delete(&self.epoll, fd);
        self.sources.borrow_mut().remove(token);
    }

    /// Waits for readiness events or `timeout`, and reports every event on
    /// its source (waking the registrations its trigger reports to).
    pub(crate) fn park(&self, timeout: Option<Duration>) -> io::Result<()> {
        let timespec = timeout.map(|t| rustix::time::Timespec {
            tv_sec: t.as_secs().min(i64::MAX as u64) as i64,
            tv_nsec: i64::from(t.subsec_nanos()),
        });
        let mut events = self.events.borrow_mut();
        events.clear();
        match epoll::wait(
            &self.epoll,
            rustix::buffer::spare_capacity(&mut *events),
            timespec.as_ref(),
        ) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => {
                drop(events);
                // io_uring's task work may have posted completions on the
                // way out of the interrupted call.
                self.reap_files();
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
        // The borrow of `events` lasts while sources wake their tasks: only
        // `park` uses it, and a waker cannot re-enter `park`.
        for e in events.iter() {
            let (token, flags) = (e.data.u64(), e.flags);
            if token >= FIRST_RESERVED_TOKEN {
                if token == WAKE_TOKEN {
                    let mut buf = [0u8; 8];
                    let _ = rustix::io::read(self.wake_fd.as_fd(), &mut buf);
                }
                // The file ring's (`URING_TOKEN`): reaped below, once,
                // however many completions it signals.
                continue;
            }
            let source = {
                let sources = self.sources.borrow();
                let Some(watched) = sources.get(token) else {
                    continue;
                };
                if flags.contains(epoll::EventFlags::PRI)
                    && let Some(urgent) = &watched.urgent
                {
                    urgent.set(true);
                }
                watched.source.upgrade()
            };
            if let Some(source) = source {
                let source = crate::kernel::Source::from_inner(source);
                let bits = readiness(flags);
                // epoll polled the descriptor as it handed the event out:
                // without `EPOLLOUT`, there was no room then. (Not so for
                // `EPOLLIN`: a stream socket may still hold bytes it read
                // ahead, which only its own reads can tell.)
                if !bits.contains(Readiness::WRITABLE) {
                    source.clear(Readiness::WRITABLE);
                }
                source.set(bits, bits);
            }
        }
        drop(events);
        self.reap_files();
        Ok(())
    }
}

/// `CLOCK_MONOTONIC` (std's `Instant`) in nanoseconds. The executor reads
/// it at every loop turn: glibc's vDSO call and one multiply, where
/// `Instant::elapsed` adds a checked `Duration` subtraction and a `u128`.
#[inline(always)]
fn monotonic_nanos() -> u64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec; CLOCK_MONOTONIC always
    // exists on Linux, so the call cannot fail.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t) };
    (t.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(t.tv_nsec as u64)
}

fn readiness(flags: epoll::EventFlags) -> Readiness {
    use epoll::EventFlags as F;
    let mut r = Readiness::EMPTY;
    if flags.contains(F::IN) {
        r |= Readiness::READABLE;
    }
    if flags.contains(F::OUT) {
        r |= Readiness::WRITABLE;
    }
    if flags.contains(F::RDHUP) {
        r |= Readiness::READ_CLOSED | Readiness::READABLE;
    }
    if flags.contains(F::HUP) {
        r |= Readiness::READ_CLOSED
            | Readiness::WRITE_CLOSED
            | Readiness::READABLE
            | Readiness::WRITABLE;
    }
    if flags.contains(F::ERR) {
        r |= Readiness::ERROR;
    }
    r
}
