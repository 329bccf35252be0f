//! Checking a fault plan's durations and sizes before a run uses them.
//!
//! A plan's probabilities are checked when they are built
//! ([`Probability::new`](crate::Probability::new)); its durations and
//! sizes are plain fields, so they are checked when a plan is handed to
//! the runner ([`Sim::faults`](crate::Sim::faults)) or a runtime is built
//! with it. A nemesis tick of zero would schedule ticks at the same
//! instant forever, a delay near `Duration::MAX` would push the virtual
//! clock past its end (about 584 years), and a slow peer's segments of at
//! most 0 bytes would carry nothing, so all are refused with a message
//! naming the field and the accepted range.

use std::fmt;
use std::time::Duration;

use crate::faults::Faults;

/// The longest delay or duration a fault plan may hold: one (virtual)
/// year. Far beyond any timeout a test waits for, and small enough that
/// the plan's delays, added together onto a run's clock, stay far from
/// its end.
pub const PLAN_DURATION_MAX: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The shortest nemesis tick: one microsecond. Shorter ticks would spend
/// the run drawing partitions (and zero would never let time move on).
pub const NEMESIS_TICK_MIN: Duration = Duration::from_micros(1);

/// The largest `net.slow_peer_segment_max`: 65,535 bytes, the largest
/// window a TCP header advertises without window scaling. A "slow" peer
/// with more is not slow.
pub const SLOW_PEER_SEGMENT_MAX: usize = 65_535;

/// A fault plan holds a duration or a size outside its accepted range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultPlanError {
    field: &'static str,
    value: OutOfRange,
}

/// The offending value, with what its field accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
enum OutOfRange {
    /// A duration; the field accepts `min..=PLAN_DURATION_MAX`.
    Duration { value: Duration, min: Duration },
    /// A size in bytes; the field accepts `1..=SLOW_PEER_SEGMENT_MAX`.
    Bytes(usize),
}

impl FaultPlanError {
    /// The field, as a path from [`Faults`] (`net.nemesis_tick`).
    pub fn field(&self) -> &'static str {
        self.field
    }
}

impl fmt::Display for FaultPlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value {
            OutOfRange::Duration { value, min } => {
                write!(
                    f,
                    "invalid fault plan: Faults::{} is {value:?}; use a duration from {min:?} \
                     to 365 days (detsim::faults::PLAN_DURATION_MAX)",
                    self.field
                )?;
                if self.field == "net.nemesis_tick" && value < min {
                    write!(
                        f,
                        "; a zero tick would schedule the nemesis at the same instant forever"
                    )?;
                }
                Ok(())
            }
            OutOfRange::Bytes(value) => write!(
                f,
                "invalid fault plan: Faults::{} is {value} bytes; use a size from 1 to \
                 {SLOW_PEER_SEGMENT_MAX} bytes (detsim::faults::SLOW_PEER_SEGMENT_MAX)",
                self.field
            ),
        }
    }
}

impl std::error::Error for FaultPlanError {}

impl Faults {
    /// Checks the plan's durations and sizes: every delay and duration at
    /// most [`PLAN_DURATION_MAX`], `net.nemesis_tick` at least
    /// [`NEMESIS_TICK_MIN`], and `net.slow_peer_segment_max` from 1 to
    /// [`SLOW_PEER_SEGMENT_MAX`] bytes. The runner and the runtime call it
    /// when they accept a plan.
    ///
    /// ```
    /// use std::time::Duration;
    /// use detsim::Faults;
    ///
    /// let mut plan = Faults::chaos();
    /// assert!(plan.validate().is_ok());
    /// plan.net.nemesis_tick = Duration::ZERO;
    /// let err = plan.validate().unwrap_err();
    /// assert_eq!(err.field(), "net.nemesis_tick");
    /// assert!(err.to_string().contains("from 1µs"));
    /// ```
    ///
    /// # Errors
    ///
    /// The first field out of range, with its accepted range.
    pub fn validate(&self) -> Result<(), FaultPlanError> {
        let n = &self.net;
        let fields = [
            (
                "readiness_delay_max",
                self.readiness_delay_max,
                Duration::ZERO,
            ),
            (
                "completion_delay_max",
                self.completion_delay_max,
                Duration::ZERO,
            ),
            (
                "completion_reorder_window",
                self.completion_reorder_window,
                Duration::ZERO,
            ),
            ("net.nemesis_tick", n.nemesis_tick, NEMESIS_TICK_MIN),
            (
                "net.partition_duration_max",
                n.partition_duration_max,
                Duration::ZERO,
            ),
            (
                "net.crash_downtime_max",
                n.crash_downtime_max,
                Duration::ZERO,
            ),
            ("net.nemesis_until", n.nemesis_until, Duration::ZERO),
            ("net.slow_peer_gap_max", n.slow_peer_gap_max, Duration::ZERO),
        ];
        for (field, value, min) in fields {
            if value < min || value > PLAN_DURATION_MAX {
                let value = OutOfRange::Duration { value, min };
                return Err(FaultPlanError { field, value });
            }
        }
        if !(1..=SLOW_PEER_SEGMENT_MAX).contains(&n.slow_peer_segment_max) {
            return Err(FaultPlanError {
                field: "net.slow_peer_segment_max",
                value: OutOfRange::Bytes(n.slow_peer_segment_max),
            });
        }
        Ok(())
    }

    /// Panics with [`Faults::validate`]'s message if the plan is invalid.
    #[track_caller]
    pub(crate) fn assert_valid(&self) {
        if let Err(e) = self.validate() {
            panic!("detsim: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_presets_are_valid_and_each_field_is_named_when_out_of_range() {
        for plan in [
            Faults::none(),
            Faults::legal(),
            Faults::default(),
            Faults::chaos(),
        ] {
            plan.validate().unwrap();
        }
        let mut plan = Faults::none();
        plan.completion_delay_max = Duration::MAX;
        let err = plan.validate().unwrap_err();
        assert_eq!(err.field(), "completion_delay_max");
        assert!(err.to_string().contains("365"), "{err}");
        let mut plan = Faults::none();
        plan.net.nemesis_until = PLAN_DURATION_MAX;
        plan.net.nemesis_tick = NEMESIS_TICK_MIN;
        plan.validate().unwrap();
        plan.net.nemesis_tick = Duration::from_nanos(999);
        let err = plan.validate().unwrap_err();
        assert!(err.to_string().contains("forever"), "{err}");
    }

    #[test]
    fn a_slow_peer_segment_bound_is_from_one_byte_to_a_tcp_window() {
        let mut plan = Faults::chaos();
        for ok in [1, SLOW_PEER_SEGMENT_MAX] {
            plan.net.slow_peer_segment_max = ok;
            plan.validate().unwrap();
        }
        for bad in [0, SLOW_PEER_SEGMENT_MAX + 1] {
            plan.net.slow_peer_segment_max = bad;
            let err = plan.validate().unwrap_err();
            assert_eq!(err.field(), "net.slow_peer_segment_max");
            assert!(
                err.to_string().contains(&format!("is {bad} bytes")),
                "{err}"
            );
            assert!(err.to_string().contains("from 1 to 65535 bytes"), "{err}");
        }
        let mut plan = Faults::none();
        plan.net.slow_peer_gap_max = Duration::MAX;
        assert_eq!(
            plan.validate().unwrap_err().field(),
            "net.slow_peer_gap_max"
        );
    }
}
