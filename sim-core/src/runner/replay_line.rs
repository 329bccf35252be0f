//! The line a user copies to replay a failing seed:
//! `DETSIM_SEED=0x2a cargo test -p pkg --release --test net_tcp path::to::test -- --exact`.
//!
//! It names what reproduces the run exactly: the package, the build
//! profile the sweep ran under, the test target and the test. Every word
//! that is not plain is shell-quoted.
//!
//! The target and profile are read from the running executable's path, as
//! cargo lays it out: `<target dir>/[<triple>/]<profile dir>/deps/<name>-<hash>`
//! for tests, `.../examples/<name>-<hash>` for examples. The profile
//! directory is `debug` for the `dev` and `test` profiles (no flag),
//! `release` for `release` and `bench` (`--release`), and the profile's own
//! name for a custom one (`--profile <name>`). When the path says nothing
//! (a binary run by hand, or copied elsewhere), the profile is guessed from
//! `debug_assertions` (off: `--release`).
//!
//! Limits: a `deps/` binary is named `--lib` when its name is the package's
//! library crate, `--bin`/`--bench` when `src/bin/<name>.rs` or
//! `benches/<name>.rs` exists, otherwise `--test`; doctests (run from a
//! temporary `rustdoctest` directory) are `--doc`. Features, `--target`
//! and `RUSTFLAGS` the sweep was built with are not visible at run time and
//! are not in the line.

use std::path::{Path, PathBuf};

/// Where the sweep was started from, captured on the calling thread (a
/// test's thread is named after the test).
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    test_name: Option<String>,
    package: Option<String>,
    build: Build,
    /// Variables every replay needs besides the seed (`NAME=value`), such
    /// as a measured PCT horizon.
    vars: Vec<String>,
}

/// What the running executable is, from its path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Build {
    /// `--test net_tcp`, `--lib`, `--doc`, `--example quickstart`...
    pub(crate) target: Option<String>,
    /// `--release`, `--profile ci`, or nothing for the dev/test profile.
    pub(crate) profile: Option<String>,
    /// Whether the executable is an example (run with `cargo run`).
    pub(crate) example: Option<String>,
}

impl Origin {
    pub(crate) fn capture(test_name: Option<String>, package: Option<String>) -> Origin {
        let thread = std::thread::current();
        let test_name =
            test_name.or_else(|| thread.name().filter(|n| *n != "main").map(String::from));
        let package = package.or_else(|| std::env::var("CARGO_PKG_NAME").ok());
        let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
        let build = std::env::current_exe()
            .ok()
            .map(|exe| Build::of(&exe, package.as_deref(), manifest_dir.as_deref()))
            .unwrap_or_default();
        Origin {
            test_name,
            package,
            build,
            vars: Vec::new(),
        }
    }

    /// Puts `var` (`NAME=value`) in front of every replay line.
    pub(crate) fn with_var(mut self, var: String) -> Origin {
        self.vars.push(var);
        self
    }

    /// `DETSIM_SEED=0x2a cargo test -p pkg --test t module::test -- --exact`,
    /// or the `cargo run --example` form when running an example.
    pub(crate) fn replay(&self, seed: u64) -> String {
        self.command(&format!("DETSIM_SEED={seed:#x}"))
    }

    /// The test's command line with `var` (`NAME=value`) in front.
    pub(crate) fn command(&self, var: &str) -> String {
        let mut words: Vec<String> = self.vars.iter().map(|v| quote(v)).collect();
        words.push(quote(var));
        let profile = self.build.profile.iter().flat_map(|p| p.split(' '));
        if let (None, Some(example)) = (&self.test_name, &self.build.example) {
            words.extend(["cargo", "run"].map(String::from));
            words.extend(profile.map(quote));
            words.extend(["--example".to_string(), quote(example)]);
            return words.join(" ");
        }
        let Some(test) = &self.test_name else {
            let program = std::env::args()
                .next()
                .unwrap_or_else(|| "<this program>".into());
            words.push(quote(&program));
            return words.join(" ");
        };
        words.extend(["cargo", "test"].map(String::from));
        if let Some(p) = &self.package {
            words.extend(["-p".to_string(), quote(p)]);
        }
        words.extend(profile.map(quote));
        if let Some(target) = &self.build.target {
            words.extend(target.split(' ').map(quote));
        }
        words.extend([quote(test), "--".to_string(), "--exact".to_string()]);
        words.join(" ")
    }

