//! Fault plans: which faults the simulation injects, and how often.
//!
//! A [`Faults`] value is plain data: one [`Probability`] per fault kind plus
//! a few magnitudes, and what a disk crash does to unsynced data
//! ([`CrashOutcome`]). The kinds fall in two groups ([`FaultGroup`]):
//! **legal behaviour**, which the OS contract allows and correct code must
//! handle (spurious wakes and readiness, short reads, partial writes,
//! `Interrupted`, late, short and reordered completions), and
//! **environment faults**, the failures of the network, disks and hosts.
//!
//! The presets, from calm to rough:
//!
//! | preset | legal behaviour | environment faults | used by |
//! |---|---|---|---|
//! | [`Faults::none`] | off | off | opt-in: a perfect world, for debugging |
//! | [`Faults::legal`] | on | off | [`Sim::new`], `#[detsim::test]`, [`Runtime::sim`] ([`Config::default`]) |
//! | [`Faults::default`] | on | mild (1% UDP loss and duplication, rare disk IO errors, seeded crash losses) | opt-in; also `impl Default for Faults` |
//! | [`Faults::chaos`] | on, often | everything, often | opt-in |
//!
//! `Faults::default()` keeps its name, and `impl Default for Faults` keeps
//! returning it, so that the expression `Faults::default()` means one plan
//! whichever way it is resolved; the plan a runner uses when given none is
//! [`Faults::legal`], as [`Config::default`] says.
//!
//! Each [`FaultKind`] draws from its own random stream, so turning one kind
//! off leaves every other decision of the seed unchanged, and every
//! injected fault is a trace event naming its kind and target.
//!
//! ```
//! use detsim::{Faults, Probability};
//!
//! let mut plan = Faults::default();
//! plan.partial_write = Probability::new(0.5).unwrap();
//! assert!(Probability::new(1.5).is_err());
//! ```
//!
//! [`Sim::new`]: crate::Sim::new
//! [`Runtime::sim`]: crate::Runtime::sim
//! [`Config::default`]: crate::Config

use std::time::Duration;

mod disk;
mod group;
mod kind;
mod net;
mod probability;
mod rolls;
mod schedule;
mod swarm;
mod validate;

pub use disk::{CrashOutcome, DiskFaults};
pub use group::FaultGroup;
pub use kind::FaultKind;
pub use net::NetFaults;
pub use probability::{Probability, ProbabilityError};
pub(crate) use rolls::FaultRolls;
pub use schedule::{FaultSchedule, ScheduleError};
pub(crate) use swarm::swarm_plan;
pub use validate::{FaultPlanError, NEMESIS_TICK_MIN, PLAN_DURATION_MAX, SLOW_PEER_SEGMENT_MAX};

/// A fault plan. See the module docs.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Faults {
    /// Chance, after each poll that returns `Pending`, that a random task
    /// is woken spuriously (a stale waker firing).
    pub spurious_wake: Probability,
    /// Chance, after each poll that returns `Pending`, that the same task
    /// is polled again without a wake (as `join!` and `select!` poll every
    /// branch when one is woken).
    pub spurious_poll: Probability,
    /// Chance that a readiness event is spurious: the next try_read/try_write
    /// on the resource returns WouldBlock.
    pub spurious_readiness: Probability,
    /// Chance that a read returns fewer bytes than it could.
    pub short_read: Probability,
    /// Chance that a write accepts fewer bytes than it could.
    pub partial_write: Probability,
    /// Chance that a read or write fails with `Interrupted`.
    pub interrupted: Probability,
    /// Chance that a readiness change is reported late.
    pub delayed_readiness: Probability,
    /// How late a delayed readiness event may be.
    pub readiness_delay_max: Duration,
    /// Chance that a completion is delivered late.
    pub delayed_completion: Probability,
    /// How late a delayed completion may be.
    pub completion_delay_max: Duration,
    /// Chance that a completed read or write transferred fewer bytes.
    pub short_completion: Probability,
    /// Completions get a random extra delay up to this, so operations in
    /// flight together complete in a seeded order (io_uring's CQE order).
    pub completion_reorder_window: Duration,
    /// Storage faults (`detsim::fs`).
    pub disk: DiskFaults,
    /// Network faults (`detsim::net`).
    pub net: NetFaults,
    /// Chance that a [`buggify!`](crate::buggify!) site is enabled in a
    /// run (drawn once per site per run, as FoundationDB's `BUGGIFY`
    /// does); an enabled site fires on each evaluation with its own
    /// chance (1/4 unless the site gives one).
    pub buggify: Probability,
    /// Decisions pinned for individual occurrences (replays and shrinking);
    /// free unless the runner sets it.
    pub(crate) schedule: FaultSchedule,
}

