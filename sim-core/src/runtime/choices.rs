//! One schedule of the bounded exhaustive search ([`Scheduling::Dfs`]):
//! the steps at which it departs from first-woken-first-polled order, and
//! what the scheduler saw at every step.
//!
//! A *step* is a choice among two or more runnable tasks, numbered from 1.
//! The search's baseline at each step is the task FIFO order runs next
//! (the first in the run queue); a *preemption* is running the `k`-th
//! runnable task instead (`k >= 1`, counting from 0 in queue order), and
//! costs one of the bound's preemptions whichever `k` it is. A schedule
//! with at most `bound` preemptions is therefore fully described by the
//! `(step, k)` pairs where it departs from the baseline: that list is a
//! [`Choices`], and its text form (`17.3,40.1`: at step 17 run the
//! fourth runnable task, at step 40 the second) is what replay strings
//! carry after an `@`.
//!
//! [`Scheduling::Dfs`]: crate::Scheduling::Dfs

use std::fmt;

use crate::parse::number;

/// The departures from FIFO order that make one schedule, by step.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Choices {
    /// `(step, index in the run queue)`, steps strictly increasing.
    picks: Vec<(u64, u32)>,
}

impl Choices {
    /// This schedule with one more departure, at a step past every other.
    pub(crate) fn then(&self, step: u64, index: u32) -> Choices {
        debug_assert!(self.picks.last().is_none_or(|&(s, _)| s < step));
        let mut picks = self.picks.clone();
        picks.push((step, index));
        Choices { picks }
    }

    /// This schedule without its `i`-th departure (what shrinking tries).
    pub(crate) fn without(&self, i: usize) -> Choices {
        let mut picks = self.picks.clone();
        picks.remove(i);
        Choices { picks }
    }

    /// How many preemptions the schedule makes.
    pub(crate) fn len(&self) -> usize {
        self.picks.len()
    }

    /// The run-queue index to take at `step` (0: the FIFO choice).
    pub(crate) fn at(&self, step: u64) -> u32 {
        match self.picks.binary_search_by_key(&step, |&(s, _)| s) {
            Ok(i) => self.picks[i].1,
            Err(_) => 0,
        }
    }

    /// Parses the text form (`""`, or `step.index` pairs joined by `,`,
    /// steps increasing, indices at least 1).
    pub(crate) fn parse(text: &str) -> Result<Choices, String> {
        let mut picks: Vec<(u64, u32)> = Vec::new();
        for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let parsed = pair.split_once('.').and_then(|(s, k)| {
                let step = number(s.trim()).filter(|&s| s >= 1)?;
                let index = u32::try_from(number(k.trim())?).ok().filter(|&k| k >= 1)?;
                Some((step, index))
            });
            let Some((step, index)) = parsed else {
                return Err(format!(
                    "{pair:?} is not a scheduling choice (`step.index`, both at least 1)"
                ));
            };
            if picks.last().is_some_and(|&(s, _)| s >= step) {
                return Err(format!(
                    "scheduling choices must name increasing steps: {text:?}"
                ));
            }
            picks.push((step, index));
        }
        Ok(Choices { picks })
    }
}

impl fmt::Display for Choices {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (step, index)) in self.picks.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{step}.{index}")?;
        }
        Ok(())
    }
}

/// The search's scheduler state in one run: the pinned departures, and the
/// number of runnable tasks seen at each step (which tells the search the
/// alternatives this run left unexplored).
#[derive(Debug, Default)]
pub(crate) struct DfsState {
    pub(crate) choices: Choices,
    /// Runnable tasks at step `i + 1`.
    pub(crate) options: Vec<u32>,
}

impl DfsState {
    /// The run-queue index to take at the next step among `runnable`
    /// tasks. A pinned index past the queue's end (a replay of a schedule
    /// after the code changed) falls back to the last task.
    pub(crate) fn pick(&mut self, runnable: usize) -> usize {
        self.options
            .push(u32::try_from(runnable).unwrap_or(u32::MAX));
        let step = self.options.len() as u64;
        (self.choices.at(step) as usize).min(runnable - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_form_round_trips_and_refuses_nonsense() {
        let c = Choices::default().then(17, 3).then(40, 1);
        assert_eq!(c.to_string(), "17.3,40.1");
        assert_eq!(Choices::parse("17.3,40.1"), Ok(c.clone()));
        assert_eq!(Choices::parse(""), Ok(Choices::default()));
        assert_eq!(c.at(17), 3);
        assert_eq!(c.at(18), 0);
        assert_eq!(c.without(0).to_string(), "40.1");
        for bad in ["17", "0.1", "3.0", "4.1,2.1", "4.1,4.2", "x.1", "1.x"] {
            assert!(Choices::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_pinned_index_past_the_queue_takes_the_last_task() {
        let mut state = DfsState {
            choices: Choices::default().then(1, 5),
            options: Vec::new(),
        };
        assert_eq!(state.pick(3), 2);
        assert_eq!(state.pick(3), 0);
        assert_eq!(state.options, vec![3, 3]);
    }
}
