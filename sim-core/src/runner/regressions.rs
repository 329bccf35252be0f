//! Regression files: the failing seeds of a test, kept in
//! `detsim-regressions/<test name>.txt` next to the package's `Cargo.toml`
//! and replayed before every sweep of that test.
//!
//! The files are meant to be committed: once a sweep has found a bug, every
//! later run of the test (on every machine, in CI) tries that seed first,
//! so the bug cannot come back unnoticed even if the sweep's seeds change.
//! Each line is a replay string (see `RunSpec`): the seed alone
//! (the run exactly as the sweep found it) or the seed with its shrunk
//! fault schedule. `#` starts a comment.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::runner::exec::RunSpec;
use crate::runner::report::SweepFailure;

/// The directory name, under the package root.
pub(crate) const DIR: &str = "detsim-regressions";

/// The regression file of `test` under the package at `package_dir`.
pub(crate) fn file(package_dir: &Path, test: &str) -> PathBuf {
    let name: String = test
        .replace("::", ".")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    package_dir.join(DIR).join(format!("{name}.txt"))
}

/// Reads replay strings, one per line, skipping blanks and `#` comments.
///
/// # Panics
///
/// On a line that is not a replay string, naming the file and line.
pub(crate) fn parse(path: &Path, text: &str) -> Vec<(RunSpec, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let entry = line.split('#').next().unwrap_or_default().trim();
            if entry.is_empty() {
                return None;
            }
            let spec = RunSpec::decode(entry).unwrap_or_else(|e| {
                panic!(
                    "detsim: {}:{}: {e}; fix or delete the line",
                    path.display(),
                    i + 1
                )
            });
            Some((spec, entry.to_string()))
        })
        .collect()
}

/// The entries of the file at `path`; none if it does not exist.
pub(crate) fn load(path: &Path) -> Vec<(RunSpec, String)> {
    match fs::read_to_string(path) {
        Ok(text) => parse(path, &text),
        Err(_) => Vec::new(),
    }
}

/// Appends each of `entries` (replay strings) that the file does not hold
/// yet, with `comment` after it; creates the file with a header first.
/// Returns whether anything was written.
pub(crate) fn save(path: &Path, test: &str, entries: &[String], comment: &str) -> io::Result<bool> {
    let existing: Vec<String> = load(path).into_iter().map(|(_, e)| e).collect();
    let new: Vec<&String> = entries.iter().filter(|e| !existing.contains(e)).collect();
    if new.is_empty() {
        return Ok(false);
    }
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let fresh = !path.exists();
    let mut f = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    if fresh {
        writeln!(
            f,
            "# detsim regression seeds for `{test}`, replayed before every sweep of it.\n\
             # Commit this file. Each line is a DETSIM_REPLAY string: a seed, or a seed\n\
             # with its shrunk fault schedule. Delete a line once it stops being useful."
        )?;
    }
    let comment: String = comment.chars().filter(|c| *c != '\n').take(100).collect();
    for entry in new {
        writeln!(f, "{entry} # {comment}")?;
    }
    Ok(true)
}

/// The runs `DETSIM_REPLAY` names: a replay string, or a file of them.
pub(crate) fn replay_specs(value: &str) -> Vec<(RunSpec, String)> {
    let path = Path::new(value);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("detsim: DETSIM_REPLAY: cannot read {value}: {e}"));
        let specs = parse(path, &text);
        assert!(
            !specs.is_empty(),
            "detsim: DETSIM_REPLAY={value}: the file holds no replay strings"
        );
        return specs;
    }
    match RunSpec::decode(value) {
        Ok(spec) => vec![(spec, value.trim().to_string())],
        Err(e) => panic!("detsim: DETSIM_REPLAY: {e}, or the path of a file of them"),
    }
}

pub(crate) fn package_dir_from_env() -> Option<PathBuf> {
    std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from)
}

/// Appends the failure's replay strings to the test's regression file.
pub(crate) fn save_regression(
    failure: &SweepFailure,
    package_dir: Option<PathBuf>,
) -> Option<PathBuf> {
    if failure.source.is_some() {
        // Found by a regression entry or DETSIM_REPLAY: already kept.
        return None;
    }
    let dir = package_dir.or_else(package_dir_from_env)?;
    let test = failure
        .replay
        .split(" -- --exact")
        .next()?
        .rsplit(' ')
        .next()?;
    let path = file(&dir, test);
    let mut entries = vec![failure.replay_string.clone()];
    if let Some(s) = &failure.shrunk {
        entries.push(s.replay_string.clone());
    }
    let why = failure.failure.kind.to_string();
    let why = why.lines().next().unwrap_or_default();
    match save(&path, test, &entries, why) {
        Ok(true) => Some(path),
        Ok(false) => None,
        Err(e) => {
            eprintln!(
                "detsim: could not save the regression to {}: {e}",
                path.display()
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_paths_become_portable_file_names() {
        let f = file(Path::new("/pkg"), "net::tests::echo <1>");
        assert_eq!(
            f,
            Path::new("/pkg/detsim-regressions/net.tests.echo__1_.txt")
        );
    }

    #[test]
    fn comments_and_blank_lines_are_skipped() {
        let got = parse(Path::new("x"), "# header\n\n0x2a # why\n0x2a:pw1/2\n");
        let entries: Vec<&str> = got.iter().map(|(_, e)| e.as_str()).collect();
        assert_eq!(entries, ["0x2a", "0x2a:pw1/2"]);
        assert_eq!(got[0].0.seed, 42);
    }
}
