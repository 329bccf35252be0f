//! The two groups of fault kinds, and the preset of the first.
//!
//! **Legal behaviour** ([`FaultGroup::Legal`]) is what the kernel's
//! contract allows and what correct code must therefore handle on a real
//! machine, fault or no fault: a future polled or woken although nothing
//! changed (`Future::poll`'s contract), readiness that turns out to be
//! `WouldBlock` (select(2): readiness is a hint), a `read` that returns
//! fewer bytes than are available and a `write` that accepts fewer than
//! offered (read(2), write(2)), `EINTR`, readiness and completions that
//! arrive late, short completions, and completions in any order relative
//! to their submission (io_uring: CQEs are unordered unless linked).
//! [`Faults::legal`] turns all of it on but `EINTR` (which Linux gives only
//! to calls that block; see there), and it is what [`Sim::new`],
//! `#[detsim::test]` and [`Runtime::sim`] run with unless told otherwise.
//!
//! **Environment faults** ([`FaultGroup::Environment`]) are failures of the
//! world around the program: lost, duplicated or reset traffic, slow
//! peers, partitions, crashed hosts, disk and fsync errors, bad sectors,
//! writes torn or lost at a crash, corruption. Code is expected to
//! survive some of them only when its design says so (a TCP client is not
//! expected to survive a partition unaided), so they are opt-in:
//! [`Faults::default`] adds mild ones, [`Faults::chaos`] adds them all,
//! often.
//!
//! A liveness phase ([`crate::liveness`]) ends the environment faults and
//! the user's `buggify!` points at a given instant and keeps legal
//! behaviour on; its docs say why.
//!
//! [`Faults::without_legal`] switches the legal group off in any plan, as
//! `DETSIM_LEGAL=0` does for a whole sweep: the way to ask whether a
//! failure needs legal behaviour at all.
//!
//! [`Sim::new`]: crate::Sim::new
//! [`Runtime::sim`]: crate::Runtime::sim

use std::fmt;
use std::time::Duration;

use crate::faults::{DiskFaults, FaultKind, Faults, NetFaults, Probability};

/// Which of the two groups a [`FaultKind`] belongs to. See the module docs.
///
/// ```
/// use detsim::{FaultKind, faults::FaultGroup};
///
/// assert_eq!(FaultKind::PartialWrite.group(), FaultGroup::Legal);
/// assert!(!FaultKind::PacketLoss.is_legal());
/// let legal: Vec<_> = FaultGroup::Legal.kinds().map(|k| k.name()).collect();
/// assert!(legal.contains(&"spurious_readiness"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FaultGroup {
    /// What the OS contract allows and correct code must handle: spurious
    /// wakes, polls and readiness, short reads, partial writes,
    /// `Interrupted`, delayed readiness, delayed and short completions
    /// (and the completion reorder window, which is not a kind). On by
    /// default ([`Faults::legal`]); goes on after a liveness phase's faults
    /// end ([`crate::liveness`]).
    Legal,
    /// Failures of the network, the disks and the hosts: loss,
    /// duplication, resets, slow peers, partitions, host crashes, IO and
    /// fsync errors, latent sectors, torn and lost writes at a crash,
    /// corruption. Opt-in ([`Faults::default`], [`Faults::chaos`]); stops
    /// when a liveness phase's faults end ([`crate::liveness`]).
    Environment,
    /// Fault points the user placed in their own code
    /// ([`buggify!`](crate::buggify!)): on in every preset but
    /// [`Faults::none`], since a site exists only because its author wants
    /// it exercised; neither the OS contract nor the environment. Stops
    /// when a liveness phase's faults end ([`crate::liveness`]).
    User,
}

impl FaultGroup {
    /// The group's name in docs and reports: `legal` or `environment`.
    pub fn name(self) -> &'static str {
        match self {
            FaultGroup::Legal => "legal",
            FaultGroup::Environment => "environment",
            FaultGroup::User => "user",
        }
    }

    /// The group's kinds, in [`FaultKind::ALL`] order.
    pub fn kinds(self) -> impl Iterator<Item = FaultKind> {
        FaultKind::ALL
            .into_iter()
            .filter(move |k| k.group() == self)
    }
}