impl Faults {
    /// No faults and no legal behaviour: a perfect world. Nothing is
    /// injected and nothing is drawn for faults; completions arrive in the
    /// order the device finishes them; a disk crash loses exactly what was
    /// not made durable ([`CrashOutcome::LoseUnsynced`]), the same on every
    /// seed. Code that passes only here assumes more than Linux promises:
    /// use it to debug, then go back to [`Faults::legal`].
    pub fn none() -> Faults {
        Faults {
            spurious_wake: Probability::NEVER,
            spurious_poll: Probability::NEVER,
            spurious_readiness: Probability::NEVER,
            short_read: Probability::NEVER,
            partial_write: Probability::NEVER,
            interrupted: Probability::NEVER,
            delayed_readiness: Probability::NEVER,
            readiness_delay_max: Duration::ZERO,
            delayed_completion: Probability::NEVER,
            completion_delay_max: Duration::ZERO,
            short_completion: Probability::NEVER,
            completion_reorder_window: Duration::ZERO,
            disk: DiskFaults::none(),
            net: NetFaults::none(),
            buggify: Probability::NEVER,
            schedule: FaultSchedule::free(),
        }
    }

    /// Legal behaviour ([`Faults::legal`], and its `buggify!` rate) plus
    /// mild environment faults: 1% UDP loss and
    /// duplication ([`NetFaults::default`]), rare disk read, write and
    /// fsync errors, and seeded losses and torn writes at disk crashes
    /// ([`DiskFaults::default`]). No resets, partitions, host crashes or
    /// slow peers.
    /// Opt in with `Sim::faults(Faults::default())` or
    /// `#[detsim::test(faults = "default")]`; it is also what
    /// `impl Default for Faults` returns (see the module docs).
    #[allow(clippy::should_implement_trait)] // a preset, named like the others
    pub fn default() -> Faults {
        Faults {
            disk: DiskFaults::default(),
            net: NetFaults::default(),
            ..Faults::legal()
        }
    }

    /// Every fault, often: legal behaviour at high rates, and the
    /// environment at its worst ([`DiskFaults::chaos`], [`NetFaults::chaos`]:
    /// resets, partitions and host crashes included). Correct code still
    /// survives; it just takes longer.
    pub fn chaos() -> Faults {
        Faults {
            spurious_wake: Probability::lit(0.1),
            spurious_poll: Probability::lit(0.1),
            spurious_readiness: Probability::lit(0.2),
            short_read: Probability::lit(0.5),
            partial_write: Probability::lit(0.5),
            interrupted: Probability::lit(0.05),
            delayed_readiness: Probability::lit(0.2),
            readiness_delay_max: Duration::from_millis(2),
            delayed_completion: Probability::lit(0.5),
            completion_delay_max: Duration::from_millis(5),
            short_completion: Probability::lit(0.3),
            completion_reorder_window: Duration::from_millis(1),
            disk: DiskFaults::chaos(),
            net: NetFaults::chaos(),
            buggify: Probability::lit(0.5),
            schedule: FaultSchedule::free(),
        }
    }

