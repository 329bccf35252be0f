use crate::faults::Probability;

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
    /// At a crash, chance that an unsynced write is torn at a sector
    /// boundary (part lands, part does not).
    pub torn_write: Probability,
    /// At a crash, chance that an unsynced, untorn write is lost (else it
    /// happens to have reached the media).
    pub crash_loss: Probability,
    /// Chance that a read returns data with one bit flipped. Off in every
    /// preset: opt in to test checksums.
    pub bit_flip: Probability,
    /// Chance that a write lands at the wrong offset. Off in every preset:
    /// opt in to test checksums that cover the location.
    pub misdirected_write: Probability,
}

impl DiskFaults {
    /// No storage faults; a crash still loses unsynced data half the time.
    pub fn none() -> DiskFaults {
        DiskFaults {
            read_error: Probability::NEVER,
            write_error: Probability::NEVER,
            fsync_error: Probability::NEVER,
            latent_sector_error: Probability::NEVER,
            torn_write: Probability::NEVER,
            crash_loss: Probability::lit(0.5),
            bit_flip: Probability::NEVER,
            misdirected_write: Probability::NEVER,
        }
    }

    /// Rare IO errors, torn writes at crashes: what a careful storage
    /// engine must survive.
    #[allow(clippy::should_implement_trait)] // a preset, named like the others
    pub fn default() -> DiskFaults {
        DiskFaults {
            read_error: Probability::lit(0.001),
            write_error: Probability::lit(0.001),
            fsync_error: Probability::lit(0.002),
            latent_sector_error: Probability::NEVER,
            torn_write: Probability::lit(0.2),
            crash_loss: Probability::lit(0.5),
            bit_flip: Probability::NEVER,
            misdirected_write: Probability::NEVER,
        }
    }

    /// Frequent IO errors and latent sector errors.
    pub fn chaos() -> DiskFaults {
        DiskFaults {
            read_error: Probability::lit(0.02),
            write_error: Probability::lit(0.02),
            fsync_error: Probability::lit(0.05),
            latent_sector_error: Probability::lit(0.01),
            torn_write: Probability::lit(0.5),
            crash_loss: Probability::lit(0.5),
            bit_flip: Probability::NEVER,
            misdirected_write: Probability::NEVER,
        }
    }
}

impl Default for DiskFaults {
    fn default() -> DiskFaults {
        DiskFaults::default()
    }
}
