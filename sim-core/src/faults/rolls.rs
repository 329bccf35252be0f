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

use std::cell::{Cell, RefCell};

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::faults::{FaultKind, FaultSchedule, Faults};
use crate::rand::Stream;

/// Words of the magnitude stream reserved for one occurrence.
const PICK_WINDOW_WORDS: u128 = 1 << 24;

/// At most this many injected faults are logged for shrinking; a run with
/// more is reported without shrinking.
const LOG_MAX: usize = 100_000;

/// The per-kind random streams of one run. See the module docs.
pub(crate) struct FaultRolls {
    rolls: Vec<RefCell<ChaCha8Rng>>,
    picks: Vec<RefCell<ChaCha8Rng>>,
    /// Hits so far per kind, suppressed ones included: the next
    /// occurrence's index.
    hits: Vec<Cell<u64>>,
    probabilities: Vec<f64>,
    /// Whether spurious wakes or polls can happen: checked after every poll.
    scheduling: bool,
    schedule: FaultSchedule,
    /// Every hit that was injected (not suppressed), in order.
    log: RefCell<Vec<(FaultKind, u64)>>,
    log_overflowed: Cell<bool>,
}

impl FaultRolls {
    /// # Panics
    ///
    /// If the plan's durations are out of range ([`Faults::validate`]):
    /// every runtime is built through here, whoever accepted the plan.
    #[track_caller]
    pub(crate) fn new(seed: u64, plan: &Faults) -> FaultRolls {
        plan.assert_valid();
        FaultRolls {
            rolls: FaultKind::ALL
                .iter()
                .map(|&k| RefCell::new(Stream::Fault(k.index() as u16).rng(seed)))
                .collect(),
            picks: FaultKind::ALL
                .iter()
                .map(|&k| {
                    let mut rng = ChaCha8Rng::seed_from_u64(seed);
                    rng.set_stream(0x2000 + k.index() as u64);
                    RefCell::new(rng)
                })
                .collect(),
            hits: FaultKind::ALL.iter().map(|_| Cell::new(0)).collect(),
            probabilities: FaultKind::ALL
                .iter()
                .map(|&k| plan.probability(k).get())
                .collect(),
            scheduling: !plan.spurious_wake.is_never() || !plan.spurious_poll.is_never(),
            schedule: plan.schedule.clone(),
            log: RefCell::new(Vec::new()),
            log_overflowed: Cell::new(false),
        }
    }

    /// Whether any scheduling fault (spurious wake or poll) is on.
    pub(crate) fn scheduling_on(&self) -> bool {
        self.scheduling
    }

    /// Whether fault `kind` hits now. Draws nothing when the kind is off; a
    /// hit the schedule suppresses is counted and drawn but returns false.
    pub(crate) fn roll(&self, kind: FaultKind) -> bool {
        let i = kind.index();
        let p = self.probabilities[i];
        if p <= 0.0 || !self.rolls[i].borrow_mut().random_bool(p) {
            return false;
        }
        let occurrence = self.hits[i].get();
        self.hits[i].set(occurrence + 1);
        if self.schedule.suppresses(kind, occurrence) {
            return false;
        }
        self.picks[i]
            .borrow_mut()
            .set_word_pos(u128::from(occurrence + 1) * PICK_WINDOW_WORDS);
        let mut log = self.log.borrow_mut();
        if log.len() < LOG_MAX {
            log.push((kind, occurrence));
        } else {
            self.log_overflowed.set(true);
        }
        true
    }

    /// A number in `0..n` from `kind`'s magnitude stream (fault sizes,
    /// targets), positioned at the kind's latest hit.
    pub(crate) fn pick(&self, kind: FaultKind, n: u64) -> u64 {
        if n <= 1 {
            0
        } else {
            self.picks[kind.index()].borrow_mut().random_range(0..n)
        }
    }

    /// The injected hits in order, or `None` if there were too many to log.
    pub(crate) fn log(&self) -> Option<Vec<(FaultKind, u64)>> {
        (!self.log_overflowed.get()).then(|| self.log.borrow().clone())
    }

    /// Hits per kind (indexed like [`FaultKind::ALL`]), suppressed ones
    /// included.
    pub(crate) fn hits(&self) -> Vec<u64> {
        self.hits.iter().map(Cell::get).collect()
    }
}
