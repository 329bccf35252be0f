//! What one run is, and its replay string.
//!
//! A run is a seed, the fault decisions pinned for it (see
//! [`FaultSchedule`]) and, under [`Scheduling::Dfs`], the schedule's
//! preemptions (see `runtime/choices.rs`). Its replay string is the fault
//! schedule's compact form, then `@` and the preemptions when the run is
//! one of the search's: `0x2a:pw3/8@17.3` replays seed `0x2a` with the
//! fourth partial write only, preempting at the 17th choice; `0x0@` is
//! the search's baseline (no preemption). A string with `@` runs under
//! the search's scheduler whatever strategy the test names, so the
//! string alone replays the run.
//!
//! [`Scheduling::Dfs`]: crate::Scheduling::Dfs

use crate::faults::FaultSchedule;
use crate::runtime::Choices;

/// What one run is. See the module docs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RunSpec {
    pub(crate) seed: u64,
    pub(crate) schedule: FaultSchedule,
    /// The search's preemptions, when the run is one of its schedules.
    pub(crate) choices: Option<Choices>,
}

impl RunSpec {
    /// `seed` with nothing pinned.
    pub(crate) fn seed(seed: u64) -> RunSpec {
        RunSpec {
            seed,
            schedule: FaultSchedule::free(),
            choices: None,
        }
    }

    /// Whether the seed alone says what this run is (`DETSIM_SEED` can
    /// replay it).
    pub(crate) fn is_plain(&self) -> bool {
        self.schedule.is_free() && self.choices.is_none()
    }

    /// The replay string.
    pub(crate) fn encode(&self) -> String {
        let mut text = self.schedule.encode(self.seed);
        if let Some(choices) = &self.choices {
            text.push('@');
            text.push_str(&choices.to_string());
        }
        text
    }

    /// Parses a replay string.
    pub(crate) fn decode(text: &str) -> Result<RunSpec, String> {
        let (faults, choices) = match text.trim().split_once('@') {
            Some((faults, choices)) => (faults, Some(choices)),
            None => (text, None),
        };
        let (seed, schedule) = FaultSchedule::decode(faults).map_err(|e| e.to_string())?;
        let choices = match choices {
            Some(c) => Some(Choices::parse(c).map_err(|e| format!("{text:?}: {e}"))?),
            None => None,
        };
        Ok(RunSpec {
            seed,
            schedule,
            choices,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replay_strings_carry_the_searchs_preemptions_after_an_at() {
        let plain = RunSpec::decode("0x2a").unwrap();
        assert!(plain.is_plain());
        assert_eq!(plain.encode(), "0x2a");
        let searched = RunSpec::decode("0x2a:pw3/8@17.3").unwrap();
        assert!(!searched.is_plain());
        assert_eq!(searched.encode(), "0x2a:pw3/8@17.3");
        let baseline = RunSpec::decode("0x0@").unwrap();
        assert_eq!(baseline.choices, Some(Choices::default()));
        assert_eq!(baseline.encode(), "0x0@");
        assert!(RunSpec::decode("0x0@3").is_err());
        assert!(RunSpec::decode("zz@1.1").is_err());
    }
}
