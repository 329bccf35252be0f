//! Recognising code that reached for tokio's runtime inside a detsim run,
//! and saying which crate did it and how to fix it.
//!
//! tokio's `spawn`, timers and sockets panic when no tokio runtime runs on
//! the thread, which is always the case inside a detsim run. The panic
//! names tokio, not the code that called it, so the report adds what the
//! user needs: the crate that called the real tokio (from the panic's
//! location, or, when that location is inside tokio itself, from the first
//! frame of a backtrace outside tokio and the standard library) and the
//! fix: the `detsim-tokio` stand-in, and the stand-ins of hyper-util, axum
//! and tonic, which services use through a package rename in `Cargo.toml`.

/// The phrases tokio panics with when its runtime is not running.
const TOKIO_NO_RUNTIME: [&str; 2] = [
    "there is no reactor running",
    "must be called from the context of a Tokio",
];

/// Crates with a detsim stand-in, by crate name: (name, stand-in package).
const STAND_INS: [(&str, &str); 4] = [
    ("tokio", "detsim-tokio"),
    ("hyper-util", "detsim-hyper-util"),
    ("axum", "detsim-axum"),
    ("tonic", "detsim-tonic"),
];

/// Whether `message` is tokio's "no runtime" panic.
pub(crate) fn is_tokio_without_runtime(message: &str) -> bool {
    TOKIO_NO_RUNTIME
        .iter()
        .any(|phrase| message.contains(phrase))
}

/// The report lines for tokio's "no runtime" panic: which crate called
/// tokio and what to change. `location` is the panic's location and
/// `backtrace` a rendered backtrace taken in the panic hook, if any.
pub(crate) fn hint(location: Option<&str>, backtrace: Option<&str>) -> String {
    let caller = location
        .filter(|at| !is_inside_tokio(at))
        .map(str::to_string)
        .or_else(|| backtrace.and_then(first_frame_outside_tokio));
    let mut out = String::from("hint: this is tokio's runtime, which does not run inside detsim");
    match caller.as_deref().map(|at| (at, crate_of(at))) {
        Some((at, Some((name, version)))) => {
            out.push_str(&format!(
                "; the real tokio was called by crate `{name} {version}` (at {at})"
            ));
        }
        Some((at, None)) => out.push_str(&format!("; the real tokio was called at {at}")),
        None => {}
    }
    out.push_str("\n    fix: ");
    let called_by = caller.as_deref().and_then(crate_of).map(|(name, _)| name);
    if let Some((name, stand_in)) = called_by.and_then(|name| {
        STAND_INS
            .iter()
            .find(|(n, _)| *n == name && *n != "tokio")
            .copied()
    }) {
        out.push_str(&format!(
            "{name} has a stand-in that runs in the simulation; rename it in Cargo.toml, \
             `{name} = {{ package = \"{stand_in}\", version = \"0.1\" }}`, and `tokio` \
             likewise (`tokio = {{ package = \"detsim-tokio\", version = \"0.1\" }}`); \
             the source stays as it is"
        ));
    } else if let Some(name) = called_by {
        out.push_str(&format!(
            "crate `{name}` names the real tokio and has no detsim stand-in: keep it out of \
             simulated code, or give it the stand-in by renaming its `tokio` dependency to \
             `detsim-tokio` (a fork or a vendored copy)"
        ));
    } else {
        out.push_str(
            "make `tokio` the stand-in in Cargo.toml, `tokio = { package = \"detsim-tokio\", \
             version = \"0.1\" }` (hyper-util, axum and tonic have stand-ins too), and the \
             same source runs in the simulation",
        );
    }
    out.push_str(
        "; code written for detsim calls its replacements: detsim::spawn (tokio::spawn), \
         detsim::time::{sleep, timeout, interval} (tokio::time), detsim::net::{TcpListener, \
         TcpStream, UdpSocket} (tokio::net), detsim::fs (tokio::fs), \
         detsim::task::spawn_blocking",
    );
    out
}

/// Whether a source location is in tokio's own code.
pub(crate) fn is_inside_tokio(path: &str) -> bool {
    crate_of(path).is_some_and(|(name, _)| name == "tokio")
}

/// The crate name and version of a source path in Cargo's registry
/// (`…/registry/src/<index>/<name>-<version>/src/…`); `None` for other
/// paths (the workspace's own code, the standard library).
pub(crate) fn crate_of(path: &str) -> Option<(&str, &str)> {
    let rest = path.split("/registry/src/").nth(1)?;
    let dir = rest.split('/').nth(1)?;
    // Versions start with a digit after the last '-' that is followed by one.
    let split = dir
        .match_indices('-')
        .filter(|(i, _)| dir[i + 1..].starts_with(|c: char| c.is_ascii_digit()))
        .map(|(i, _)| i)
        .next_back()?;
    Some((&dir[..split], &dir[split + 1..]))
}

/// The first `at file:line:col` of a rendered backtrace that is neither in
/// tokio nor in the standard library (nor in detsim's own runtime, whose
/// poll loop is below every task).
fn first_frame_outside_tokio(backtrace: &str) -> Option<String> {
    backtrace
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("at "))
        .find(|at| {
            !at.starts_with("/rustc/")
                && !at.contains("/library/std/")
                && !at.contains("/library/core/")
                && !at.contains("/library/alloc/")
                && !is_inside_tokio(at)
        })
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_paths_name_their_crate() {
        let at = "/home/u/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/hyper-util-0.1.21/src/rt/tokio.rs:40:9";
        assert_eq!(crate_of(at), Some(("hyper-util", "0.1.21")));
        assert_eq!(crate_of("src/main.rs:3:5"), None);
    }

    #[test]
    fn a_stand_in_crate_gets_the_rename_line() {
        let at = "/r/.cargo/registry/src/idx/axum-0.8.9/src/serve/mod.rs:276:9";
        let text = hint(Some(at), None);
        assert!(text.contains("crate `axum 0.8.9`"), "{text}");
        assert!(text.contains("package = \"detsim-axum\""), "{text}");
    }

    #[test]
    fn a_location_inside_tokio_falls_back_to_the_backtrace() {
        let inside = "/r/.cargo/registry/src/idx/tokio-1.54.1/src/net/tcp/stream.rs:10:5";
        let bt = "   0: tokio::x\n             at /r/.cargo/registry/src/idx/tokio-1.54.1/src/a.rs:1:1\n   \
                  1: std::y\n             at /rustc/abc/library/std/src/panicking.rs:2:2\n   \
                  2: reqwest::z\n             at /r/.cargo/registry/src/idx/reqwest-0.12.4/src/c.rs:3:3\n";
        let text = hint(Some(inside), Some(bt));
        assert!(text.contains("crate `reqwest 0.12.4`"), "{text}");
        assert!(text.contains("has no detsim stand-in"), "{text}");
    }
}
