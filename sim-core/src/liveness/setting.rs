//! [`Liveness`]: when a run's faults end and how long it then has to
//! recover, and its text form (`10s:30s`), which `DETSIM_LIVENESS`, the
//! `#[detsim::test(liveness = "..")]` attribute and replay lines use.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::faults::PLAN_DURATION_MAX;

/// A liveness phase: environment faults end at `faults_end` (virtual time
/// from the start of the run), and the run must then finish, or call
/// [`recovered`](crate::liveness::recovered), within `recovery`. See the
/// [module docs](crate::liveness).
///
/// ```
/// use std::time::Duration;
/// use detsim::liveness::Liveness;
///
/// let phase = Liveness::after(Duration::from_secs(10)).within(Duration::from_secs(20));
/// assert_eq!(phase.faults_end(), Duration::from_secs(10));
/// assert_eq!(phase.recovery(), Duration::from_secs(20));
/// assert_eq!(phase.to_string(), "10s:20s");
/// assert_eq!("10s:20s".parse::<Liveness>(), Ok(phase));
/// assert_eq!(
///     Liveness::after(Duration::from_millis(1500)).recovery(),
///     Liveness::DEFAULT_RECOVERY
/// );
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Liveness {
    faults_end: Duration,
    recovery: Duration,
}

impl Liveness {
    /// The recovery time [`Liveness::after`] gives: 30 s of virtual time,
    /// ample for retries with backoff on the scale of seconds, and far
    /// below TCP's give-up time (~924.6 s), so a client that would only
    /// notice a lost peer through it fails the phase.
    pub const DEFAULT_RECOVERY: Duration = Duration::from_secs(30);

    /// Environment faults end `faults_end` after the start of the run; the
    /// run then has [`Liveness::DEFAULT_RECOVERY`] to recover
    /// ([`Liveness::within`] changes it).
    ///
    /// # Panics
    ///
    /// If `faults_end` is longer than a year
    /// ([`PLAN_DURATION_MAX`](crate::faults::PLAN_DURATION_MAX)).
    #[track_caller]
    pub fn after(faults_end: Duration) -> Liveness {
        assert!(
            faults_end <= PLAN_DURATION_MAX,
            "Liveness::after: {faults_end:?} is out of range; faults may end at most 365 days \
             (detsim::faults::PLAN_DURATION_MAX) into the run"
        );
        Liveness {
            faults_end,
            recovery: Liveness::DEFAULT_RECOVERY,
        }
    }

    /// The run must finish (or call
    /// [`recovered`](crate::liveness::recovered)) within `recovery` of
    /// virtual time after the faults end.
    ///
    /// # Panics
    ///
    /// If `recovery` is zero (no run could recover in no time) or longer
    /// than a year.
    #[track_caller]
    pub fn within(mut self, recovery: Duration) -> Liveness {
        assert!(
            !recovery.is_zero() && recovery <= PLAN_DURATION_MAX,
            "Liveness::within: {recovery:?} is out of range; give the run from 1ns to 365 days \
             (detsim::faults::PLAN_DURATION_MAX) to recover"
        );
        self.recovery = recovery;
        self
    }

    /// When environment faults end, from the start of the run.
    pub fn faults_end(&self) -> Duration {
        self.faults_end
    }

    /// How long the run has to recover once they did.
    pub fn recovery(&self) -> Duration {
        self.recovery
    }
}

/// `10s:30s`: the faults' end and the recovery time, each in the largest
/// unit (`h`, `m`, `s`, `ms`, `us`, `ns`) that writes it as a whole number.
/// [`FromStr`] reads it back.
impl fmt::Display for Liveness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}",
            DurationText(self.faults_end),
            DurationText(self.recovery)
        )
    }
}

/// A duration as a whole number of its largest exact unit.
struct DurationText(Duration);

/// Units from the largest, in nanoseconds.
const UNITS: [(&str, u128); 6] = [
    ("h", 3_600_000_000_000),
    ("m", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("ns", 1),
];

impl fmt::Display for DurationText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nanos = self.0.as_nanos();
        let (unit, size) = UNITS
            .iter()
            .find(|(_, size)| nanos % size == 0 && nanos > 0)
            .unwrap_or(&("s", 1_000_000_000));
        write!(f, "{}{unit}", nanos / size)
    }
}

