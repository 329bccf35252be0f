//! The `DETSIM_*` environment variables, parsed strictly: a bad value is an
//! error that names the variable and the forms it accepts, never a silent
//! default.

use crate::alloc::size;
use crate::liveness::{Liveness, ParseLivenessError};
pub use crate::parse::EnvError;
use crate::parse::number;
use crate::runner::determinism::Check;
use crate::runtime::Scheduling;

const NUMBER: &str = "a number, decimal or 0x-hex (e.g. 42 or 0x2a)";
const SEEDS: &str = "a seed count (e.g. 500 or 0x1f4), a half-open range start..end (e.g. \
     100..600) or an inclusive one start..=last (e.g. 100..=599)";
const BASE: &str = "a number, decimal or 0x-hex, or the word `random`";
const BOOL: &str = "1, 0, true or false";
const CHECK: &str = "1, 0, true or false, or `bytes` (also compare the payload bytes written)";
const SHARD: &str = "k/n with 1 <= k <= n (e.g. 2/8)";
const REPLAY: &str =
    "a replay string (e.g. 0x2a, 0x2a:pw3/8 or 0x2a@17.3) or the path of a file of them";
const TRACE: &str = "the path of the JSON file to write (e.g. trace.json)";
const STRATEGY: &str = "random, fifo, pct:<depth> (PCT; depth >= 1, e.g. pct:3), \
     pct:<depth>:<steps> (with the horizon a failure report prints), dfs:<bound> (exhaustive \
     search with at most <bound> preemptions, e.g. dfs:2) or dfs:<bound>:<schedules> (at most \
     <schedules> per seed, >= 1)";
const SHRINK: &str = "0 (off), a budget of re-runs (e.g. 200), true or false";
const LEGAL: &str = "0 or false (switch legal behaviour off: no spurious wakes, polls or \
     readiness, short reads, partial writes, late, short or reordered completions), 1 or true \
     (the plan as given)";

/// Which seeds a sweep runs, after the environment has had its say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SeedBase {
    Fixed(u64),
    Random,
}

/// The parsed environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Env {
    pub(crate) seed: Option<u64>,
    pub(crate) seeds: Option<SeedsVar>,
    pub(crate) seed_base: Option<SeedBase>,
    pub(crate) jobs: Option<usize>,
    pub(crate) check_determinism: Option<Check>,
    pub(crate) shard: Option<(u64, u64)>,
    /// `DETSIM_REPLAY`: a replay string or a file of them, unparsed.
    pub(crate) replay: Option<String>,
    /// `DETSIM_TRACE`: where to write the Chrome trace.
    pub(crate) trace: Option<String>,
    /// `DETSIM_SHRINK`: the re-run budget; 0 disables shrinking.
    pub(crate) shrink: Option<u32>,
    /// `DETSIM_REGRESSIONS`: whether regression files are read and written.
    pub(crate) regressions: Option<bool>,
    /// `DETSIM_SWARM`: swarm mode on or off.
    pub(crate) swarm: Option<bool>,
    /// `DETSIM_LEGAL`: `Some(false)` switches the plan's legal group off.
    pub(crate) legal: Option<bool>,
    /// `DETSIM_STRATEGY`: the scheduling strategy.
    pub(crate) strategy: Option<Scheduling>,
    /// `DETSIM_LIVENESS`: a liveness phase, or `Some(None)` for `off`.
    pub(crate) liveness: Option<Option<Liveness>>,
    /// `DETSIM_ALLOC_CAP`: the allocation cap in bytes; 0 for none.
    pub(crate) alloc_cap: Option<u64>,
}

/// The seeds asked for, before the base and the shard apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SeedsVar {
    /// This many seeds from the base (at least 1).
    Count(u64),
    /// Every seed from `first` to `last`, both included (never empty; an
    /// inclusive range can hold `u64::MAX`).
    Range { first: u64, last: u64 },
}

