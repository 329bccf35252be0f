//! The per-kind random streams of one run, and the log of what they decided.
//!
//! Each kind has two streams derived from the seed: the *roll* stream,
//! which draws exactly one number per roll (hit or miss, suppressed or
//! not), and the *magnitude* stream, which callers draw a fault's target
//! and size from with [`FaultRolls::pick`]. The magnitude stream is
//! repositioned at every hit to a window of its own (occurrence `n` reads
//! from word `(n + 1) << 24` on), so suppressing one occurrence never
//! shifts the size or target of another: occurrence #3 of partial_write
//! writes the same number of bytes whether #2 happened or not. That is what
//! lets the shrinker switch faults off one by one and keep the rest intact.
//!
//! The rolls count hits but keep no log of them: each injected fault is a
//! trace event carrying its occurrence number ([`FaultRolls::occurrence`]),
//! and the trace's fault list is the one record of what was injected.
//!
//! A kind whose chance is zero costs one bit test per roll and nothing
//! else: its streams are never created (a stream is built at its first
//! draw, at the position an eagerly built one would have had, so the
//! draws of the kinds that are on are the same either way).

use std::cell::{Cell, RefCell};

use rand::distr::Bernoulli;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::faults::{FaultGroup, FaultKind, FaultSchedule, Faults};
use crate::rand::Stream;

/// Words of the magnitude stream reserved for one occurrence.
const PICK_WINDOW_WORDS: u128 = 1 << 24;

/// How many kinds there are: one bit of [`FaultRolls::on`] each.
const KINDS: usize = FaultKind::ALL.len();
const _: () = assert!(KINDS <= 64, "FaultRolls::on is a u64 of kinds");

/// The per-kind random streams of one run. See the module docs.
pub(crate) struct FaultRolls {
    seed: u64,
    /// Bit `i`: kind `i`'s chance is above zero, so a roll may draw. The
    /// one check a roll of a kind that is off makes.
    on: Cell<u64>,
    /// Roll streams, built at a kind's first roll.
    rolls: [RefCell<Option<Box<ChaCha8Rng>>>; KINDS],
    /// Magnitude streams, built at a kind's first hit (or pick).
    picks: [RefCell<Option<Box<ChaCha8Rng>>>; KINDS],
    /// Hits so far per kind, suppressed ones included: the next
    /// occurrence's index.
    hits: Vec<Cell<u64>>,
    /// The plan's chance per kind; zero for the kinds a liveness phase
    /// stops once the faults end ([`FaultRolls::end_faults`]).
    probabilities: Vec<Cell<f64>>,
    /// The same chances as `rand`'s `random_bool` turns them into a
    /// threshold, computed once instead of per roll: sampling it is
    /// exactly `random_bool` (one `u64` drawn, none at chance 1).
    thresholds: Vec<Cell<Bernoulli>>,
    /// Whether spurious wakes or polls can happen: checked after every poll.
    scheduling: bool,
    schedule: FaultSchedule,
}

impl FaultRolls {
    /// # Panics
    ///
    /// If the plan's durations are out of range ([`Faults::validate`]):
    /// every runtime is built through here, whoever accepted the plan.
    #[track_caller]
    pub(crate) fn new(seed: u64, plan: &Faults) -> FaultRolls {
        plan.assert_valid();
        let on = FaultKind::ALL
            .iter()
            .filter(|&&k| !plan.probability(k).is_never())
            .fold(0, |bits, &k| bits | 1 << k.index());
        FaultRolls {
            seed,
            on: Cell::new(on),
            rolls: std::array::from_fn(|_| RefCell::new(None)),
            picks: std::array::from_fn(|_| RefCell::new(None)),
            hits: FaultKind::ALL.iter().map(|_| Cell::new(0)).collect(),
            probabilities: FaultKind::ALL
                .iter()
                .map(|&k| Cell::new(plan.probability(k).get()))
                .collect(),
            thresholds: FaultKind::ALL
                .iter()
                .map(|&k| Cell::new(threshold(plan.probability(k).get())))
                .collect(),
            scheduling: !plan.spurious_wake.is_never() || !plan.spurious_poll.is_never(),
            schedule: plan.schedule.clone(),
        }
    }

