//! Checking a fault plan's durations before a run uses them.
//!
//! A plan's probabilities are checked when they are built
//! ([`Probability::new`](crate::Probability::new)); its durations are plain
//! `Duration` fields, so they are checked when a plan is handed to the
//! runner ([`Sim::faults`](crate::Sim::faults)) or a runtime is built with
//! it. A nemesis tick of zero would schedule ticks at the same instant
//! forever, and a delay near `Duration::MAX` would push the virtual clock
//! past its end (about 584 years), so both are refused with a message
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

/// A fault plan holds a duration outside its accepted range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultPlanError {
    field: &'static str,
    value: Duration,
    min: Duration,
}

impl FaultPlanError {
    /// The field, as a path from [`Faults`] (`net.nemesis_tick`).
    pub fn field(&self) -> &'static str {
        self.field
    }
}

impl fmt::Display for FaultPlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid fault plan: Faults::{} is {:?}; use a duration from {:?} to 365 days \
             (detsim::faults::PLAN_DURATION_MAX)",
            self.field, self.value, self.min
        )?;
        if self.field == "net.nemesis_tick" && self.value < self.min {
            write!(
                f,
                "; a zero tick would schedule the nemesis at the same instant forever"
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for FaultPlanError {}

impl Faults {
    /// Checks the plan's durations: every delay and duration at most
    /// [`PLAN_DURATION_MAX`], and `net.nemesis_tick` at least
    /// [`NEMESIS_TICK_MIN`]. The runner and the runtime call it when they
    /// accept a plan.
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
        ];
        for (field, value, min) in fields {
            if value < min || value > PLAN_DURATION_MAX {
                return Err(FaultPlanError { field, value, min });
            }
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
}