    /// The test's name, when running under a test harness.
    pub(crate) fn test_name(&self) -> Option<&str> {
        self.test_name.as_deref()
    }
}

impl Build {
    /// What `exe` is, from where cargo put it.
    pub(crate) fn of(exe: &Path, package: Option<&str>, manifest_dir: Option<&Path>) -> Build {
        let dir = |p: &Path| p.file_name().and_then(|n| n.to_str()).map(String::from);
        let parent = exe.parent();
        let kind = parent.and_then(dir);
        let profile_dir = parent.and_then(Path::parent).and_then(dir);
        let name = exe.file_stem().and_then(|s| s.to_str()).map(|stem| {
            match stem.rsplit_once('-') {
                Some((name, hash)) if hash.chars().all(|c| c.is_ascii_hexdigit()) => name,
                _ => stem,
            }
            .to_string()
        });
        let in_cargo_dir = matches!(kind.as_deref(), Some("deps" | "examples"));
        let profile = if in_cargo_dir {
            match profile_dir.as_deref() {
                Some("debug") | None => None,
                Some("release") => Some("--release".to_string()),
                Some(other) => Some(format!("--profile {other}")),
            }
        } else {
            (!cfg!(debug_assertions)).then(|| "--release".to_string())
        };
        let doctest = parent
            .and_then(dir)
            .is_some_and(|d| d.starts_with("rustdoctest"));
        let (target, example) = match (kind.as_deref(), name) {
            _ if doctest => (Some("--doc".to_string()), None),
            (Some("examples"), Some(name)) => (Some(format!("--example {name}")), Some(name)),
            (Some("deps"), Some(name)) => (Some(deps_target(&name, package, manifest_dir)), None),
            _ => (None, None),
        };
        Build {
            target,
            profile,
            example,
        }
    }
}

/// The cargo target flag for `target/*/deps/<name>-<hash>`.
fn deps_target(name: &str, package: Option<&str>, manifest_dir: Option<&Path>) -> String {
    if package.is_some_and(|p| p.replace('-', "_") == name) {
        return "--lib".to_string();
    }
    let exists = |dir: &str| {
        manifest_dir.is_some_and(|m| {
            [name.to_string(), name.replace('_', "-")]
                .iter()
                .any(|n| m.join(dir).join(format!("{n}.rs")).is_file())
        })
    };
    if exists("src/bin") {
        format!("--bin {name}")
    } else if exists("benches") {
        format!("--bench {name}")
    } else {
        format!("--test {name}")
    }
}

/// `word` as a shell word: as is when it is plain, else single-quoted.
pub(crate) fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./:=,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return word.to_string();
    }
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_stay_and_others_are_single_quoted() {
        assert_eq!(
            quote("DETSIM_REPLAY=0x2a:pw3/8"),
            "DETSIM_REPLAY=0x2a:pw3/8"
        );
        assert_eq!(quote("a::b"), "a::b");
        assert_eq!(quote("my test"), "'my test'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }

    #[test]
    fn the_target_and_profile_come_from_the_executable_path() {
        let build = |p: &str| Build::of(Path::new(p), Some("my-crate"), None);
        let t = build("/w/target/release/deps/net_tcp-0123abcd");
        assert_eq!(t.target.as_deref(), Some("--test net_tcp"));
        assert_eq!(t.profile.as_deref(), Some("--release"));
        let t = build("/w/target/debug/deps/my_crate-0123abcd");
        assert_eq!((t.target.as_deref(), t.profile), (Some("--lib"), None));
        let t = build("/w/target/x86_64-unknown-linux-gnu/ci/deps/x-00ff");
        assert_eq!(t.profile.as_deref(), Some("--profile ci"));
        let t = build("/w/target/debug/examples/quickstart-00ff");
        assert_eq!(t.example.as_deref(), Some("quickstart"));
        let t = build("/tmp/rustdoctestAbC/rust_out");
        assert_eq!(t.target.as_deref(), Some("--doc"));
    }
}
