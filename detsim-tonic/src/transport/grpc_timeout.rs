//! The `grpc-timeout` header: a request's deadline, as the gRPC over
//! HTTP/2 spec writes it, and how it crosses the simulated wire.
//!
//! tonic's `Channel` times a request that carries the header on the real
//! tokio's timer, which does not exist inside a run. So inside a run the
//! shadowed [`Channel`](super::Channel) takes the header off the request
//! before tonic sees it, times the deadline itself on virtual time, and
//! sends it as `detsim-grpc-timeout`; the shadowed server puts it back as
//! `grpc-timeout` before its deadline layer and the service see the
//! request. A server in the simulation that is not detsim-tonic's sees
//! the alias instead.

use std::time::Duration;

use http::HeaderMap;

const HEADER: &str = "grpc-timeout";

/// The header's name on the simulated wire.
const SIM_ALIAS: &str = "detsim-grpc-timeout";

/// The deadline in `headers`: at most 8 digits and a unit (`H`, `M`,
/// `S`, `m`, `u`, `n`). A malformed one is ignored, as tonic does.
pub(crate) fn parse(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(HEADER)?.to_str().ok()?;
    if value.len() < 2 || value.len() > 9 {
        return None;
    }
    let (digits, unit) = value.split_at(value.len() - 1);
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount * 3600),
        "M" => Duration::from_secs(amount * 60),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

/// Client side, inside a run: moves the header to its wire alias, out of
/// tonic's sight, and returns the deadline it gave.
#[cfg_attr(not(feature = "channel"), allow(dead_code))]
pub(crate) fn hide_from_tonic(headers: &mut HeaderMap) -> Option<Duration> {
    let deadline = parse(headers);
    if let Some(value) = headers.remove(HEADER) {
        headers.insert(SIM_ALIAS, value);
    }
    deadline
}

/// Server side: puts a deadline that came as the wire alias back under
/// its own name.
#[cfg_attr(not(feature = "server"), allow(dead_code))]
pub(crate) fn restore(headers: &mut HeaderMap) {
    if let Some(value) = headers.remove(SIM_ALIAS) {
        headers.insert(HEADER, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: &'static str, value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, value.parse().unwrap());
        headers
    }

    fn parse_one(value: &'static str) -> Option<Duration> {
        parse(&with(HEADER, value))
    }

    #[test]
    fn grpc_timeout_headers_parse_as_the_grpc_spec_says() {
        assert_eq!(parse_one("3S"), Some(Duration::from_secs(3)));
        assert_eq!(parse_one("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse_one("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(
            parse_one("99999999n"),
            Some(Duration::from_nanos(99_999_999))
        );
        assert_eq!(parse_one("123456789S"), None, "at most 8 digits");
        assert_eq!(parse_one("5x"), None, "unknown unit");
        assert_eq!(parse_one("S"), None, "no digits");
    }

    #[test]
    fn a_deadline_crosses_the_simulated_wire_under_its_alias_and_comes_back() {
        let mut headers = with(HEADER, "250m");
        assert_eq!(
            hide_from_tonic(&mut headers),
            Some(Duration::from_millis(250))
        );
        assert!(
            headers.get(HEADER).is_none(),
            "tonic's client must not see it"
        );
        assert_eq!(headers.get(SIM_ALIAS).unwrap(), "250m");
        restore(&mut headers);
        assert!(headers.get(SIM_ALIAS).is_none());
        assert_eq!(parse(&headers), Some(Duration::from_millis(250)));

        let mut none = HeaderMap::new();
        assert_eq!(hide_from_tonic(&mut none), None);
        restore(&mut none);
        assert!(none.is_empty());
    }
}
