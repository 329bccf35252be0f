//! The kinds of fault detsim injects, their names in traces and their
//! short codes in replay strings.

use std::fmt;

/// The kinds of fault detsim injects. Each has its own random stream, and
/// belongs to a [`FaultGroup`](super::FaultGroup) ([`FaultKind::group`]): the first nine are
/// legal behaviour, `Buggify` is the user's, the rest environment faults.
/// New kinds are appended, never inserted: a kind's position is its
/// stream id, part of the replay format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
#[repr(u8)]
pub enum FaultKind {
    /// A pending task is woken although nothing changed.
    SpuriousWake,
    /// A task that has just returned `Pending` is polled again without
    /// being woken.
    SpuriousPoll,
    /// Readiness is reported, then the next try_read/try_write says WouldBlock.
    SpuriousReadiness,
    /// A read returns fewer bytes than are available (at least one).
    ShortRead,
    /// A write accepts fewer bytes than offered (at least one).
    PartialWrite,
    /// A read or write fails with `ErrorKind::Interrupted`.
    Interrupted,
    /// A readiness event is delivered late.
    DelayedReadiness,
    /// A completion is delivered late, possibly after later submissions.
    DelayedCompletion,
    /// A read or write completes with fewer bytes than asked.
    ShortCompletion,
    /// A disk read fails with `EIO`.
    DiskReadError,
    /// A disk write fails with `EIO`.
    DiskWriteError,
    /// An fsync fails with `EIO`; the dirty data it covered is not durable.
    FsyncError,
    /// A sector goes bad: later reads of it fail with `EIO`.
    LatentSectorError,
    /// At a crash, an unsynced write is torn at a sector boundary (under
    /// a [`CrashOutcome::Seeded`](super::CrashOutcome::Seeded) crash).
    TornWrite,
    /// At a crash, an unsynced write or directory operation is lost (under
    /// a [`CrashOutcome::Seeded`](super::CrashOutcome::Seeded) crash).
    CrashLoss,
    /// A bit flips in data read from disk (opt-in corruption).
    BitFlip,
    /// A write lands at the wrong offset (opt-in corruption).
    MisdirectedWrite,
    /// A UDP datagram is dropped.
    PacketLoss,
    /// A UDP datagram is delivered twice.
    PacketDuplicate,
    /// An established TCP connection is reset.
    ConnectionReset,
    /// The plan's nemesis partitions two hosts (and later heals them).
    Partition,
    /// The plan's nemesis crashes a host (and later restarts it).
    HostCrash,
    /// A user-placed [`buggify!`](crate::buggify!) point fires: the code
    /// takes its rare path.
    Buggify,
    /// A TCP connection is slow for its whole life: tiny receive windows
    /// and segments of a few bytes, paced ([`NetFaults::slow_peer`](super::NetFaults::slow_peer)).
    SlowPeer,
}

impl FaultKind {
    /// Every kind, in stream order.
    pub const ALL: [FaultKind; 24] = [
        FaultKind::SpuriousWake,
        FaultKind::SpuriousPoll,
        FaultKind::SpuriousReadiness,
        FaultKind::ShortRead,
        FaultKind::PartialWrite,
        FaultKind::Interrupted,
        FaultKind::DelayedReadiness,
        FaultKind::DelayedCompletion,
        FaultKind::ShortCompletion,
        FaultKind::DiskReadError,
        FaultKind::DiskWriteError,
        FaultKind::FsyncError,
        FaultKind::LatentSectorError,
        FaultKind::TornWrite,
        FaultKind::CrashLoss,
        FaultKind::BitFlip,
        FaultKind::MisdirectedWrite,
        FaultKind::PacketLoss,
        FaultKind::PacketDuplicate,
        FaultKind::ConnectionReset,
        FaultKind::Partition,
        FaultKind::HostCrash,
        FaultKind::Buggify,
        FaultKind::SlowPeer,
    ];

    /// The kind's name as it appears in traces and reports.
    pub const fn name(self) -> &'static str {
        match self {
            FaultKind::SpuriousWake => "spurious_wake",
            FaultKind::SpuriousPoll => "spurious_poll",
            FaultKind::SpuriousReadiness => "spurious_readiness",
            FaultKind::ShortRead => "short_read",
            FaultKind::PartialWrite => "partial_write",
            FaultKind::Interrupted => "interrupted",
            FaultKind::DelayedReadiness => "delayed_readiness",
            FaultKind::DelayedCompletion => "delayed_completion",
            FaultKind::ShortCompletion => "short_completion",
            FaultKind::DiskReadError => "disk_read_error",
            FaultKind::DiskWriteError => "disk_write_error",
            FaultKind::FsyncError => "fsync_error",
            FaultKind::LatentSectorError => "latent_sector_error",
            FaultKind::TornWrite => "torn_write",
            FaultKind::CrashLoss => "crash_loss",
            FaultKind::BitFlip => "bit_flip",
            FaultKind::MisdirectedWrite => "misdirected_write",
            FaultKind::PacketLoss => "packet_loss",
            FaultKind::PacketDuplicate => "packet_duplicate",
            FaultKind::ConnectionReset => "connection_reset",
            FaultKind::Partition => "partition",
            FaultKind::HostCrash => "host_crash",
            FaultKind::Buggify => "buggify",
            FaultKind::SlowPeer => "slow_peer",
        }
    }

    /// The kind's short code in replay strings (`pw` for partial_write); see
    /// [`FaultSchedule`](super::FaultSchedule).
    pub fn code(self) -> &'static str {
        match self {
            FaultKind::SpuriousWake => "sw",
            FaultKind::SpuriousPoll => "sp",
            FaultKind::SpuriousReadiness => "sr",
            FaultKind::ShortRead => "shr",
            FaultKind::PartialWrite => "pw",
            FaultKind::Interrupted => "int",
            FaultKind::DelayedReadiness => "dr",
            FaultKind::DelayedCompletion => "dc",
            FaultKind::ShortCompletion => "sc",
            FaultKind::DiskReadError => "dre",
            FaultKind::DiskWriteError => "dwe",
            FaultKind::FsyncError => "fe",
            FaultKind::LatentSectorError => "lse",
            FaultKind::TornWrite => "tw",
            FaultKind::CrashLoss => "cl",
            FaultKind::BitFlip => "bf",
            FaultKind::MisdirectedWrite => "mw",
            FaultKind::PacketLoss => "pl",
            FaultKind::PacketDuplicate => "pd",
            FaultKind::ConnectionReset => "cr",
            FaultKind::Partition => "pa",
            FaultKind::HostCrash => "hc",
            FaultKind::Buggify => "bug",
            FaultKind::SlowPeer => "slp",
        }
    }

    /// The kind whose [`FaultKind::code`] is `code`.
    pub fn from_code(code: &str) -> Option<FaultKind> {
        FaultKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The kind whose [`FaultKind::name`] is `name`.
    pub fn from_name(name: &str) -> Option<FaultKind> {
        FaultKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether the kind targets a task (spurious wakes and polls) rather
    /// than a resource: the target of its trace events is a task id.
    pub fn is_scheduling(self) -> bool {
        matches!(self, FaultKind::SpuriousWake | FaultKind::SpuriousPoll)
    }

    pub(crate) fn index(self) -> usize {
        // `ALL` lists the kinds in declaration order.
        self as usize
    }
}

/// The kind's [`FaultKind::name`], as traces and reports show it.
impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