    /// The probability configured for `kind`: the chance that it is
    /// injected. `torn_write` and `crash_loss` are never injected unless
    /// `disk.crash_outcome` is [`CrashOutcome::Seeded`], so they read as
    /// never then, whatever their fields hold.
    pub fn probability(&self, kind: FaultKind) -> Probability {
        let crash = self.disk.crash_is_seeded();
        match kind {
            FaultKind::SpuriousWake => self.spurious_wake,
            FaultKind::SpuriousPoll => self.spurious_poll,
            FaultKind::SpuriousReadiness => self.spurious_readiness,
            FaultKind::ShortRead => self.short_read,
            FaultKind::PartialWrite => self.partial_write,
            FaultKind::Interrupted => self.interrupted,
            FaultKind::DelayedReadiness => self.delayed_readiness,
            FaultKind::DelayedCompletion => self.delayed_completion,
            FaultKind::ShortCompletion => self.short_completion,
            FaultKind::DiskReadError => self.disk.read_error,
            FaultKind::DiskWriteError => self.disk.write_error,
            FaultKind::FsyncError => self.disk.fsync_error,
            FaultKind::LatentSectorError => self.disk.latent_sector_error,
            FaultKind::TornWrite if crash => self.disk.torn_write,
            FaultKind::CrashLoss if crash => self.disk.crash_loss,
            FaultKind::TornWrite | FaultKind::CrashLoss => Probability::NEVER,
            FaultKind::BitFlip => self.disk.bit_flip,
            FaultKind::MisdirectedWrite => self.disk.misdirected_write,
            FaultKind::PacketLoss => self.net.packet_loss,
            FaultKind::PacketDuplicate => self.net.packet_duplicate,
            FaultKind::ConnectionReset => self.net.connection_reset,
            FaultKind::Partition => self.net.partition,
            FaultKind::HostCrash => self.net.host_crash,
            FaultKind::Buggify => self.buggify,
            FaultKind::SlowPeer => self.net.slow_peer,
        }
    }

    /// Sets the probability of `kind` (for `torn_write` and `crash_loss`,
    /// in effect only with a [`CrashOutcome::Seeded`] crash).
    pub fn set_probability(&mut self, kind: FaultKind, p: Probability) {
        let slot = match kind {
            FaultKind::SpuriousWake => &mut self.spurious_wake,
            FaultKind::SpuriousPoll => &mut self.spurious_poll,
            FaultKind::SpuriousReadiness => &mut self.spurious_readiness,
            FaultKind::ShortRead => &mut self.short_read,
            FaultKind::PartialWrite => &mut self.partial_write,
            FaultKind::Interrupted => &mut self.interrupted,
            FaultKind::DelayedReadiness => &mut self.delayed_readiness,
            FaultKind::DelayedCompletion => &mut self.delayed_completion,
            FaultKind::ShortCompletion => &mut self.short_completion,
            FaultKind::DiskReadError => &mut self.disk.read_error,
            FaultKind::DiskWriteError => &mut self.disk.write_error,
            FaultKind::FsyncError => &mut self.disk.fsync_error,
            FaultKind::LatentSectorError => &mut self.disk.latent_sector_error,
            FaultKind::TornWrite => &mut self.disk.torn_write,
            FaultKind::CrashLoss => &mut self.disk.crash_loss,
            FaultKind::BitFlip => &mut self.disk.bit_flip,
            FaultKind::MisdirectedWrite => &mut self.disk.misdirected_write,
            FaultKind::PacketLoss => &mut self.net.packet_loss,
            FaultKind::PacketDuplicate => &mut self.net.packet_duplicate,
            FaultKind::ConnectionReset => &mut self.net.connection_reset,
            FaultKind::Partition => &mut self.net.partition,
            FaultKind::HostCrash => &mut self.net.host_crash,
            FaultKind::Buggify => &mut self.buggify,
            FaultKind::SlowPeer => &mut self.net.slow_peer,
        };
        *slot = p;
    }

    /// The kinds that can be injected, with their probabilities, one per
    /// line (`partial_write 0.2`); `none` when no kind is on.
    pub fn describe(&self) -> String {
        let on: Vec<String> = FaultKind::ALL
            .iter()
            .filter(|&&k| !self.probability(k).is_never())
            .map(|&k| format!("{} {:.3}", k.name(), self.probability(k).get()))
            .collect();
        if on.is_empty() {
            "none".to_string()
        } else {
            on.join(", ")
        }
    }

    /// Whether any fault can be injected.
    pub fn is_none(&self) -> bool {
        FaultKind::ALL
            .iter()
            .all(|&k| self.probability(k).is_never())
    }
}

/// [`Faults::default`]: legal behaviour and mild environment faults. Not the
/// plan a runner uses when given none, which is [`Faults::legal`]; the two
/// `default`s agree so that `Faults::default()` means one plan however it
/// is resolved.
impl Default for Faults {
    fn default() -> Faults {
        Faults::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kinds_index_is_its_position_in_all() {
        for (i, kind) in FaultKind::ALL.into_iter().enumerate() {
            assert_eq!(kind.index(), i);
            assert_eq!(FaultKind::from_code(kind.code()), Some(kind));
            assert_eq!(FaultKind::from_name(kind.name()), Some(kind));
        }
    }
}