    /// Whether any scheduling fault (spurious wake or poll) is on.
    pub(crate) fn scheduling_on(&self) -> bool {
        self.scheduling
    }

    /// Whether `kind` can hit at all: its chance is above zero.
    #[inline(always)]
    fn is_on(&self, kind: FaultKind) -> bool {
        self.on.get() & 1 << kind.index() != 0
    }

    /// Whether fault `kind` hits now. Draws nothing when the kind is off; a
    /// hit the schedule suppresses is counted and drawn but returns false.
    #[inline(always)]
    pub(crate) fn roll(&self, kind: FaultKind) -> bool {
        let i = kind.index();
        self.is_on(kind) && self.draw(kind, self.probabilities[i].get(), self.thresholds[i].get())
    }

    /// [`FaultRolls::roll`] at chance `p` instead of the plan's (a
    /// `buggify!` site's own firing chance); draws nothing when the plan
    /// has `kind` off.
    pub(crate) fn roll_with(&self, kind: FaultKind, p: f64) -> bool {
        if !self.is_on(kind) || p <= 0.0 {
            return false;
        }
        self.draw(kind, p, threshold(p))
    }

    /// The roll of a kind that is on: one draw at chance `p` (none at
    /// zero) against `p`'s `threshold`, then the hit's bookkeeping.
    #[inline(never)]
    fn draw(&self, kind: FaultKind, p: f64, threshold: Bernoulli) -> bool {
        let i = kind.index();
        if p <= 0.0 {
            return false;
        }
        let hit = {
            let mut slot = self.rolls[i].borrow_mut();
            if slot.is_none() {
                *slot = Some(self.first_roll(i));
            }
            slot.as_mut().expect("built above").sample(threshold)
        };
        if !hit {
            return false;
        }
        self.hit(kind)
    }

    /// Builds kind `i`'s roll stream at its first roll.
    #[cold]
    fn first_roll(&self, i: usize) -> Box<ChaCha8Rng> {
        Box::new(Stream::Fault(i as u16).rng(self.seed))
    }

    /// A roll of `kind` hit: counts the occurrence, and unless the
    /// schedule suppresses it, positions the magnitude stream at its window.
    fn hit(&self, kind: FaultKind) -> bool {
        let i = kind.index();
        let occurrence = self.hits[i].get();
        self.hits[i].set(occurrence + 1);
        if self.schedule.suppresses(kind, occurrence) {
            return false;
        }
        self.pick_stream(kind)
            .set_word_pos(u128::from(occurrence + 1) * PICK_WINDOW_WORDS);
        true
    }

    /// `kind`'s magnitude stream, built at its first use.
    fn pick_stream(&self, kind: FaultKind) -> std::cell::RefMut<'_, ChaCha8Rng> {
        std::cell::RefMut::map(self.picks[kind.index()].borrow_mut(), |slot| {
            &mut **slot.get_or_insert_with(|| {
                let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
                rng.set_stream(0x2000 + kind.index() as u64);
                Box::new(rng)
            })
        })
    }

    /// The faults end (a liveness phase): environment faults and
    /// `buggify!` sites never hit again, and draw nothing from their
    /// streams; legal behaviour goes on. See [`crate::liveness`].
    pub(crate) fn end_faults(&self) {
        for kind in FaultKind::ALL {
            if kind.group() != FaultGroup::Legal {
                self.probabilities[kind.index()].set(0.0);
                self.thresholds[kind.index()].set(threshold(0.0));
                self.on.set(self.on.get() & !(1 << kind.index()));
            }
        }
    }

    /// The occurrence number of `kind`'s latest hit (0 for the first):
    /// what the hit's trace event carries.
    ///
    /// # Panics
    ///
    /// If `kind` has not hit yet: only a hit is recorded.
    pub(crate) fn occurrence(&self, kind: FaultKind) -> u64 {
        let hits = self.hits[kind.index()].get();
        assert!(hits > 0, "{kind} is recorded only after it hit");
        hits - 1
    }

    /// A number in `0..n` from `kind`'s magnitude stream (fault sizes,
    /// targets), positioned at the kind's latest hit.
    pub(crate) fn pick(&self, kind: FaultKind, n: u64) -> u64 {
        if n <= 1 {
            0
        } else {
            self.pick_stream(kind).random_range(0..n)
        }
    }

    /// Hits per kind (indexed like [`FaultKind::ALL`]), suppressed ones
    /// included.
    pub(crate) fn hits(&self) -> Vec<u64> {
        self.hits.iter().map(Cell::get).collect()
    }
}