/// The group's [`FaultGroup::name`].
impl fmt::Display for FaultGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FaultKind {
    /// The group the kind belongs to: legal behaviour or an environment
    /// fault (see [`FaultGroup`]).
    pub fn group(self) -> FaultGroup {
        match self {
            FaultKind::SpuriousWake
            | FaultKind::SpuriousPoll
            | FaultKind::SpuriousReadiness
            | FaultKind::ShortRead
            | FaultKind::PartialWrite
            | FaultKind::Interrupted
            | FaultKind::DelayedReadiness
            | FaultKind::DelayedCompletion
            | FaultKind::ShortCompletion => FaultGroup::Legal,
            FaultKind::DiskReadError
            | FaultKind::DiskWriteError
            | FaultKind::FsyncError
            | FaultKind::LatentSectorError
            | FaultKind::TornWrite
            | FaultKind::CrashLoss
            | FaultKind::BitFlip
            | FaultKind::MisdirectedWrite
            | FaultKind::PacketLoss
            | FaultKind::PacketDuplicate
            | FaultKind::ConnectionReset
            | FaultKind::Partition
            | FaultKind::HostCrash
            | FaultKind::SlowPeer => FaultGroup::Environment,
            FaultKind::Buggify => FaultGroup::User,
        }
    }

    /// Whether the kind is legal behaviour ([`FaultGroup::Legal`]): allowed
    /// by the OS contract, on by default.
    pub fn is_legal(self) -> bool {
        self.group() == FaultGroup::Legal
    }
}

impl Faults {
    /// Legal behaviour only: what the OS contract allows, at rates that
    /// break code which assumes more within tens of seeds, and no
    /// environment fault. What [`Sim::new`](crate::Sim::new),
    /// `#[detsim::test]` and [`Runtime::sim`](crate::Runtime::sim) run
    /// with when no plan is given.
    ///
    /// | behaviour | rate |
    /// |---|---|
    /// | spurious wake of any task (per pending poll) | 0.01 |
    /// | spurious poll: the task that returned `Pending` polled again | 0.1 |
    /// | spurious readiness (per readiness event) | 0.02 |
    /// | short read, partial write (per read or write) | 0.2 |
    /// | delayed readiness (up to 200 µs) | 0.02 |
    /// | delayed completion (up to 1 ms) | 0.1 |
    /// | short completion | 0.1 |
    /// | completion reorder window | 100 µs |
    /// | `Interrupted` | never |
    /// | `buggify!` sites enabled per run (user group) | 0.25 |
    ///
    /// `Interrupted` belongs to the legal group (read(2) and Rust's
    /// `io::Read` contract allow it) but is off: Linux returns `EINTR` only
    /// from a call that blocked when the signal came (signal(7)), and
    /// detsim injects it into `try_read`/`try_write`, non-blocking calls,
    /// which on a real socket do not block and so are not interrupted
    /// (tokio's documented `try_read` loop rightly treats it as fatal).
    /// Turn it on in a custom plan, or with [`Faults::chaos`], to prove a
    /// retry loop. Disks and networks are perfect, and a disk crash loses
    /// exactly what was not synced, as under [`Faults::none`]. The user's
    /// own [`buggify!`](crate::buggify!) sites are on, as in every preset
    /// but `none()`.
    ///
    /// ```
    /// use detsim::{FaultKind, Faults};
    ///
    /// let legal = Faults::legal();
    /// for kind in FaultKind::ALL {
    ///     let on = !legal.probability(kind).is_never();
    ///     let expected = kind.is_legal() && kind != FaultKind::Interrupted
    ///         || kind == FaultKind::Buggify;
    ///     assert_eq!(on, expected, "{kind}");
    /// }
    /// assert_eq!(detsim::Config::default().faults, legal);
    /// ```
    pub fn legal() -> Faults {
        Faults {
            spurious_wake: Probability::lit(0.01),
            spurious_poll: Probability::lit(0.1),
            spurious_readiness: Probability::lit(0.02),
            short_read: Probability::lit(0.2),
            partial_write: Probability::lit(0.2),
            interrupted: Probability::NEVER,
            delayed_readiness: Probability::lit(0.02),
            readiness_delay_max: Duration::from_micros(200),
            delayed_completion: Probability::lit(0.1),
            completion_delay_max: Duration::from_millis(1),
            short_completion: Probability::lit(0.1),
            completion_reorder_window: Duration::from_micros(100),
            disk: DiskFaults::none(),
            net: NetFaults::none(),
            buggify: Probability::lit(0.25),
            ..Faults::none()
        }
    }

