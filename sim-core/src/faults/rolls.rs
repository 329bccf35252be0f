//! The per-kind random streams of one run, and the log of what they decided.
//!
//! Each kind has two counter-based streams derived from the seed
//! ([`CounterRng`]): the *roll* stream, which draws exactly one number per
//! roll (hit or miss, suppressed or not), so roll `n` of a kind is a pure
//! function of (seed, kind, `n`); and the *magnitude* stream, which
//! callers draw a fault's target and size from with [`FaultRolls::pick`].
//! Each hit gets a magnitude sub-stream of its own, split off by its
//! occurrence number, so pick `j` of occurrence `o` is a pure function of
//! (seed, kind, `o`, `j`), and suppressing one occurrence never shifts the
//! size or target of another: occurrence #3 of partial_write writes the
//! same number of bytes whether #2 happened or not. That is what lets the
//! shrinker switch faults off one by one and keep the rest intact. A
//! draw is a few instructions, a hit one hash more: no buffer to refill,
//! nothing allocated per kind.
//!
//! The rolls count hits but keep no log of them: each injected fault is a
//! trace event carrying its occurrence number ([`FaultRolls::occurrence`]),
//! and the trace's fault list is the one record of what was injected.
//!
//! A kind whose chance is zero costs one bit test per roll and nothing
//! else: its streams are not even seeded, and never drawn from, so the
//! draws of the kinds that are on are the same whichever others are on.

use std::cell::Cell;

use crate::faults::{FaultGroup, FaultKind, FaultSchedule, Faults};
use crate::rand::{CounterRng, Stream};

/// How many kinds there are: one bit of [`FaultRolls::on`] each.
const KINDS: usize = FaultKind::ALL.len();
const _: () = assert!(KINDS <= 64, "FaultRolls::on is a u64 of kinds");

/// The per-kind random streams of one run. See the module docs.
pub(crate) struct FaultRolls {
    /// Bit `i`: kind `i`'s chance is above zero, so a roll may draw. The
    /// one check a roll of a kind that is off makes.
    on: Cell<u64>,
    /// Roll streams: one draw per roll of a kind that is on (the others
    /// are [`CounterRng::UNSEEDED`] and never drawn from).
    rolls: [Cell<CounterRng>; KINDS],
    /// Each kind's magnitude stream as created: the key its occurrences'
    /// sub-streams are split from.
    magnitudes: [CounterRng; KINDS],
    /// The magnitude sub-stream of each kind's latest kept hit, which
    /// [`FaultRolls::pick`] draws from.
    picks: [Cell<CounterRng>; KINDS],
    /// Hits so far per kind, suppressed ones included: the next
    /// occurrence's index.
    hits: [Cell<u64>; KINDS],
    /// The plan's chance per kind as a [`Threshold`], computed once
    /// instead of per roll; never drawn against while the kind is off
    /// (a liveness phase stops some, [`FaultRolls::end_faults`]).
    thresholds: [Cell<Threshold>; KINDS],
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
        let mut on = 0;
        // Only the kinds that are on get streams: the others never draw.
        let mut rolls = [CounterRng::UNSEEDED; KINDS];
        let mut magnitudes = [CounterRng::UNSEEDED; KINDS];
        let mut thresholds = [Threshold::new(0.0); KINDS];
        for kind in FaultKind::ALL {
            let p = plan.probability(kind);
            if p.is_never() {
                continue;
            }
            let i = kind.index();
            on |= 1 << i;
            rolls[i] = CounterRng::new(Stream::Fault(i as u16), seed);
            magnitudes[i] = CounterRng::new(Stream::FaultMagnitude(i as u16), seed);
            thresholds[i] = Threshold::new(p.get());
        }
        FaultRolls {
            on: Cell::new(on),
            rolls: rolls.map(Cell::new),
            magnitudes,
            picks: magnitudes.map(Cell::new),
            hits: std::array::from_fn(|_| Cell::new(0)),
            thresholds: thresholds.map(Cell::new),
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
        self.is_on(kind) && self.draw(kind, self.thresholds[kind.index()].get())
    }

