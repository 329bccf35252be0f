//! Seeded randomness: every random choice in a run comes from the run's seed.
//!
//! The runtime derives one independent stream per concern from the
//! seed: the scheduler, user code, `select!`, the simulated kernel's
//! per-event draws (tie-breaks, device latencies), and two per fault
//! kind (its rolls, and the sizes and targets of its hits). The draws
//! the runtime makes per event, per roll or per step are counter-based
//! (`CounterRng`, a few instructions each, nothing to refill); the
//! streams user code sees (`rng`, `random`, `select!`) are ChaCha8.
//! Because streams never share state, switching one fault kind off does
//! not shift the choices any other concern makes, which is what lets a
//! failing run be shrunk fault by fault.
//!
//! User code gets its own stream through [`rng`], [`random`] and
//! [`random_range`], so a test that needs random input stays reproducible
//! from the same seed. On the OS runtime the seed comes from OS entropy
//! (or `DETSIM_SEED`), and [`seed`] reads it back.
//!
//! ```
//! use detsim::rand::RngExt;
//!
//! let (a, b) = detsim::Runtime::sim(7).block_on(async {
//!     let a: u64 = detsim::rand::random();
//!     let b = detsim::rand::rng().random_range(0..10u32);
//!     (a, b)
//! });
//! // The same seed gives the same values, every time.
//! assert_eq!((a, b), detsim::Runtime::sim(7).block_on(async {
//!     (detsim::rand::random::<u64>(), detsim::rand::rng().random_range(0..10u32))
//! }));
//! ```

use rand::SeedableRng;
use rand::distr::uniform::{SampleRange, SampleUniform};
use rand::distr::{Distribution, StandardUniform};
pub use rand::{Rng, RngExt};
pub use rand_chacha::ChaCha8Rng;

use crate::runtime::context;

/// One independent random stream of a run, derived from the run's seed.
///
/// The numeric values are part of the replay format: changing one changes
/// what every existing seed does, so new streams are only ever appended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Stream {
    /// Which runnable task is polled next.
    Scheduler,
    /// Tie-breaks between kernel events due at the same instant (a
    /// [`CounterRng`]).
    Delivery,
    /// The stream handed to user code by [`rng`] and [`random`].
    User,
    /// Latency and other non-fault choices of simulated devices and links
    /// (a [`CounterRng`]).
    Devices,
    /// One stream per fault kind, so each kind can be switched off alone.
    Fault(u16),
    /// Whether one `buggify!` site is enabled in the run, keyed by a hash
    /// of the site's location: adding or moving another site changes
    /// nothing for this one.
    BuggifySite(u64),
    /// Which branch a `select!` of the tokio stand-in polls first
    /// ([`select_start`]): its own stream, so adding a `select!` shifts
    /// no other concern's choices.
    Select,
    /// One stream per fault kind for the targets and sizes of its hits
    /// (a [`CounterRng`], split per occurrence).
    FaultMagnitude(u16),
}

impl Stream {
    fn id(self) -> u64 {
        match self {
            Stream::Scheduler => 1,
            Stream::Delivery => 2,
            Stream::User => 3,
            Stream::Devices => 4,
            Stream::Fault(kind) => 0x1000 + u64::from(kind),
            Stream::BuggifySite(hash) => (1 << 63) | (hash >> 1),
            Stream::Select => 5,
            Stream::FaultMagnitude(kind) => 0x2000 + u64::from(kind),
        }
    }

    /// The generator for this stream under `seed`.
    pub(crate) fn rng(self, seed: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(self.id());
        rng
    }
}

/// A cheap seeded generator for the runtime's own frequent draws (the
/// tie-break of each scheduled action, each device latency, each fault
/// roll and fault size): draw `n` of a stream is SplitMix64's output for
/// the stream's key plus `n` steps, so a draw is a pure function of
/// (seed, stream, `n`), a few instructions with no buffer to refill, and
/// a stream costs one hash to seed. Each stream still has its own key,
/// derived from the seed and its [`Stream`] id, so streams stay
/// independent; [`CounterRng::split`] derives numbered sub-streams the
/// same way. The streams user code sees keep ChaCha8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CounterRng {
    state: u64,
}

/// SplitMix64's increment: the golden ratio, odd.
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// What a sub-stream's position is xored with before it is hashed
/// ([`CounterRng::split`]), so its key is not the parent's own `n`-th
/// draw: any constant other than zero (the first 64 bits of √2's
/// fractional part).
const SPLIT_SALT: u64 = 0x6a09_e667_f3bc_c908;