impl Env {
    /// Reads every `DETSIM_*` variable through `get`.
    pub(crate) fn read(get: impl Fn(&str) -> Option<String>) -> Result<Env, EnvError> {
        fn parse<T>(
            get: &dyn Fn(&str) -> Option<String>,
            var: &'static str,
            expected: &'static str,
            f: impl Fn(&str) -> Option<T>,
        ) -> Result<Option<T>, EnvError> {
            get(var)
                .map(|value| {
                    f(value.trim()).ok_or(EnvError {
                        var,
                        value,
                        expected,
                    })
                })
                .transpose()
        }
        let get: &dyn Fn(&str) -> Option<String> = &get;
        Ok(Env {
            seed: parse(get, "DETSIM_SEED", NUMBER, number)?,
            seeds: parse(get, "DETSIM_SEEDS", SEEDS, |v| match v.split_once("..") {
                Some((a, b)) => {
                    let first = number(a.trim())?;
                    let last = match b.strip_prefix('=') {
                        Some(b) => number(b.trim())?,
                        None => number(b.trim())?.checked_sub(1)?,
                    };
                    (first <= last).then_some(SeedsVar::Range { first, last })
                }
                None => number(v).filter(|&n| n > 0).map(SeedsVar::Count),
            })?,
            seed_base: parse(get, "DETSIM_SEED_BASE", BASE, |v| {
                if v.eq_ignore_ascii_case("random") {
                    Some(SeedBase::Random)
                } else {
                    number(v).map(SeedBase::Fixed)
                }
            })?,
            jobs: parse(
                get,
                "DETSIM_JOBS",
                "a positive number of threads (e.g. 4)",
                |v| {
                    number(v)
                        .filter(|&n| n > 0)
                        .and_then(|n| usize::try_from(n).ok())
                },
            )?,
            check_determinism: parse(get, "DETSIM_CHECK_DETERMINISM", CHECK, |v| {
                if v.eq_ignore_ascii_case("bytes") {
                    Some(Check::Bytes)
                } else {
                    boolean(v).map(|on| if on { Check::Trace } else { Check::Off })
                }
            })?,
            shard: parse(get, "DETSIM_SHARD", SHARD, |v| {
                let (k, n) = v.split_once('/')?;
                let (k, n) = (number(k.trim())?, number(n.trim())?);
                (1 <= k && k <= n).then_some((k, n))
            })?,
            replay: parse(get, "DETSIM_REPLAY", REPLAY, |v| {
                (!v.is_empty()).then(|| v.to_string())
            })?,
            trace: parse(get, "DETSIM_TRACE", TRACE, |v| {
                (!v.is_empty()).then(|| v.to_string())
            })?,
            shrink: parse(get, "DETSIM_SHRINK", SHRINK, |v| match v {
                "true" | "TRUE" | "True" => Some(crate::runner::shrink::DEFAULT_BUDGET),
                "false" | "FALSE" | "False" => Some(0),
                _ => number(v).and_then(|n| u32::try_from(n).ok()),
            })?,
            regressions: parse(get, "DETSIM_REGRESSIONS", BOOL, boolean)?,
            swarm: parse(get, "DETSIM_SWARM", BOOL, boolean)?,
            legal: parse(get, "DETSIM_LEGAL", LEGAL, boolean)?,
            strategy: parse(get, "DETSIM_STRATEGY", STRATEGY, strategy)?,
            liveness: parse(
                get,
                "DETSIM_LIVENESS",
                ParseLivenessError::EXPECTED,
                |v| match v {
                    "off" | "OFF" | "Off" => Some(None),
                    _ => v.parse::<Liveness>().ok().map(Some),
                },
            )?,
            alloc_cap: parse(get, "DETSIM_ALLOC_CAP", size::FORMS, size::parse)?,
        })
    }

    /// Reads the process environment.
    pub(crate) fn from_process() -> Result<Env, EnvError> {
        Env::read(|k| std::env::var(k).ok())
    }
}

/// `random`, `fifo`, `pct:<depth>`, `pct:<depth>:<steps>`, `dfs:<bound>`
/// or `dfs:<bound>:<schedules>`.
fn strategy(v: &str) -> Option<Scheduling> {
    match v.split(':').collect::<Vec<_>>()[..] {
        ["random"] => Some(Scheduling::Random),
        ["fifo"] => Some(Scheduling::Fifo),
        ["pct", depth] => pct(depth, "0"),
        ["pct", depth, steps] => pct(depth, steps),
        ["dfs", bound] => dfs(bound, Scheduling::DEFAULT_DFS_SCHEDULES),
        ["dfs", bound, schedules] => dfs(bound, number(schedules).filter(|&n| n >= 1)?),
        _ => None,
    }
}

fn dfs(bound: &str, max_schedules: u64) -> Option<Scheduling> {
    Some(Scheduling::Dfs {
        bound: u32::try_from(number(bound)?).ok()?,
        max_schedules,
    })
}

fn pct(depth: &str, steps: &str) -> Option<Scheduling> {
    let depth = u32::try_from(number(depth)?).ok().filter(|&d| d >= 1)?;
    Some(Scheduling::Pct {
        depth,
        steps: number(steps)?,
    })
}

