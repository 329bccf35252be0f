use crate::faults::Probability;

/// What a crash does to the changes that were not yet durable: unsynced
/// writes and truncations, and directory operations no directory fsync
/// covered. Durable data and entries always survive, whatever the
/// outcome.
///
/// Only [`CrashOutcome::Seeded`] draws anything: it is the one outcome
/// whose decisions are faults ([`FaultKind::CrashLoss`] and
/// [`FaultKind::TornWrite`]), traced, counted and shrunk like the others.
/// The other two are deterministic, so a plan with no fault kind on
/// ([`DiskFaults::none`]) still crashes the same way on every seed.
///
/// ```
/// use detsim::faults::{CrashOutcome, DiskFaults};
///
/// assert_eq!(DiskFaults::none().crash_outcome, CrashOutcome::LoseUnsynced);
/// assert_eq!(DiskFaults::default().crash_outcome, CrashOutcome::Seeded);
/// ```
///
/// [`FaultKind::CrashLoss`]: crate::FaultKind::CrashLoss
/// [`FaultKind::TornWrite`]: crate::FaultKind::TornWrite
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrashOutcome {
    /// Nothing unsynced reached the media: after the crash every file
    /// holds what its last fsync made durable, and the namespace is what
    /// the last directory fsync made durable. The strictest outcome, and
    /// the one [`DiskFaults::none`] uses: code that relies on anything it
    /// did not fsync fails on every seed.
    LoseUnsynced,
    /// Everything unsynced reached the media, as when only the process
    /// died and the kernel wrote its page cache back: the disk after the
    /// crash is the page cache before it (but for changes a failed fsync
    /// dropped: those never reach the media).
    KeepUnsynced,
    /// The seed decides each change: pending directory operations survive
    /// as a prefix (each lost with `crash_loss`, and everything after the
    /// first loss with it), each unsynced write is torn at sector
    /// boundaries with `torn_write` or else lost with `crash_loss`, each
    /// truncation lost with `crash_loss`. What [`DiskFaults::default`] and
    /// [`DiskFaults::chaos`] use.
    Seeded,
}

/// Storage faults, applied by `detsim::fs`. Each is a [`FaultKind`]
/// (`crate::FaultKind`) with its own random stream.
///
/// [`FaultKind`]: crate::FaultKind
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct DiskFaults {
    /// Chance that a read fails with `EIO`.
    pub read_error: Probability,
    /// Chance that a write fails with `EIO`.
    pub write_error: Probability,
    /// Chance that an fsync fails with `EIO` (reported once; the data it
    /// covered is then not durable, as Linux behaves since "fsyncgate").
    pub fsync_error: Probability,
    /// Chance, per write, that a sector it touches goes bad (reads of it
    /// fail with `EIO` until rewritten).
    pub latent_sector_error: Probability,
    /// What a crash does to unsynced changes: lose them all, keep them
    /// all, or let the seed decide each with `torn_write` and
    /// `crash_loss`.
    pub crash_outcome: CrashOutcome,
    /// At a crash, chance that an unsynced write is torn at a sector
    /// boundary (part lands, part does not). Only with
    /// [`CrashOutcome::Seeded`]; [`Faults::probability`] reports it as
    /// never otherwise.
    ///
    /// [`Faults::probability`]: crate::Faults::probability
    pub torn_write: Probability,
    /// At a crash, chance that an unsynced, untorn write, or a pending
    /// directory operation, is lost (else it happens to have reached the
    /// media). Only with [`CrashOutcome::Seeded`].
    pub crash_loss: Probability,
    /// Chance that a read returns data with one bit flipped. Off in every
    /// preset: opt in to test checksums.
    pub bit_flip: Probability,
    /// Chance that a write lands at the wrong offset. Off in every preset:
    /// opt in to test checksums that cover the location.
    pub misdirected_write: Probability,
}

impl DiskFaults {
    /// No storage faults, and no random draw at a crash: the crash loses
    /// everything unsynced ([`CrashOutcome::LoseUnsynced`]), on every
    /// seed.
    pub fn none() -> DiskFaults {
        DiskFaults {
            read_error: Probability::NEVER,
            write_error: Probability::NEVER,
            fsync_error: Probability::NEVER,
            latent_sector_error: Probability::NEVER,
            crash_outcome: CrashOutcome::LoseUnsynced,
            torn_write: Probability::NEVER,
            crash_loss: Probability::NEVER,
            bit_flip: Probability::NEVER,
            misdirected_write: Probability::NEVER,
        }
    }

    /// Rare IO errors; at crashes, seeded losses and torn writes
    /// ([`CrashOutcome::Seeded`]): what a careful storage engine must
    /// survive.
    #[allow(clippy::should_implement_trait)] // a preset, named like the others
    pub fn default() -> DiskFaults {
        DiskFaults {
            read_error: Probability::lit(0.001),
            write_error: Probability::lit(0.001),
            fsync_error: Probability::lit(0.002),
            latent_sector_error: Probability::NEVER,
            crash_outcome: CrashOutcome::Seeded,
            torn_write: Probability::lit(0.2),
            crash_loss: Probability::lit(0.5),
            bit_flip: Probability::NEVER,
            misdirected_write: Probability::NEVER,
        }
    }

    /// Frequent IO errors and latent sector errors; seeded crashes that
    /// tear often.
    pub fn chaos() -> DiskFaults {
        DiskFaults {
            read_error: Probability::lit(0.02),
            write_error: Probability::lit(0.02),
            fsync_error: Probability::lit(0.05),
            latent_sector_error: Probability::lit(0.01),
            crash_outcome: CrashOutcome::Seeded,
            torn_write: Probability::lit(0.5),
            crash_loss: Probability::lit(0.5),
            bit_flip: Probability::NEVER,
            misdirected_write: Probability::NEVER,
        }
    }
}

impl DiskFaults {
    /// Whether a crash draws its outcome from the seed.
    pub(crate) fn crash_is_seeded(&self) -> bool {
        self.crash_outcome == CrashOutcome::Seeded
    }
}

impl Default for DiskFaults {
    fn default() -> DiskFaults {
        DiskFaults::default()
    }
}
