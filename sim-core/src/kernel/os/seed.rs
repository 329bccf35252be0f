//! The OS runtime's seed: `DETSIM_SEED` when set, else OS entropy.
//!
//! Nothing on the OS runtime is replayable except the random streams:
//! `detsim::rand` draws, and the other seeded streams, which the OS runtime
//! barely uses (its scheduling is first-woken-first and it injects no
//! fault). A fresh seed per runtime keeps user randomness random in
//! production, as `rand::rng()` would be; printing the seed on failure and
//! accepting it back through `DETSIM_SEED` makes a run's random choices
//! reproducible when that is wanted.

use std::io;

use crate::parse::EnvError;

/// The variable that fixes the seed (the same one a sweep runs one seed
/// with).
const VAR: &str = "DETSIM_SEED";

/// `DETSIM_SEED` if it is set, else 64 bits from `getrandom(2)`.
///
/// # Errors
///
/// `InvalidInput` if `DETSIM_SEED` is set but is not a number (the message
/// names the variable and the accepted forms), or the `getrandom` error.
pub(crate) fn seed_from_env_or_entropy() -> io::Result<u64> {
    match std::env::var(VAR) {
        Ok(value) => parse(&value),
        Err(std::env::VarError::NotPresent) => entropy(),
        Err(std::env::VarError::NotUnicode(value)) => Err(invalid(value.to_string_lossy().into())),
    }
}

/// Parses a `DETSIM_SEED` value as a sweep does (`42`, `0x2a`).
fn parse(value: &str) -> io::Result<u64> {
    crate::parse::number(value.trim()).ok_or_else(|| invalid(value.to_string()))
}

fn invalid(value: String) -> io::Error {
    let error = EnvError {
        var: VAR,
        value,
        expected: "a number, decimal or 0x-hex (e.g. 42 or 0x2a); unset, the OS runtime \
                   draws its seed from OS entropy",
    };
    io::Error::new(io::ErrorKind::InvalidInput, error)
}

/// 64 bits from the kernel's random pool (`getrandom(2)`, blocking only
/// until the pool is first initialised at boot).
fn entropy() -> io::Result<u64> {
    let mut bytes = [0u8; 8];
    let mut filled = 0;
    while filled < bytes.len() {
        match rustix::rand::getrandom(&mut bytes[filled..], rustix::rand::GetRandomFlags::empty()) {
            Ok(n) => filled += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(u64::from_ne_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_parse_like_a_sweeps_and_bad_ones_name_the_variable() {
        assert_eq!(parse("0x2a").unwrap(), 42);
        assert_eq!(parse(" 42 ").unwrap(), 42);
        let e = parse("lots").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("DETSIM_SEED=\"lots\""), "{e}");
        assert!(e.to_string().contains("OS entropy"), "{e}");
    }

    #[test]
    fn entropy_gives_different_seeds() {
        // Two equal 64-bit draws: a broken source, not bad luck.
        assert_ne!(entropy().unwrap(), entropy().unwrap());
    }
}