/// SplitMix64's output function (Stafford's variant 13): a bijection
/// that mixes every input bit into every output bit.
#[inline]
fn mix64(z: u64) -> u64 {
    let z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl CounterRng {
    /// A placeholder for a stream that is never drawn from (a fault kind
    /// that is off), so that it costs no hash to seed.
    pub(crate) const UNSEEDED: CounterRng = CounterRng { state: 0 };

    /// The generator of `stream` under `seed`.
    pub(crate) fn new(stream: Stream, seed: u64) -> CounterRng {
        CounterRng {
            state: mix64(seed ^ mix64(stream.id())),
        }
    }

    /// Sub-stream `n` of the generator as it is now (call it on one
    /// nothing is drawn from, a key): a pure function of its state and
    /// `n`, hashed with a salt, so sub-streams differ from each other and
    /// from the generator's own draws, and sub-stream `n` is the same
    /// whichever others were split off before it.
    #[inline]
    pub(crate) fn split(self, n: u64) -> CounterRng {
        let step = n.wrapping_add(1).wrapping_mul(GOLDEN_GAMMA);
        CounterRng {
            state: mix64(self.state.wrapping_add(step) ^ SPLIT_SALT),
        }
    }

    /// The next 64 random bits.
    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }

    /// A number in `0..=max`, by multiply-shift (Lemire's method without
    /// the rejection step: a value is at most `max / 2^64` more likely
    /// than another, far below anything a run could observe).
    #[inline]
    pub(crate) fn up_to(&mut self, max: u64) -> u64 {
        let x = self.next_u64();
        match max.checked_add(1) {
            Some(n) => ((u128::from(x) * u128::from(n)) >> 64) as u64,
            None => x,
        }
    }
}

/// The seed of the runtime running on this thread: every random stream of
/// the run, the user's included, derives from it.
///
/// Under the simulation it is the seed the run was started with. On
/// [`Runtime::os`](crate::Runtime::os) it comes from OS entropy unless
/// `DETSIM_SEED` sets it; running again with `DETSIM_SEED` set to this
/// value repeats the run's [`rng`], [`random`] and [`random_range`] draws
/// (as long as the program makes the same calls in the same order).
///
/// ```
/// let rt = detsim::Runtime::sim(0x2a);
/// assert_eq!(rt.block_on(async { detsim::rand::seed() }), 0x2a);
/// ```
///
/// # Panics
///
/// Outside a detsim runtime.
pub fn seed() -> u64 {
    context::with_runtime("detsim::rand::seed", |rt| rt.seed)
}

/// A fresh generator drawn from the running simulation's user stream.
///
/// Each call returns a new independent generator whose seed is the next draw
/// from the user stream, so calls are reproducible from the run's seed.
///
/// # Panics
///
/// Outside a detsim runtime, with a message saying where to call it from.
pub fn rng() -> ChaCha8Rng {
    let seed = context::with_runtime("detsim::rand::rng", |rt| rt.user_rng().random::<u64>());
    ChaCha8Rng::seed_from_u64(seed)
}

/// A random value drawn from the running simulation's user stream.
///
/// # Panics
///
/// Outside a detsim runtime.
pub fn random<T>() -> T
where
    StandardUniform: Distribution<T>,
{
    context::with_runtime("detsim::rand::random", |rt| rt.user_rng().random())
}

/// A random value in `range`, drawn from the running simulation's user stream.
///
/// # Panics
///
/// Outside a detsim runtime, or if `range` is empty.
pub fn random_range<T, R>(range: R) -> T
where
    T: SampleUniform,
    R: SampleRange<T>,
{
    context::with_runtime("detsim::rand::random_range", |rt| {
        rt.user_rng().random_range(range)
    })
}

/// The branch a `select!` with `branches` branches polls first, drawn
/// uniformly from the run's own `select!` stream.
///
/// The tokio stand-in's `select!` (not `biased;`) calls this inside a
/// detsim runtime, so different seeds explore different branch orders
/// and a seed replays its order exactly; the draw comes from a stream of
/// its own, so it shifts neither the scheduler's nor the user's choices.
///
/// ```
/// let starts = |seed| {
///     detsim::Runtime::sim(seed).block_on(async {
///         (0..8).map(|_| detsim::rand::select_start(3)).collect::<Vec<_>>()
///     })
/// };
/// assert_eq!(starts(1), starts(1));
/// assert!(starts(1).iter().all(|&b| b < 3));
/// ```
///
/// # Panics
///
/// Outside a detsim runtime, or if `branches` is 0.
pub fn select_start(branches: u32) -> u32 {
    assert!(
        branches > 0,
        "select_start: a select! has at least one branch"
    );
    context::with_runtime("detsim::rand::select_start", |rt| {
        rt.select_rng().random_range(0..branches)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_streams_repeat_per_seed_and_differ_between_streams_and_seeds() {
        let draws = |stream, seed| {
            let mut rng = CounterRng::new(stream, seed);
            (0..4).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draws(Stream::Delivery, 1), draws(Stream::Delivery, 1));
        assert_ne!(draws(Stream::Delivery, 1), draws(Stream::Devices, 1));
        assert_ne!(draws(Stream::Delivery, 1), draws(Stream::Delivery, 2));
    }

    #[test]
    fn counter_draws_up_to_a_bound_stay_within_it_and_cover_it() {
        let mut rng = CounterRng::new(Stream::Devices, 7);
        let mut seen = [false; 4];
        for _ in 0..200 {
            let x = rng.up_to(3);
            assert!(x <= 3, "{x}");
            seen[x as usize] = true;
        }
        assert_eq!(seen, [true; 4], "every value in 0..=3 comes up");
        assert_eq!(rng.up_to(0), 0);
        let _ = rng.up_to(u64::MAX);
    }
}
