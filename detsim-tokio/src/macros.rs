//! tokio's macros: [`select!`](crate::select) written anew so that its
//! branch order comes from the seed inside a simulation; `join!`,
//! `try_join!` and `pin!` are tokio's (they make no random choice).

/// Waits on several futures at once and runs the handler of the first
/// that completes with an output matching its pattern, as tokio's
/// `select!`, with tokio's grammar:
///
/// ```text
/// <pattern> = <future> (, if <condition>)? => <handler>,
/// else => <handler>
/// ```
///
/// All conditions are evaluated first, then all futures (the future of a
/// branch whose condition is false is created but never polled). An
/// output that does not match its pattern disables its branch and the
/// others go on; once every branch is disabled, `else` runs, or, without
/// one, the macro panics as tokio's does. Handlers run outside the
/// polling, so they may `break`, `continue`, `return` or `?` out of the
/// enclosing loop or function. Up to 64 branches.
///
/// # Branch order
///
/// Each poll starts at a branch drawn at random and goes round. Inside a
/// detsim runtime the draw comes from the run's seed
/// ([`detsim::rand::select_start`], a stream of its own), so different
/// seeds explore different orders and a seed replays exactly; elsewhere
/// it comes from a fast thread-local generator, as tokio's. `biased;` as
/// the first line polls in the written order in both worlds.
///
/// ```
/// use detsim_tokio::sync::oneshot;
///
/// detsim::Runtime::sim(1).block_on(async {
///     let (tx, mut rx) = oneshot::channel::<u32>();
///     let mut ticks = 0;
///     loop {
///         detsim_tokio::select! {
///             Ok(v) = &mut rx => break assert_eq!(v, 7),
///             _ = detsim::task::yield_now() => {
///                 ticks += 1;
///                 if ticks == 3 {
///                     tx.send(7).unwrap();
///                     break;
///                 }
///             }
///         }
///     }
/// });
/// ```
#[macro_export]
macro_rules! select {
    ($($input:tt)*) => {
        $crate::__private::select_impl!(($crate) $($input)*)
    };
}

pub use tokio::{join, pin, try_join};

/// Support for the macros; not public API.
#[doc(hidden)]
pub mod __private {
    pub use detsim_tokio_macros::select_impl;

    use std::cell::Cell;
    use std::hash::{BuildHasher, RandomState};

    /// The branch a `select!` polls first: from the seed inside a detsim
    /// runtime, from a thread-local xorshift generator elsewhere.
    #[inline]
    pub fn select_start(branches: u32) -> u32 {
        if crate::world::in_detsim() {
            detsim::rand::select_start(branches)
        } else {
            fast_below(branches)
        }
    }

    thread_local! {
        /// A xorshift64* state per thread, seeded by std's per-process
        /// random hasher keys (never zero).
        static STATE: Cell<u64> = Cell::new(RandomState::new().hash_one(0u64) | 1);
    }

    /// A uniform-enough number below `n` (`n` ≤ 64: the bias of the
    /// multiply-shift reduction is negligible at that size).
    fn fast_below(n: u32) -> u32 {
        STATE.with(|state| {
            let mut x = state.get();
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            state.set(x);
            let r = (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 32) as u32;
            ((u64::from(r) * u64::from(n)) >> 32) as u32
        })
    }
}
