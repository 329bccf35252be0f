//! The readiness vocabulary, after mio and epoll: what a registration asks
//! for ([`Interest`]), what a resource reports ([`Readiness`]) and how
//! changes are reported ([`Trigger`]).

use std::fmt;
use std::num::NonZeroU8;
use std::ops::{BitAnd, BitOr, BitOrAssign, Not};

/// What a registration wants to hear about: readable, writable or both.
/// Never empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Interest(NonZeroU8);

impl Interest {
    /// Data to read, or the peer closed its write half (EOF).
    pub const READABLE: Interest = Interest(NonZeroU8::new(1).unwrap());
    /// Room to write, or the peer closed its read half (writes fail).
    pub const WRITABLE: Interest = Interest(NonZeroU8::new(2).unwrap());
    /// Both.
    pub const BOTH: Interest = Interest(NonZeroU8::new(3).unwrap());

    /// Whether readable events are wanted.
    pub fn is_readable(self) -> bool {
        self.0.get() & 1 != 0
    }

    /// Whether writable events are wanted.
    pub fn is_writable(self) -> bool {
        self.0.get() & 2 != 0
    }

    /// The readiness bits this interest receives. `ERROR` is always
    /// included, as epoll always reports `EPOLLERR` and `EPOLLHUP`.
    pub fn mask(self) -> Readiness {
        let mut m = Readiness::ERROR;
        if self.is_readable() {
            m |= Readiness::READABLE | Readiness::READ_CLOSED;
        }
        if self.is_writable() {
            m |= Readiness::WRITABLE | Readiness::WRITE_CLOSED;
        }
        m
    }
}

impl BitOr for Interest {
    type Output = Interest;
    fn bitor(self, rhs: Interest) -> Interest {
        Interest(self.0 | rhs.0)
    }
}

impl fmt::Display for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match (self.is_readable(), self.is_writable()) {
            (true, true) => "readable or writable",
            (true, false) => "readable",
            _ => "writable",
        })
    }
}

/// A resource's readiness state, as a bit set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Readiness(u8);

impl Readiness {
    /// Nothing.
    pub const EMPTY: Readiness = Readiness(0);
    /// Bytes (or a datagram, or a connection) can be taken without blocking.
    pub const READABLE: Readiness = Readiness(1);
    /// Bytes can be written without blocking.
    pub const WRITABLE: Readiness = Readiness(2);
    /// The peer shut down its write half: reads return 0 once drained
    /// (`EPOLLRDHUP`).
    pub const READ_CLOSED: Readiness = Readiness(4);
    /// Writing is no longer possible: the peer closed or reset (`EPOLLHUP`
    /// on the write side).
    pub const WRITE_CLOSED: Readiness = Readiness(8);
    /// An error is pending on the resource (`EPOLLERR`).
    pub const ERROR: Readiness = Readiness(16);

    /// Whether every bit of `other` is set.
    pub fn contains(self, other: Readiness) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any bit of `other` is set.
    pub fn intersects(self, other: Readiness) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether no bit is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The bits as a number (for traces).
    pub fn bits(self) -> u8 {
        self.0
    }

    /// Whether a read would make progress (data, EOF or error).
    pub fn is_readable(self) -> bool {
        self.intersects(Readiness::READABLE | Readiness::READ_CLOSED | Readiness::ERROR)
    }

    /// Whether a write would make progress (room, or an error to report).
    pub fn is_writable(self) -> bool {
        self.intersects(Readiness::WRITABLE | Readiness::WRITE_CLOSED | Readiness::ERROR)
    }
}

impl BitOr for Readiness {
    type Output = Readiness;
    fn bitor(self, rhs: Readiness) -> Readiness {
        Readiness(self.0 | rhs.0)
    }
}

impl BitOrAssign for Readiness {
    fn bitor_assign(&mut self, rhs: Readiness) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for Readiness {
    type Output = Readiness;
    fn bitand(self, rhs: Readiness) -> Readiness {
        Readiness(self.0 & rhs.0)
    }
}

impl Not for Readiness {
    type Output = Readiness;
    fn not(self) -> Readiness {
        Readiness(!self.0 & 0b1_1111)
    }
}

impl fmt::Display for Readiness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Readiness::READABLE, "readable"),
            (Readiness::WRITABLE, "writable"),
            (Readiness::READ_CLOSED, "read-closed"),
            (Readiness::WRITE_CLOSED, "write-closed"),
            (Readiness::ERROR, "error"),
        ];
        let mut first = true;
        for (bit, name) in names {
            if self.contains(bit) {
                if !first {
                    f.write_str("|")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

/// How a registration is notified, as with epoll.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// Reported for as long as the condition holds (epoll's default).
    Level,
    /// Reported when the state changes: when a bit becomes set, and on every
    /// arrival of new data even if earlier data was not drained (`EPOLLET`).
    /// A consumer that stops before `WouldBlock` is not told again until
    /// something new arrives. The OS kernel registers every descriptor
    /// with epoll this way, as tokio and mio do; detsim's IO types then
    /// keep the readiness as their source's state and wait on level
    /// registrations of it ([`IoSource`](crate::kernel::IoSource)), which
    /// is what tokio's `ScheduledIo` amounts to.
    #[default]
    Edge,
    /// Reported once, then disarmed until [`Registration::rearm`]
    /// (`EPOLLONESHOT`); changes while disarmed are not queued. Readiness is
    /// checked as a level when armed or re-armed.
    ///
    /// [`Registration::rearm`]: crate::kernel::Registration::rearm
    OneShot,
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Trigger::Level => "level-triggered",
            Trigger::Edge => "edge-triggered",
            Trigger::OneShot => "one-shot",
        })
    }
}
