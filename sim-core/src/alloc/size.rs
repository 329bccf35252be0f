//! Byte counts as users write them (`DETSIM_ALLOC_CAP=1GiB`) and as
//! reports print them (`4294967296 bytes (4 GiB)`).

use std::fmt;

/// The forms [`parse`] accepts, for the error message.
pub(crate) const FORMS: &str = "a number of bytes: decimal with an optional binary unit (B, K \
     or KiB, M or MiB, G or GiB, T or TiB; e.g. 1GiB, 512M, 1073741824) or 0x-hex; 0 or off for \
     no cap";

const UNITS: [(&str, u64); 5] = [
    ("TiB", 1 << 40),
    ("GiB", 1 << 30),
    ("MiB", 1 << 20),
    ("KiB", 1 << 10),
    ("B", 1),
];

/// `1GiB`, `512 M`, `0x4000_0000` (hex takes no unit); `off` is 0. Units
/// are binary, whatever their case; a decimal unit (`GB`) is refused
/// rather than guessed.
pub(crate) fn parse(s: &str) -> Option<u64> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("off") {
        return Some(0);
    }
    let digits_end = if s.starts_with("0x") || s.starts_with("0X") {
        s.len()
    } else {
        s.find(|c: char| !(c.is_ascii_digit() || c == '_'))
            .unwrap_or(s.len())
    };
    let (number, unit) = s.split_at(digits_end);
    let number = crate::parse::number(number.trim())?;
    let unit = unit.trim();
    let scale = if unit.is_empty() {
        1
    } else {
        UNITS.iter().find_map(|&(name, scale)| {
            let short = &name[..1];
            (unit.eq_ignore_ascii_case(name) || (scale > 1 && unit.eq_ignore_ascii_case(short)))
                .then_some(scale)
        })?
    };
    number.checked_mul(scale)
}

/// `n` as [`parse`] reads it back, in the largest binary unit it is a
/// whole number of (`1GiB`, `1536B`), for a replay line.
pub(crate) fn compact(n: u64) -> String {
    UNITS
        .iter()
        .find(|&&(_, scale)| n >= scale && n % scale == 0)
        .map_or_else(
            || n.to_string(),
            |&(name, scale)| format!("{}{name}", n / scale),
        )
}

/// A byte count for a report: `1024 bytes (1 KiB)`, `1500 bytes (1.5 KiB)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ByteSize(pub(crate) u64);

impl fmt::Display for ByteSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        write!(f, "{n} byte{}", if n == 1 { "" } else { "s" })?;
        if n >= 1024 {
            write!(f, " ({})", Unit(n))?;
        }
        Ok(())
    }
}

/// A byte count in its largest binary unit: `1 GiB`, `1.5 KiB`, `16 EiB`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Unit(pub(crate) u64);

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        let n = self.0;
        let power = if n == 0 {
            0
        } else {
            (63 - n.leading_zeros()) / 10
        };
        let scale = 1u64 << (10 * power);
        let name = NAMES[power as usize];
        if n % scale == 0 {
            write!(f, "{} {name}", n / scale)
        } else {
            write!(f, "{:.1} {name}", n as f64 / scale as f64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_take_binary_units_in_any_case_and_refuse_decimal_ones() {
        assert_eq!(parse("1GiB"), Some(1 << 30));
        assert_eq!(parse("1 gib"), Some(1 << 30));
        assert_eq!(parse("512M"), Some(512 << 20));
        assert_eq!(parse("64k"), Some(64 << 10));
        assert_eq!(parse("2TiB"), Some(2 << 40));
        assert_eq!(parse("100B"), Some(100));
        assert_eq!(parse("1073741824"), Some(1 << 30));
        assert_eq!(parse("0x4000_0000"), Some(1 << 30));
        assert_eq!(parse("0"), Some(0));
        assert_eq!(parse("off"), Some(0));
        assert_eq!(parse("1GB"), None);
        assert_eq!(parse("1.5GiB"), None);
        assert_eq!(parse("GiB"), None);
        assert_eq!(parse("lots"), None);
        assert_eq!(parse("-1G"), None);
        assert_eq!(parse("20000000TiB"), None, "overflow");
    }

    #[test]
    fn compact_sizes_read_back_as_themselves() {
        for n in [0, 1, 1000, 1536, 1 << 30, 3 << 40, u64::MAX] {
            assert_eq!(parse(&compact(n)), Some(n), "{}", compact(n));
        }
        assert_eq!(compact(1 << 30), "1GiB");
        assert_eq!(compact(1536), "1536B");
    }

    #[test]
    fn sizes_print_exactly_and_in_their_largest_unit() {
        assert_eq!(ByteSize(1).to_string(), "1 byte");
        assert_eq!(ByteSize(1000).to_string(), "1000 bytes");
        assert_eq!(ByteSize(4 << 30).to_string(), "4294967296 bytes (4 GiB)");
        assert_eq!(ByteSize(1536).to_string(), "1536 bytes (1.5 KiB)");
        assert_eq!(Unit(u64::MAX).to_string(), "16.0 EiB");
        assert_eq!(Unit(0).to_string(), "0 B");
    }
}
