//! Fault schedules: pinned decisions for individual fault occurrences, and
//! their compact text form (the value of `DETSIM_REPLAY`).
//!
//! Every time a fault kind's stream says "hit", that is the kind's next
//! *occurrence*, numbered from 0 (`partial_write#3` is the fourth hit of the
//! partial-write stream). Suppressed hits are counted too, and a suppressed
//! hit still consumed its random draw, so turning one occurrence off leaves
//! the numbering and every other decision of the seed where it was.
//!
//! A schedule keeps some occurrences and suppresses the others *up to a
//! horizon* per kind; occurrences at or past the horizon are decided by the
//! seed as usual. A replay that runs further than the recorded run (say,
//! after a small code change) therefore continues from the seed instead of
//! failing.
//!
//! # The compact form
//!
//! `<seed>` or `<seed>:<kind entry>,<kind entry>...`, where an entry is a
//! kind's short code, the kept occurrences separated by `.`, then `/` and
//! the horizon. `0x2a:pw3/8,sw1.4/5,pl/2` means: seed `0x2a`; of the first
//! 8 partial writes only #3 happens, of the first 5 spurious wakes #1 and
//! #4, the first 2 packet losses are suppressed; everything later (and every
//! kind not listed) as the seed says. The codes are listed by
//! [`FaultKind::code`].

use std::collections::BTreeSet;
use std::fmt;

use crate::faults::FaultKind;
use crate::parse::number;

/// Pinned decisions for individual fault occurrences. See the module docs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultSchedule {
    /// Occurrences that happen.
    kept: BTreeSet<(FaultKind, u64)>,
    /// Per kind (by index): occurrences below this are recorded decisions.
    /// `None`: every occurrence is recorded (what shrinking uses: whatever
    /// is not kept never happens).
    horizon: Option<Vec<u64>>,
}

impl FaultSchedule {
    /// No pinned decisions: the seed decides everything.
    pub fn free() -> FaultSchedule {
        FaultSchedule {
            kept: BTreeSet::new(),
            horizon: Some(vec![0; FaultKind::ALL.len()]),
        }
    }

    /// Only the `kept` occurrences happen; every other hit is suppressed.
    pub fn only(kept: impl IntoIterator<Item = (FaultKind, u64)>) -> FaultSchedule {
        FaultSchedule {
            kept: kept.into_iter().collect(),
            horizon: None,
        }
    }

    /// Keeps `kept` of the first `horizon[kind]` occurrences of each kind
    /// (indexed like [`FaultKind::ALL`]); later ones follow the seed.
    pub(crate) fn recorded(
        kept: impl IntoIterator<Item = (FaultKind, u64)>,
        horizon: Vec<u64>,
    ) -> FaultSchedule {
        assert_eq!(horizon.len(), FaultKind::ALL.len(), "one horizon per kind");
        let kept: BTreeSet<_> = kept.into_iter().collect();
        for &(kind, occurrence) in &kept {
            assert!(
                occurrence < horizon[kind.index()],
                "a kept occurrence lies within its horizon"
            );
        }
        FaultSchedule {
            kept,
            horizon: Some(horizon),
        }
    }

    /// Whether the seed decides everything.
    pub fn is_free(&self) -> bool {
        self.kept.is_empty()
            && self
                .horizon
                .as_ref()
                .is_some_and(|h| h.iter().all(|&n| n == 0))
    }