    /// [`FaultRolls::roll`] at chance `p` instead of the plan's (a
    /// `buggify!` site's own firing chance); draws nothing when the plan
    /// has `kind` off or `p` is zero.
    ///
    /// # Panics
    ///
    /// If `p` is not in `0.0..=1.0`.
    pub(crate) fn roll_with(&self, kind: FaultKind, p: f64) -> bool {
        let threshold = Threshold::new(p);
        if !self.is_on(kind) || p == 0.0 {
            return false;
        }
        self.draw(kind, threshold)
    }

    /// The roll of a kind that is on: one draw against `threshold`, then
    /// the hit's bookkeeping.
    #[inline]
    fn draw(&self, kind: FaultKind, threshold: Threshold) -> bool {
        let stream = &self.rolls[kind.index()];
        let mut rng = stream.get();
        let x = rng.next_u64();
        stream.set(rng);
        threshold.hits(x) && self.hit(kind)
    }

    /// A roll of `kind` hit: counts the occurrence, and unless the
    /// schedule suppresses it, splits off the occurrence's magnitude
    /// sub-stream for [`FaultRolls::pick`].
    fn hit(&self, kind: FaultKind) -> bool {
        let i = kind.index();
        let occurrence = self.hits[i].get();
        self.hits[i].set(occurrence + 1);
        if self.schedule.suppresses(kind, occurrence) {
            return false;
        }
        self.picks[i].set(self.magnitudes[i].split(occurrence));
        true
    }