/// What `random_bool(p)` samples, with its message for a chance out of
/// range.
fn threshold(p: f64) -> Bernoulli {
    Bernoulli::new(p).unwrap_or_else(|_| panic!("p={p:?} is outside range [0.0, 1.0]"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::Probability;

    #[test]
    fn an_occurrence_counts_the_suppressed_hits_before_it() {
        let mut plan = Faults::none();
        plan.partial_write = Probability::ALWAYS;
        plan.schedule = FaultSchedule::only([(FaultKind::PartialWrite, 1)]);
        let rolls = FaultRolls::new(7, &plan);
        assert!(!rolls.roll(FaultKind::PartialWrite), "#0 is suppressed");
        assert!(rolls.roll(FaultKind::PartialWrite), "#1 is kept");
        assert_eq!(rolls.occurrence(FaultKind::PartialWrite), 1);
        assert!(!rolls.roll(FaultKind::PartialWrite), "#2 is suppressed");
        assert_eq!(rolls.hits()[FaultKind::PartialWrite.index()], 3);
    }

    #[test]
    fn after_the_end_only_legal_kinds_roll_and_the_others_draw_nothing() {
        let mut plan = Faults::chaos();
        plan.net.packet_loss = Probability::lit(0.5);
        let ended = FaultRolls::new(7, &plan);
        let running = FaultRolls::new(7, &plan);
        ended.end_faults();
        for _ in 0..50 {
            assert!(!ended.roll(FaultKind::PacketLoss));
            assert!(!ended.roll(FaultKind::Buggify));
            assert_eq!(
                ended.roll(FaultKind::ShortRead),
                running.roll(FaultKind::ShortRead),
                "legal streams go on unchanged"
            );
        }
        assert_eq!(ended.hits()[FaultKind::PacketLoss.index()], 0);
        assert!(ended.hits()[FaultKind::ShortRead.index()] > 0);
    }

    #[test]
    fn a_kind_at_zero_builds_no_stream_and_the_others_draw_as_before() {
        let mut plan = Faults::none();
        plan.short_read = Probability::lit(0.5);
        let rolls = FaultRolls::new(7, &plan);
        // The stream an eagerly built roll would have drawn from.
        let mut eager = Stream::Fault(FaultKind::ShortRead.index() as u16).rng(7);
        for _ in 0..50 {
            assert!(!rolls.roll(FaultKind::PartialWrite));
            assert!(!rolls.roll_with(FaultKind::Buggify, 1.0));
            assert_eq!(rolls.roll(FaultKind::ShortRead), eager.random_bool(0.5));
        }
        let built = |streams: &[RefCell<Option<Box<ChaCha8Rng>>>]| -> Vec<usize> {
            (0..KINDS)
                .filter(|&i| streams[i].borrow().is_some())
                .collect()
        };
        assert_eq!(built(&rolls.rolls), [FaultKind::ShortRead.index()]);
        assert_eq!(built(&rolls.picks), [FaultKind::ShortRead.index()]);
    }

    #[test]
    #[should_panic(expected = "recorded only after it hit")]
    fn a_kind_that_never_hit_has_no_occurrence() {
        FaultRolls::new(7, &Faults::none()).occurrence(FaultKind::ShortRead);
    }
}