fn boolean(v: &str) -> Option<bool> {
    match v {
        "1" | "true" | "TRUE" | "True" => Some(true),
        "0" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Result<Env, EnvError> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Env::read(|k| pairs.iter().find(|(kk, _)| kk == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn numbers_accept_decimal_and_hex() {
        assert_eq!(env(&[("DETSIM_SEED", "42")]).unwrap().seed, Some(42));
        assert_eq!(env(&[("DETSIM_SEED", "0x2a")]).unwrap().seed, Some(42));
        assert_eq!(
            env(&[("DETSIM_SEEDS", "100..0x258")]).unwrap().seeds,
            Some(SeedsVar::Range {
                first: 100,
                last: 599
            })
        );
        assert_eq!(
            env(&[("DETSIM_SEEDS", "0..=0xffffffffffffffff")])
                .unwrap()
                .seeds,
            Some(SeedsVar::Range {
                first: 0,
                last: u64::MAX
            })
        );
        assert_eq!(env(&[("DETSIM_SHARD", "2/8")]).unwrap().shard, Some((2, 8)));
    }

    #[test]
    fn the_determinism_check_takes_a_boolean_or_bytes() {
        let check = |v| {
            env(&[("DETSIM_CHECK_DETERMINISM", v)])
                .unwrap()
                .check_determinism
        };
        assert_eq!(check("1"), Some(Check::Trace));
        assert_eq!(check("0"), Some(Check::Off));
        assert_eq!(check("bytes"), Some(Check::Bytes));
    }

    #[test]
    fn bad_values_name_the_variable_and_the_accepted_forms() {
        let e = env(&[("DETSIM_SEEDS", "lots")]).unwrap_err();
        assert_eq!(e.var, "DETSIM_SEEDS");
        assert!(e.to_string().contains("100..600"), "{e}");
        assert!(env(&[("DETSIM_SEEDS", "600..100")]).is_err());
        assert!(env(&[("DETSIM_SEEDS", "5..5")]).is_err());
        assert!(env(&[("DETSIM_SEEDS", "5..=4")]).is_err());
        assert!(env(&[("DETSIM_SHARD", "9/8")]).is_err());
        assert!(env(&[("DETSIM_JOBS", "0")]).is_err());
        assert!(env(&[("DETSIM_CHECK_DETERMINISM", "yes")]).is_err());
        assert!(env(&[("DETSIM_STRATEGY", "pct:0")]).is_err());
        let e = env(&[("DETSIM_STRATEGY", "dfs:2:0")]).unwrap_err();
        assert!(e.to_string().contains("dfs:<bound>:<schedules>"), "{e}");
        assert!(env(&[("DETSIM_STRATEGY", "dfs")]).is_err());
        assert!(env(&[("DETSIM_STRATEGY", "dfs:-1")]).is_err());
    }

    #[test]
    fn the_strategy_is_random_fifo_pct_or_dfs_with_optional_limits() {
        let strategy = |v| env(&[("DETSIM_STRATEGY", v)]).unwrap().strategy;
        assert_eq!(strategy("random"), Some(Scheduling::Random));
        assert_eq!(strategy("fifo"), Some(Scheduling::Fifo));
        assert_eq!(
            strategy("pct:3"),
            Some(Scheduling::Pct { depth: 3, steps: 0 })
        );
        assert_eq!(
            strategy("pct:2:0x40"),
            Some(Scheduling::Pct {
                depth: 2,
                steps: 64
            })
        );
        assert_eq!(strategy("dfs:2"), Some(Scheduling::dfs(2)));
        assert_eq!(
            strategy("dfs:0:500"),
            Some(Scheduling::Dfs {
                bound: 0,
                max_schedules: 500
            })
        );
    }

    #[test]
    fn liveness_takes_an_end_and_a_recovery_or_off() {
        use std::time::Duration;
        let liveness = |v| env(&[("DETSIM_LIVENESS", v)]).unwrap().liveness;
        assert_eq!(
            liveness("10s:20s"),
            Some(Some(
                Liveness::after(Duration::from_secs(10)).within(Duration::from_secs(20))
            ))
        );
        assert_eq!(
            liveness(" 500ms "),
            Some(Some(Liveness::after(Duration::from_millis(500))))
        );
        assert_eq!(liveness("off"), Some(None));
        assert_eq!(env(&[]).unwrap().liveness, None);
        for bad in ["10", "10s:0s", "soon", "10s:20s:30s", "1.5s"] {
            let e = env(&[("DETSIM_LIVENESS", bad)]).unwrap_err();
            assert_eq!(e.var, "DETSIM_LIVENESS");
            assert!(e.to_string().contains("e.g. 10s:20s"), "{e}");
        }
    }

    #[test]
    fn the_allocation_cap_is_a_size_and_a_bad_one_says_which_units_it_takes() {
        let cap = |v| env(&[("DETSIM_ALLOC_CAP", v)]).map(|e| e.alloc_cap);
        assert_eq!(cap("1GiB"), Ok(Some(1 << 30)));
        assert_eq!(cap(" 512M "), Ok(Some(512 << 20)));
        assert_eq!(cap("off"), Ok(Some(0)));
        for bad in ["1GB", "1.5G", "lots", ""] {
            let e = cap(bad).unwrap_err();
            assert_eq!(e.var, "DETSIM_ALLOC_CAP");
            assert!(e.to_string().contains("1GiB, 512M"), "{e}");
        }
    }

    #[test]
    fn legal_takes_a_boolean_and_names_what_zero_switches_off() {
        assert_eq!(env(&[("DETSIM_LEGAL", "0")]).unwrap().legal, Some(false));
        assert_eq!(env(&[("DETSIM_LEGAL", "true")]).unwrap().legal, Some(true));
        assert_eq!(env(&[]).unwrap().legal, None);
        let e = env(&[("DETSIM_LEGAL", "off")]).unwrap_err();
        assert_eq!(e.var, "DETSIM_LEGAL");
        assert!(e.to_string().contains("short reads"), "{e}");
    }
}
