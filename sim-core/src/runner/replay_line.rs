//! The line a user copies to replay a failing seed.

use std::path::Path;

/// Where the sweep was started from, captured on the calling thread (a
/// test's thread is named after the test).
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    test_name: Option<String>,
    package: Option<String>,
    example: Option<String>,
}

impl Origin {
    pub(crate) fn capture(test_name: Option<String>, package: Option<String>) -> Origin {
        let thread = std::thread::current();
        let test_name =
            test_name.or_else(|| thread.name().filter(|n| *n != "main").map(String::from));
        let package = package.or_else(|| std::env::var("CARGO_PKG_NAME").ok());
        let example = std::env::current_exe()
            .ok()
            .and_then(|exe| example_name(&exe));
        Origin {
            test_name,
            package,
            example,
        }
    }

    /// `DETSIM_SEED=0x2a cargo test -p pkg module::test -- --exact`, or the
    /// `cargo run --example` form when running an example.
    pub(crate) fn replay(&self, seed: u64) -> String {
        self.command(&format!("DETSIM_SEED={seed:#x}"))
    }

    /// The test's command line with `var` (`NAME=value`) in front.
    pub(crate) fn command(&self, var: &str) -> String {
        if let (None, Some(example)) = (&self.test_name, &self.example) {
            return format!("{var} cargo run --example {example}");
        }
        let package = self
            .package
            .as_ref()
            .map(|p| format!(" -p {p}"))
            .unwrap_or_default();
        match &self.test_name {
            Some(test) => format!("{var} cargo test{package} {test} -- --exact"),
            None => {
                let program = std::env::args()
                    .next()
                    .unwrap_or_else(|| "<this program>".into());
                format!("{var} {program}")
            }
        }
    }

    /// The test's name, when running under a test harness.
    pub(crate) fn test_name(&self) -> Option<&str> {
        self.test_name.as_deref()
    }
}

/// `target/debug/examples/quickstart-1a2b3c` -> `quickstart`.
fn example_name(exe: &Path) -> Option<String> {
    let dir = exe.parent()?.file_name()?.to_str()?;
    if dir != "examples" {
        return None;
    }
    let stem = exe.file_stem()?.to_str()?;
    let name = match stem.rsplit_once('-') {
        Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => name,
        _ => stem,
    };
    Some(name.to_string())
}