/// A [`Liveness`] text that is not one: the text and what is accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseLivenessError {
    text: String,
}

impl ParseLivenessError {
    /// The accepted forms, as `DETSIM_LIVENESS`'s error names them.
    pub(crate) const EXPECTED: &'static str = "<faults end>:<recovery> or <faults end> (recovery \
         30s), each a whole number with a unit h, m, s, ms, us or ns (e.g. 10s:20s or 500ms), \
         faults ending at most 365 days into the run and a recovery from 1ns to 365 days; or \
         `off` (no liveness phase)";
}

impl fmt::Display for ParseLivenessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a liveness phase: expected {}",
            self.text,
            ParseLivenessError::EXPECTED
        )
    }
}

impl std::error::Error for ParseLivenessError {}

/// Reads `10s:20s` (faults end at 10 s, 20 s to recover) or `10s` (the
/// default recovery), as [`Display`](fmt::Display) writes them. `off` is
/// not a `Liveness` (only `DETSIM_LIVENESS` takes it).
impl FromStr for Liveness {
    type Err = ParseLivenessError;

    fn from_str(text: &str) -> Result<Liveness, ParseLivenessError> {
        let error = || ParseLivenessError {
            text: text.to_string(),
        };
        let (end, recovery) = match text.trim().split_once(':') {
            Some((end, recovery)) => (end, Some(recovery)),
            None => (text.trim(), None),
        };
        let end = duration(end).filter(|d| *d <= PLAN_DURATION_MAX);
        let end = end.ok_or_else(error)?;
        let recovery = match recovery {
            Some(r) => duration(r)
                .filter(|d| !d.is_zero() && *d <= PLAN_DURATION_MAX)
                .ok_or_else(error)?,
            None => Liveness::DEFAULT_RECOVERY,
        };
        Ok(Liveness {
            faults_end: end,
            recovery,
        })
    }
}

/// `10s`, `500ms`, `2m`: a whole number and a unit; `None` otherwise, or
/// past `u64::MAX` nanoseconds.
fn duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(digits);
    let number: u128 = number.parse().ok()?;
    let unit = if unit == "µs" { "us" } else { unit };
    let (_, size) = UNITS.iter().find(|(name, _)| *name == unit)?;
    let nanos = u64::try_from(number.checked_mul(*size)?).ok()?;
    Some(Duration::from_nanos(nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_form_round_trips_in_the_largest_exact_unit() {
        let phase = Liveness::after(Duration::from_millis(1500)).within(Duration::from_secs(120));
        assert_eq!(phase.to_string(), "1500ms:2m");
        assert_eq!(phase.to_string().parse::<Liveness>(), Ok(phase));
        assert_eq!(Liveness::after(Duration::ZERO).to_string(), "0s:30s");
        assert_eq!(
            "250us:7ns".parse::<Liveness>().unwrap(),
            Liveness::after(Duration::from_micros(250)).within(Duration::from_nanos(7))
        );
        assert_eq!(
            "1h".parse::<Liveness>().unwrap(),
            Liveness::after(Duration::from_secs(3600))
        );
    }

    #[test]
    fn bad_texts_are_refused_with_the_accepted_forms() {
        for bad in [
            "",
            "10",
            "10s:",
            "10s:0s",
            "ten",
            "10x",
            "-1s",
            "1.5s",
            "10s:20s:30s",
            "9999d",
            "366d",
            "9000h",
            "10s:9000h",
            "off",
        ] {
            let err = bad.parse::<Liveness>().unwrap_err();
            assert!(err.to_string().contains("e.g. 10s:20s"), "{bad}: {err}");
        }
    }

    #[test]
    #[should_panic(expected = "from 1ns to 365 days")]
    fn no_run_recovers_in_no_time() {
        let _ = Liveness::after(Duration::from_secs(1)).within(Duration::ZERO);
    }
}
