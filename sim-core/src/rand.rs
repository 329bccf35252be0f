//! Seeded randomness: every random choice in a run comes from the run's seed.
//!
//! The runtime derives one independent ChaCha8 stream per concern from the
//! seed: the scheduler, the timers, user code, and one per fault
//! kind. Because streams never share state, switching one fault kind off does
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
    /// Tie-breaks between kernel events due at the same instant.
    Delivery,
    /// The stream handed to user code by [`rng`] and [`random`].
    User,
    /// Latency and other non-fault choices of simulated devices and links.
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
        }
    }

    /// The generator for this stream under `seed`.
    pub(crate) fn rng(self, seed: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(self.id());
        rng
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