    /// The occurrences that happen, by kind then index.
    pub fn kept(&self) -> impl Iterator<Item = (FaultKind, u64)> + '_ {
        self.kept.iter().copied()
    }

    /// Whether occurrence `occurrence` of `kind` is suppressed.
    pub fn suppresses(&self, kind: FaultKind, occurrence: u64) -> bool {
        if self.kept.contains(&(kind, occurrence)) {
            return false;
        }
        match &self.horizon {
            None => true,
            Some(h) => occurrence < h[kind.index()],
        }
    }

    /// Formats the schedule for `seed` in the compact form.
    pub fn encode(&self, seed: u64) -> String {
        let mut out = format!("{seed:#x}");
        let Some(horizon) = &self.horizon else {
            // Shrinking's "only these" form has no finite horizon; encode
            // it with each kept kind's horizon just past its last kept hit
            // would change its meaning, so refuse loudly.
            panic!("FaultSchedule::encode: an unbounded schedule has no compact form");
        };
        let mut sep = ':';
        for (i, &kind) in FaultKind::ALL.iter().enumerate() {
            if horizon[i] == 0 {
                continue;
            }
            out.push(sep);
            sep = ',';
            out.push_str(kind.code());
            let kept: Vec<String> = self
                .kept
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, n)| n.to_string())
                .collect();
            out.push_str(&kept.join("."));
            out.push('/');
            out.push_str(&horizon[i].to_string());
        }
        out
    }

    /// Parses the compact form into a seed and a schedule.
    ///
    /// # Errors
    ///
    /// A message naming the part that could not be read.
    pub fn decode(text: &str) -> Result<(u64, FaultSchedule), ScheduleError> {
        let err = |what: String| ScheduleError {
            text: text.to_string(),
            what,
        };
        let text_trim = text.trim();
        let (seed, rest) = match text_trim.split_once(':') {
            Some((s, r)) => (s, Some(r)),
            None => (text_trim, None),
        };
        let seed = number(seed.trim()).ok_or_else(|| err(format!("{seed:?} is not a seed")))?;
        let mut horizon = vec![0; FaultKind::ALL.len()];
        let mut kept = BTreeSet::new();
        for entry in rest.into_iter().flat_map(|r| r.split(',')) {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let code_len = entry
                .find(|c: char| !c.is_ascii_lowercase())
                .unwrap_or(entry.len());
            let (code, tail) = entry.split_at(code_len);
            let kind = FaultKind::from_code(code)
                .ok_or_else(|| err(format!("{code:?} is not a fault kind code")))?;
            let (occurrences, limit) = tail
                .split_once('/')
                .ok_or_else(|| err(format!("{entry:?} has no `/horizon`")))?;
            let limit: u64 = limit
                .parse()
                .map_err(|_| err(format!("{limit:?} in {entry:?} is not a count")))?;
            for n in occurrences.split('.').filter(|n| !n.is_empty()) {
                let n: u64 = n
                    .parse()
                    .map_err(|_| err(format!("{n:?} in {entry:?} is not an occurrence")))?;
                if n >= limit {
                    return Err(err(format!(
                        "occurrence {n} in {entry:?} is past its horizon"
                    )));
                }
                kept.insert((kind, n));
            }
            horizon[kind.index()] = limit;
        }
        Ok((
            seed,
            FaultSchedule {
                kept,
                horizon: Some(horizon),
            },
        ))
    }
}

/// A `DETSIM_REPLAY` string that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleError {
    text: String,
    what: String,
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a replay string: {}; expected a seed, optionally followed by \
             `:` and kind entries like `pw3/8,sw1.4/5` (e.g. `0x2a:pw3/8`)",
            self.text, self.what
        )
    }
}

impl std::error::Error for ScheduleError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compact_form_round_trips() {
        let mut horizon = vec![0; FaultKind::ALL.len()];
        horizon[FaultKind::PartialWrite.index()] = 8;
        horizon[FaultKind::SpuriousWake.index()] = 5;
        horizon[FaultKind::PacketLoss.index()] = 2;
        let s = FaultSchedule::recorded(
            [
                (FaultKind::PartialWrite, 3),
                (FaultKind::SpuriousWake, 1),
                (FaultKind::SpuriousWake, 4),
            ],
            horizon,
        );
        let text = s.encode(0x2a);
        assert_eq!(text, "0x2a:sw1.4/5,pw3/8,pl/2");
        assert_eq!(FaultSchedule::decode(&text).unwrap(), (0x2a, s));
        assert_eq!(
            FaultSchedule::decode("42").unwrap(),
            (42, FaultSchedule::free())
        );
    }

    #[test]
    fn occurrences_past_the_horizon_follow_the_seed() {
        let (_, s) = FaultSchedule::decode("1:pw3/8").unwrap();
        assert!(s.suppresses(FaultKind::PartialWrite, 2));
        assert!(!s.suppresses(FaultKind::PartialWrite, 3));
        assert!(!s.suppresses(FaultKind::PartialWrite, 8));
        assert!(!s.suppresses(FaultKind::ShortRead, 0));
    }

    #[test]
    fn bad_replay_strings_say_what_is_wrong() {
        for bad in ["zz", "1:xx3/4", "1:pw3", "1:pw9/4", "1:pw/x"] {
            let e = FaultSchedule::decode(bad).unwrap_err().to_string();
            assert!(e.contains("not a replay string"), "{e}");
        }
    }
}
