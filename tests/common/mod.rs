//! Helpers shared by the integration tests: running this test binary again
//! as a child process, and assertions that name the caller's line.
//!
//! Each test binary (`tests/net/main.rs`, `tests/golden_replay.rs`...)
//! declares this module once, `#[macro_use]` first, and uses a different
//! subset of these helpers, so unused ones are expected.
#![allow(dead_code)]

use std::process::Command;

/// Runs each body (an `async` block's contents, in a `fn name() { .. }`) on
/// both kernels: under the simulation (20 seeds of `Faults::default()`:
/// short reads, partial writes, spurious readiness...) and on
/// `Runtime::os()` (real epoll and loopback sockets). The invoking module
/// imports `Sim`, `Faults` and `Runtime`; the binary declares `#[macro_use]
/// mod common;` before its other modules.
#[allow(unused_macros)]
macro_rules! both_backends {
    ($(fn $name:ident() $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body() $body

            #[test]
            fn on_the_simulation() {
                Sim::new().faults(Faults::default()).seeds(20).run(body);
            }

            #[test]
            fn on_the_os() {
                Runtime::os().expect("epoll is available").block_on(body());
            }
        }
    )*};
}

/// Set in the environment of every child this module starts. Helper tests
/// that are only meant to run as a child return at once without it.
pub const CHILD_VAR: &str = "DETSIM_TEST_CHILD";

/// Whether this process was started by [`run_child`].
pub fn is_child() -> bool {
    std::env::var_os(CHILD_VAR).is_some()
}

/// What a child test process did.
#[derive(Debug)]
pub struct ChildOutput {
    /// Whether the child test passed.
    pub success: bool,
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
}

impl ChildOutput {
    /// Stdout then stderr, for searching (libtest prints a failing test's
    /// captured panic to stdout, the report goes to stderr).
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// The value of the first stdout line of the form `key: value`.
    #[track_caller]
    pub fn value_of(&self, key: &str) -> String {
        let prefix = format!("{key}: ");
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("the child printed no `{key}:` line\n{}", self.all()))
            .trim()
            .to_string()
    }
}

/// Runs `test` (an exact test path in this binary: `module::name` for a
/// test in a module) in a child process of the same test binary, with
/// every inherited `DETSIM_*` variable removed, then `env` set. Asserts
/// that exactly one test ran, so a misspelt name cannot pass vacuously.
#[track_caller]
pub fn run_child(test: &str, env: &[(&str, &str)]) -> ChildOutput {
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut cmd = Command::new(exe);
    cmd.args([test, "--exact", "--nocapture", "--include-ignored"]);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("DETSIM_") {
            cmd.env_remove(key);
        }
    }
    cmd.env(CHILD_VAR, "1").envs(env.iter().copied());
    let out = cmd.output().expect("the child test process starts");
    let child = ChildOutput {
        success: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        child.stdout.contains("running 1 test"),
        "the child should run exactly the test `{test}`\n{}",
        child.all()
    );
    child
}

/// Asserts that `haystack` contains `needle`, showing both otherwise.
#[track_caller]
pub fn assert_contains(haystack: &str, needle: &str) {
    assert!(
        haystack.contains(needle),
        "expected to find {needle:?} in:\n{haystack}"
    );
}

/// Parses `0x2a` or `42`.
#[track_caller]
pub fn parse_u64(s: &str) -> u64 {
    let s = s.trim();
    match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => s.parse(),
    }
    .unwrap_or_else(|e| panic!("{s:?} is not a number: {e}"))
}