    /// The faults end (a liveness phase): environment faults and
    /// `buggify!` sites never hit again, and draw nothing from their
    /// streams; legal behaviour goes on. See [`crate::liveness`].
    pub(crate) fn end_faults(&self) {
        for kind in FaultKind::ALL {
            if kind.group() != FaultGroup::Legal {
                self.thresholds[kind.index()].set(Threshold::new(0.0));
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

    /// A number in `0..n`, uniform, from the magnitude sub-stream of
    /// `kind`'s latest kept hit (fault sizes, targets); draws nothing
    /// when `n <= 1`.
    pub(crate) fn pick(&self, kind: FaultKind, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        let stream = &self.picks[kind.index()];
        let mut rng = stream.get();
        let x = rng.up_to(n - 1);
        stream.set(rng);
        x
    }

    /// Hits per kind (indexed like [`FaultKind::ALL`]), suppressed ones
    /// included.
    pub(crate) fn hits(&self) -> Vec<u64> {
        self.hits.iter().map(Cell::get).collect()
    }
}

/// A chance `p` as the bound a roll's 64 random bits are compared with:
/// a draw `x` hits when `x <= bound`, which has chance `(bound + 1) /
/// 2^64`, `p` rounded down to a multiple of `2^-64` (at least `2^-64`);
/// chance 1 is `u64::MAX`, so it always hits. Chance 0 is never drawn
/// against: [`FaultRolls`] draws nothing for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Threshold {
    bound: u64,
}

impl Threshold {
    /// # Panics
    ///
    /// If `p` is not in `0.0..=1.0`.
    fn new(p: f64) -> Threshold {
        assert!(
            (0.0..=1.0).contains(&p),
            "p={p:?} is outside range [0.0, 1.0]"
        );
        // 2^64 as an f64: below 1, `p` scales to less than 2^64.
        let scaled = (p * 18_446_744_073_709_551_616.0) as u64;
        Threshold {
            bound: if p >= 1.0 {
                u64::MAX
            } else {
                scaled.saturating_sub(1)
            },
        }
    }

    /// Whether the draw `x` hits.
    #[inline(always)]
    fn hits(self, x: u64) -> bool {
        x <= self.bound
    }
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
    fn a_kind_at_zero_draws_nothing_and_the_others_draw_as_before() {
        let mut plan = Faults::none();
        plan.short_read = Probability::lit(0.5);
        let rolls = FaultRolls::new(7, &plan);
        let fresh = FaultRolls::new(7, &plan);
        plan.partial_write = Probability::lit(0.5);
        let both = FaultRolls::new(7, &plan);
        // Roll n of short_read is draw n of its own stream, whatever the
        // other kinds do and whether they are on.
        let mut own = CounterRng::new(Stream::Fault(FaultKind::ShortRead.index() as u16), 7);
        let mut hits = 0;
        for _ in 0..50 {
            assert!(!rolls.roll(FaultKind::PartialWrite));
            assert!(!rolls.roll_with(FaultKind::Buggify, 1.0));
            let hit = rolls.roll(FaultKind::ShortRead);
            assert_eq!(hit, own.next_u64() < 1 << 63);
            both.roll(FaultKind::PartialWrite);
            assert_eq!(both.roll(FaultKind::ShortRead), hit);
            hits += u64::from(hit);
        }
        assert!((10..40).contains(&hits), "{hits} hits of 50 at chance 0.5");
        let rolled: Vec<usize> = (0..KINDS)
            .filter(|&i| rolls.rolls[i].get() != fresh.rolls[i].get())
            .collect();
        let picked: Vec<usize> = (0..KINDS)
            .filter(|&i| rolls.picks[i].get() != fresh.picks[i].get())
            .collect();
        assert_eq!(rolled, [FaultKind::ShortRead.index()]);
        assert_eq!(picked, [FaultKind::ShortRead.index()]);
        let seeded: Vec<usize> = (0..KINDS)
            .filter(|&i| fresh.rolls[i].get() != CounterRng::UNSEEDED)
            .collect();
        assert_eq!(
            seeded,
            [FaultKind::ShortRead.index()],
            "off kinds get no stream"
        );
    }

    #[test]
    fn suppressing_an_occurrence_leaves_the_next_ones_picks_unchanged() {
        let mut plan = Faults::none();
        plan.partial_write = Probability::ALWAYS;
        let all = FaultRolls::new(7, &plan);
        plan.schedule = FaultSchedule::only([(FaultKind::PartialWrite, 1)]);
        let only_1 = FaultRolls::new(7, &plan);
        let picks = |rolls: &FaultRolls| -> Vec<u64> {
            (0..8)
                .map(|_| rolls.pick(FaultKind::PartialWrite, 1000))
                .collect()
        };
        assert!(all.roll(FaultKind::PartialWrite));
        let picks_0 = picks(&all);
        assert!(!only_1.roll(FaultKind::PartialWrite), "#0 is suppressed");
        assert!(all.roll(FaultKind::PartialWrite));
        assert!(only_1.roll(FaultKind::PartialWrite));
        assert_eq!(picks(&only_1), picks(&all), "#1 picks as if #0 had hit");
        assert_ne!(picks(&all), picks_0, "each occurrence picks anew");
    }

    #[test]
    fn picks_are_uniform_below_their_bound_and_draw_nothing_below_two() {
        let mut plan = Faults::none();
        plan.partial_write = Probability::ALWAYS;
        let rolls = FaultRolls::new(7, &plan);
        let mut seen = [0u32; 4];
        for _ in 0..400 {
            assert!(rolls.roll(FaultKind::PartialWrite), "chance 1 always hits");
            let before = rolls.picks[FaultKind::PartialWrite.index()].get();
            assert_eq!(rolls.pick(FaultKind::PartialWrite, 1), 0);
            assert_eq!(rolls.pick(FaultKind::PartialWrite, 0), 0);
            assert_eq!(rolls.picks[FaultKind::PartialWrite.index()].get(), before);
            seen[rolls.pick(FaultKind::PartialWrite, 4) as usize] += 1;
        }
        assert!(seen.iter().all(|&n| (60..140).contains(&n)), "{seen:?}");
    }

    #[test]
    fn chances_of_zero_and_one_never_and_always_hit() {
        assert!(Threshold::new(1.0).hits(u64::MAX));
        assert!(!Threshold::new(0.5).hits(1 << 63));
        assert!(Threshold::new(0.5).hits((1 << 63) - 1));
        let mut plan = Faults::none();
        plan.short_read = Probability::lit(0.5);
        let rolls = FaultRolls::new(7, &plan);
        let before = rolls.rolls[FaultKind::ShortRead.index()].get();
        assert!(!rolls.roll_with(FaultKind::ShortRead, 0.0));
        assert_eq!(rolls.rolls[FaultKind::ShortRead.index()].get(), before);
        assert!((0..100).all(|_| rolls.roll_with(FaultKind::ShortRead, 1.0)));
    }

    #[test]
    #[should_panic(expected = "recorded only after it hit")]
    fn a_kind_that_never_hit_has_no_occurrence() {
        FaultRolls::new(7, &Faults::none()).occurrence(FaultKind::ShortRead);
    }
}
