//! Numbers as users write them, in `DETSIM_*` values, replay schedules and
//! the OS seed, and the error for an environment value that is not one.
//! Shared by the runner, the fault schedule and the OS kernel, so none of
//! them imports another for it.

use std::fmt;

/// Parses `42` or `0x2a` (underscores allowed).
pub(crate) fn number(s: &str) -> Option<u64> {
    let s = s.replace('_', "");
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn decimal_hex_and_underscores_parse_and_garbage_does_not() {
        assert_eq!(number("42"), Some(42));
        assert_eq!(number("0x2A"), Some(42));
        assert_eq!(number("1_000"), Some(1000));
        assert_eq!(number("0xzz"), None);
        assert_eq!(number("-1"), None);
    }
}

/// A `DETSIM_*` variable had a value detsim cannot use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvError {
    /// The variable, e.g. `DETSIM_SEEDS`.
    pub var: &'static str,
    /// The value found.
    pub value: String,
    /// The accepted forms.
    pub expected: &'static str,
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={:?} is not valid: expected {}",
            self.var, self.value, self.expected
        )
    }
}

impl std::error::Error for EnvError {}
