//! [`buggify!`](crate::buggify!): fault points you place in your own code,
//! as FoundationDB's `BUGGIFY` and madsim's `buggify` do.
//!
//! A simulation injects what the kernel and the environment can do; it
//! cannot know that your retry branch, your slow path or your "cache
//! miss" case deserves to run more often than production would run it.
//! `buggify!()` marks such a place: it evaluates to `true` on some seeds,
//! so the rare path is exercised on every sweep.
//!
//! ```
//! use detsim::time::{Duration, sleep};
//!
//! async fn flush(batch: &mut Vec<u32>) -> usize {
//!     if detsim::buggify!() {
//!         // The rare path: a slow disk, modelled as a long stall.
//!         sleep(Duration::from_millis(500)).await;
//!     }
//!     let n = batch.len();
//!     batch.clear();
//!     n
//! }
//!
//! let mut stalled = 0;
//! for seed in 0..40 {
//!     let mut config = detsim::Config::default();
//!     config.faults = detsim::Faults::default();
//!     let start = detsim::Runtime::with_config(seed, config).block_on(async {
//!         let start = detsim::time::Instant::now();
//!         assert_eq!(flush(&mut vec![1, 2, 3]).await, 3);
//!         start.elapsed()
//!     });
//!     stalled += usize::from(start >= Duration::from_millis(500));
//! }
//! assert!(stalled > 0 && stalled < 40, "some seeds take the rare path, not all");
//! ```
//!
//! # What decides
//!
//! - **Per site, per run:** the first time a site is evaluated in a run, it
//!   is enabled with the plan's chance ([`Faults::buggify`]: 1/4 in
//!   [`Faults::legal`], the default plan, and [`Faults::default`], 1/2 in
//!   [`Faults::chaos`], off in [`Faults::none`]). The draw comes from a stream keyed by the run's
//!   seed and the site's location, so adding or moving another site does
//!   not change it.
//! - **Per evaluation:** an enabled site fires with its own chance, 1/4
//!   unless it gives one (`buggify!(0.05)`); a disabled site never fires.
//!   Each firing is a [`FaultKind::Buggify`] fault: a trace event naming
//!   the site (`buggify@src/store.rs:41:12#7`), counted in the report,
//!   kept in replay strings (`bug0`) and switched off one by one by the
//!   shrinker like any other fault.
//!
//! # Outside the simulation
//!
//! On the OS runtime (`Runtime::os`), and outside any detsim runtime (your
//! code running in production, or under tokio), `buggify!()` is always
//! `false`, and costs one thread-local read. Putting it in library code
//! makes detsim a normal dependency of that library; make it an optional
//! one behind a feature if that matters to you.
//!
//! [`Faults::buggify`]: crate::Faults::buggify
//! [`Faults::legal`]: crate::Faults::legal
//! [`Faults::default`]: crate::Faults::default
//! [`Faults::chaos`]: crate::Faults::chaos
//! [`Faults::none`]: crate::Faults::none
//! [`FaultKind::Buggify`]: crate::FaultKind::Buggify

use std::cell::RefCell;
use std::collections::BTreeMap;

use rand::RngExt;

use crate::faults::FaultKind;
use crate::kernel::ResourceId;
use crate::rand::Stream;
use crate::runtime::{RuntimeInner, context};

/// A place in the code marked with [`buggify!`](crate::buggify!): its
/// location and its firing chance. The macro makes one `static` per call
/// site; write one yourself only to share a site between call sites.
///
/// ```
/// static SLOW_PATH: detsim::buggify::Site =
///     detsim::buggify::Site::new("buggify@shared-slow-path", 0.5);
///
/// let fired = (0..64u64).filter(|&seed| {
///     detsim::Runtime::sim(seed).block_on(async { SLOW_PATH.fires() })
/// });
/// assert!(fired.count() > 0, "enabled on some runs, firing half the time");
/// assert!(!SLOW_PATH.fires(), "false outside a runtime");
/// ```
#[derive(Debug)]
pub struct Site {
    name: &'static str,
    chance: f64,
}

/// The firing chance of an enabled site that gives none (FoundationDB's).
pub const DEFAULT_CHANCE: f64 = 0.25;

impl Site {
    /// A site called `name` (reports show it: by convention
    /// `buggify@file:line:column`) that fires, when enabled, with
    /// `chance`.
    ///
    /// # Panics
    ///
    /// If `chance` is not in `0.0..=1.0`; in a `static` (as the macro
    /// builds it), that is a compile-time error.
    pub const fn new(name: &'static str, chance: f64) -> Site {
        assert!(
            chance >= 0.0 && chance <= 1.0,
            "buggify!: the firing chance must be a number from 0.0 (never) to 1.0 (always)"
        );
        Site { name, chance }
    }

    /// Whether the rare path runs now: see the [module docs](self).
    pub fn fires(&'static self) -> bool {
        match context::try_runtime() {
            Some(rt) if !rt.kernel.is_os() => fires_in(&rt, self),
            _ => false,
        }
    }
}

/// `site`'s decision in the simulated runtime `rt`.
fn fires_in(rt: &RuntimeInner, site: &'static Site) -> bool {
    let _untracked = crate::alloc::Untracked::new();
    let Some(target) = rt.extension(Sites::default).enabled(rt, site) else {
        return false;
    };
    if !rt.faults.roll_with(FaultKind::Buggify, site.chance) {
        return false;
    }
    rt.record_fault(FaultKind::Buggify, target.as_u64(), 0);
    true
}

/// The run's sites, by name: the resource a site's firings target, or
/// `None` for a site drawn disabled.
#[derive(Default)]
struct Sites {
    by_name: RefCell<BTreeMap<&'static str, Option<ResourceId>>>,
}

impl Sites {
    /// `site`'s resource if it is enabled in this run, drawing that on its
    /// first evaluation.
    fn enabled(&self, rt: &RuntimeInner, site: &'static Site) -> Option<ResourceId> {
        if let Some(&known) = self.by_name.borrow().get(site.name) {
            return known;
        }
        let p = rt.config.faults.buggify.get();
        let on = p > 0.0
            && Stream::BuggifySite(fnv1a(site.name))
                .rng(rt.seed)
                .random_bool(p);
        let target = on.then(|| rt.kernel.new_resource(site.name));
        self.by_name.borrow_mut().insert(site.name, target);
        target
    }
}

/// FNV-1a: a hash of the site's name that is the same in every build and
/// process (std's hashers promise neither).
fn fnv1a(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `true` on some seeds: marks a rare path of your code for the
/// simulation to exercise. `buggify!()` fires with chance 1/4 where
/// enabled; `buggify!(p)` with `p` (a constant in `0.0..=1.0`, checked at
/// compile time). Always `false` on the OS runtime and outside detsim.
/// See [`detsim::buggify`](mod@crate::buggify) for what decides.
///
/// ```
/// let mut quiet = detsim::Config::default();
/// quiet.faults = detsim::Faults::none();
/// let fired = detsim::Runtime::with_config(3, quiet).block_on(async { detsim::buggify!(1.0) });
/// assert!(!fired, "Faults::none() enables no site");
/// ```
#[macro_export]
macro_rules! buggify {
    () => {
        $crate::buggify!($crate::buggify::DEFAULT_CHANCE)
    };
    ($chance:expr) => {{
        static SITE: $crate::buggify::Site = $crate::buggify::Site::new(
            concat!("buggify@", file!(), ":", line!(), ":", column!()),
            $chance,
        );
        SITE.fires()
    }};
}