    /// The plan with the legal group switched off: every legal kind never
    /// happens and completions keep no reorder window; environment faults
    /// stay as they are. `Faults::chaos().without_legal()` is chaos on the
    /// network and disks under a kernel that never surprises. This is what
    /// `DETSIM_LEGAL=0` does to a sweep's plan.
    ///
    /// ```
    /// use detsim::{FaultKind, Faults};
    ///
    /// let plan = Faults::chaos().without_legal();
    /// assert!(!plan.has_legal());
    /// assert!(!plan.probability(FaultKind::HostCrash).is_never());
    /// let quiet = Faults::legal().without_legal();
    /// assert!(!quiet.has_legal());
    /// assert_eq!(quiet.probability(FaultKind::PacketLoss).get(), 0.0);
    /// ```
    pub fn without_legal(mut self) -> Faults {
        for kind in FaultGroup::Legal.kinds() {
            self.set_probability(kind, Probability::NEVER);
        }
        self.completion_reorder_window = Duration::ZERO;
        self
    }

    /// Whether any legal behaviour can happen: a legal kind is on, or
    /// completions have a reorder window.
    pub fn has_legal(&self) -> bool {
        !self.completion_reorder_window.is_zero()
            || FaultGroup::Legal
                .kinds()
                .any(|k| !self.probability(k).is_never())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_chaos_are_the_legal_group_plus_environment_faults() {
        let legal = Faults::legal();
        let default = Faults::default();
        for kind in FaultGroup::Legal.kinds() {
            assert_eq!(default.probability(kind), legal.probability(kind), "{kind}");
            assert!(!Faults::chaos().probability(kind).is_never(), "{kind}");
        }
        for kind in FaultGroup::Environment.kinds() {
            assert!(legal.probability(kind).is_never(), "{kind}");
        }
        assert_eq!(default.readiness_delay_max, legal.readiness_delay_max);
        assert_eq!(default.completion_delay_max, legal.completion_delay_max);
        assert_eq!(
            default.completion_reorder_window,
            legal.completion_reorder_window
        );
        assert_eq!(default.disk, DiskFaults::default());
        assert_eq!(default.net, NetFaults::default());
    }

    #[test]
    fn without_legal_keeps_every_environment_fault() {
        let chaos = Faults::chaos();
        let plan = chaos.clone().without_legal();
        assert!(!plan.has_legal());
        assert!(chaos.has_legal());
        for kind in FaultKind::ALL {
            let expected = if kind.is_legal() {
                Probability::NEVER
            } else {
                chaos.probability(kind)
            };
            assert_eq!(plan.probability(kind), expected, "{kind}");
        }
        assert_eq!(plan.disk, chaos.disk);
        assert_eq!(plan.net, chaos.net);
    }

    #[test]
    fn the_reorder_window_alone_is_legal_behaviour() {
        let mut plan = Faults::none();
        assert!(!plan.has_legal());
        plan.completion_reorder_window = Duration::from_micros(1);
        assert!(plan.has_legal());
        assert!(plan.is_none(), "a window is not a fault kind");
    }
}
