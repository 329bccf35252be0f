//! [`Probability`]: a fault's rate, checked on construction.

use std::fmt;

/// A probability: a number in `0.0..=1.0`, checked on construction.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Probability(f64);

impl Probability {
    /// Never.
    pub const NEVER: Probability = Probability(0.0);
    /// Always.
    pub const ALWAYS: Probability = Probability(1.0);

    /// `p` as a probability.
    ///
    /// # Errors
    ///
    /// If `p` is not in `0.0..=1.0` (NaN included).
    pub fn new(p: f64) -> Result<Probability, ProbabilityError> {
        if (0.0..=1.0).contains(&p) {
            Ok(Probability(p))
        } else {
            Err(ProbabilityError(p))
        }
    }

    /// The value, in `0.0..=1.0`.
    pub fn get(self) -> f64 {
        self.0
    }

    /// Whether this can ever happen.
    pub fn is_never(self) -> bool {
        self.0 == 0.0
    }

    pub(crate) const fn lit(p: f64) -> Probability {
        Probability(p)
    }
}

/// A value given as a [`Probability`] was outside `0.0..=1.0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProbabilityError(f64);

impl fmt::Display for ProbabilityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is not a probability: use a number from 0.0 (never) to 1.0 (always), e.g. 0.05 \
             for 5%",
            self.0
        )
    }
}

impl std::error::Error for ProbabilityError {}
