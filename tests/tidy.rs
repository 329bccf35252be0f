//! Tidy: the determinism rules of STYLE.md, enforced on the source of the
//! simulation crates. A run is a pure function of its seed only if nothing
//! on a simulation path reads host time, host randomness, a randomly keyed
//! hash order or another thread's timing.
//!
//! Each rule is a set of banned patterns. A few files need a banned API for
//! a reason that never touches a simulation decision; they are listed in
//! [`EXEMPTIONS`] with that reason, and an exemption that no longer matches
//! anything fails too, so the list stays honest.

use std::fmt;
use std::path::{Path, PathBuf};

/// One determinism rule.
struct Rule {
    name: &'static str,
    /// Substrings that break the rule, searched in code with comments
    /// stripped.
    patterns: &'static [&'static str],
    /// What to do instead.
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        name: "no-host-clock",
        patterns: &[
            "std::time::Instant",
            "SystemTime",
            "UNIX_EPOCH",
            "clock_gettime",
        ],
        why: "host time differs between runs; use detsim::time::Instant (virtual)",
    },
    Rule {
        name: "no-host-randomness",
        patterns: &[
            "thread_rng",
            "ThreadRng",
            "OsRng",
            "from_entropy",
            "from_os_rng",
            "getrandom",
            "rand::rng()",
            "rand::random",
        ],
        why: "host randomness is not the seed; draw from a crate::rand::Stream",
    },
    Rule {
        name: "no-hash-collections",
        patterns: &["HashMap", "HashSet"],
        why: "std's hash order is random per process; use BTreeMap, BTreeSet, Vec or a slab",
    },
    Rule {
        name: "no-random-state",
        patterns: &["RandomState"],
        why: "RandomState is seeded by the OS",
    },
    Rule {
        name: "no-threads",
        patterns: &["thread::spawn", "thread::scope", "thread::Builder"],
        why: "a run is single-threaded; another thread's timing is not the seed",
    },
];

/// A file allowed to break one rule, and why that is safe.
struct Exemption {
    path: &'static str,
    rule: &'static str,
    reason: &'static str,
}

const EXEMPTIONS: &[Exemption] = &[
    Exemption {
        path: "sim-core/src/runtime/watchdog.rs",
        rule: "no-host-clock",
        reason: "the long-poll watchdog measures polls on the host clock; it only decides \
                 whether to report, never what the simulation does",
    },
    Exemption {
        path: "sim-core/src/runner/stall.rs",
        rule: "no-host-clock",
        reason: "the stall monitor times, on its own thread, how long a run's poll count \
                 has stood still; it only decides whether to end a stuck process",
    },
    Exemption {
        path: "sim-core/src/runner/stall.rs",
        rule: "no-threads",
        reason: "a task that blocks its thread forever can only be reported from another \
                 thread; the monitor reads relaxed counters and never touches a run",
    },
    Exemption {
        path: "sim-core/src/runner/sim/run.rs",
        rule: "no-host-clock",
        reason: "a sweep's host duration (SweepReport::host_time), measured outside every run",
    },
    Exemption {
        path: "sim-core/src/runner/sim/strategy.rs",
        rule: "no-host-clock",
        reason: "a searched sweep's host duration (SweepReport::host_time), measured outside \
                 every run",
    },
    Exemption {
        path: "sim-core/src/runner/sweep.rs",
        rule: "no-threads",
        reason: "DETSIM_JOBS runs whole seeds on several threads; each run stays on one",
    },
    Exemption {
        path: "sim-core/src/runner/seed_base.rs",
        rule: "no-random-state",
        reason: "DETSIM_SEED_BASE=random draws the sweep's base once, outside any run, \
                 and prints it",
    },
    Exemption {
        path: "detsim-tokio/src/macros.rs",
        rule: "no-random-state",
        reason: "select! outside a detsim runtime (tokio's world) starts at a branch from a \
                 thread-local generator keyed by RandomState; inside one it draws from the \
                 seed's Select stream",
    },
    Exemption {
        path: "detsim-tokio/src/time/instant.rs",
        rule: "no-host-clock",
        reason: "the stand-in's Instant wraps a std Instant as tokio's does; inside a run it \
                 is a process-wide base read once plus virtual time, so only differences of \
                 virtual times ever reach the simulation",
    },
];

/// The source trees of the simulation crates, relative to the workspace.
const SIM_SOURCES: &[&str] = &[
    "sim-core/src",
    "sim-net/src",
    "sim-fs/src",
    "detsim-tokio/src",
    "detsim-tokio-macros/src",
];

/// The OS backend's trees: real clocks, threads and syscalls are their job,
/// and they never run under the simulation (STYLE.md: the OS backend is
/// exempt, by path). Every entry must exist, so none goes stale.
const OS_BACKEND: &[&str] = &["sim-core/src/kernel/os/"];

/// One broken rule at one line.
#[derive(Debug, PartialEq, Eq)]
struct Violation {
    path: String,
    line: usize,
    rule: &'static str,
    found: &'static str,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rule = RULES.iter().find(|r| r.name == self.rule).unwrap();
        write!(
            f,
            "{}:{}: rule `{}`: `{}` ({})",
            self.path, self.line, self.rule, self.found, rule.why
        )
    }
}

/// `line` without its `//` comment (doc comments included: their examples
/// are user code, which the rules do not govern).
fn code_of(line: &str) -> &str {
    line.find("//").map_or(line, |i| &line[..i])
}

/// Every rule broken in `source`, a file at `path`.
fn check(path: &str, source: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    for (i, line) in source.lines().enumerate() {
        let code = code_of(line);
        for rule in RULES {
            for &pattern in rule.patterns {
                let hit = code.match_indices(pattern).any(|(at, _)| {
                    // `crate::rand::random`, `detsim::rand::rng()`: the seeded ones.
                    !(pattern.starts_with("rand::")
                        && (code[..at].ends_with("crate::") || code[..at].ends_with("detsim::")))
                });
                if hit {
                    found.push(Violation {
                        path: path.to_string(),
                        line: i + 1,
                        rule: rule.name,
                        found: pattern,
                    });
                }
            }
        }
    }
    // A `use std::time::{Duration, Instant}` names std's Instant without
    // spelling `std::time::Instant`.
    for (i, stmt) in use_statements(source) {
        if stmt.starts_with("use std::time::{") && stmt.contains("Instant") {
            found.push(Violation {
                path: path.to_string(),
                line: i + 1,
                rule: "no-host-clock",
                found: "std::time::Instant",
            });
        }
    }
    found
}

/// Each `use` statement (joined across lines, spaces removed) with the
/// index of its first line.
fn use_statements(source: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, line) in source.lines().enumerate() {
        let code = code_of(line).trim();
        let started = open.is_none() && (code.starts_with("use ") || code.starts_with("pub use "));
        if started {
            open = Some((i, String::new()));
        }
        if let Some((_, stmt)) = &mut open {
            let code = code.strip_prefix("pub ").unwrap_or(code);
            stmt.push_str(&code.replace(' ', ""));
            if code.ends_with(';') {
                let (first, stmt) = open.take().unwrap();
                out.push((first, stmt.replacen("use", "use ", 1)));
            }
        }
    }
    out
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn simulation_sources_use_no_host_time_randomness_hash_order_or_threads() {
    let root = workspace();
    let mut files = Vec::new();
    for dir in SIM_SOURCES {
        rust_files(&root.join(dir), &mut files);
    }
    files.sort();
    assert!(
        files.len() >= 20,
        "only {} files found: wrong root?",
        files.len()
    );

    let mut broken = Vec::new();
    let mut used = vec![false; EXEMPTIONS.len()];
    for file in &files {
        let rel = file
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if OS_BACKEND.iter().any(|dir| rel.starts_with(dir)) {
            continue;
        }
        let source = std::fs::read_to_string(file).unwrap();
        for v in check(&rel, &source) {
            match EXEMPTIONS
                .iter()
                .position(|e| e.path == v.path && e.rule == v.rule)
            {
                Some(i) => used[i] = true,
                None => broken.push(v.to_string()),
            }
        }
    }
    assert!(
        broken.is_empty(),
        "determinism rules broken on simulation paths:\n{}",
        broken.join("\n")
    );
    for dir in OS_BACKEND {
        assert!(
            root.join(dir).is_dir(),
            "OS_BACKEND lists {dir}, which does not exist any more"
        );
    }
    let stale: Vec<String> = EXEMPTIONS
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(e, _)| format!("{} ({}): {}", e.path, e.rule, e.reason))
        .collect();
    assert!(
        stale.is_empty(),
        "exemptions that match nothing any more; remove them:\n{}",
        stale.join("\n")
    );
}

/// The files whose code runs inside the global allocator on every
/// allocation when the tracker is installed (`detsim::alloc`). A
/// `GlobalAlloc` must never unwind, and code that allocates there recurses
/// into itself: so no allocating type or macro, nothing that panics
/// (`unwrap`, `expect`, asserts, indexing a `RefCell`'s borrow, a plain
/// `LocalKey::with`, which panics once the thread-local is gone), no lock.
/// (`alloc/refusal.rs`, the failure line printed before a null is returned,
/// runs with tracking off and catches panics: it is not on this list.)
const ALLOCATOR_PATHS: &[&str] = &[
    "sim-core/src/alloc/account.rs",
    "sim-core/src/alloc/tracker.rs",
];

const NOT_IN_AN_ALLOCATOR: &[&str] = &[
    "format!",
    "vec!",
    "Box::",
    "String",
    "to_string",
    "Vec<",
    "Vec::",
    "panic!",
    "unwrap(",
    "expect(",
    "assert",
    "unreachable!",
    "RefCell",
    "borrow",
    "Mutex",
    "RwLock",
    "print!",
    "println!",
    ".with(",
];

#[test]
fn the_allocators_own_paths_never_allocate_panic_or_lock() {
    let root = workspace();
    let mut broken = Vec::new();
    for path in ALLOCATOR_PATHS {
        let source = std::fs::read_to_string(root.join(path))
            .unwrap_or_else(|e| panic!("ALLOCATOR_PATHS lists {path}: {e}"));
        for (i, line) in source.lines().enumerate() {
            let code = code_of(line);
            for pattern in NOT_IN_AN_ALLOCATOR {
                if code.contains(pattern) {
                    broken.push(format!("{path}:{}: `{pattern}`: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "code that runs inside the global allocator must not allocate, panic or lock:\n{}",
        broken.join("\n")
    );
}

#[track_caller]
fn assert_flags(source: &str, rule: &str, found: &str) {
    let violations = check("sample.rs", source);
    assert!(
        violations
            .iter()
            .any(|v| v.rule == rule && v.found == found && v.line == 2),
        "{source:?} should break `{rule}` at sample.rs:2 with `{found}`, got {violations:?}"
    );
}

#[test]
fn tidy_flags_every_banned_api_with_its_file_line_and_rule() {
    let cases = [
        (
            "let t = std::time::Instant::now();",
            "no-host-clock",
            "std::time::Instant",
        ),
        (
            "use std::time::{Duration, Instant};",
            "no-host-clock",
            "std::time::Instant",
        ),
        ("let t = SystemTime::now();", "no-host-clock", "SystemTime"),
        (
            "let t = clock_gettime(ClockId::Monotonic);",
            "no-host-clock",
            "clock_gettime",
        ),
        (
            "let r = rand::thread_rng();",
            "no-host-randomness",
            "thread_rng",
        ),
        ("let r = OsRng;", "no-host-randomness", "OsRng"),
        (
            "let x: u8 = rand::rng().random();",
            "no-host-randomness",
            "rand::rng()",
        ),
        (
            "getrandom::fill(&mut b)?;",
            "no-host-randomness",
            "getrandom",
        ),
        (
            "let m: HashMap<u64, u64> = HashMap::new();",
            "no-hash-collections",
            "HashMap",
        ),
        (
            "use std::collections::HashSet;",
            "no-hash-collections",
            "HashSet",
        ),
        (
            "let s = RandomState::new();",
            "no-random-state",
            "RandomState",
        ),
        ("std::thread::spawn(|| ());", "no-threads", "thread::spawn"),
        ("std::thread::scope(|s| ());", "no-threads", "thread::scope"),
    ];
    for (code, rule, found) in cases {
        assert_flags(&format!("fn f() {{\n    {code}\n}}\n"), rule, found);
    }
    let multi_line_use = "use std::time::{\n    Duration,\n    Instant,\n};\n";
    let v = check("sample.rs", &format!("\n{multi_line_use}"));
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0].line, 2);
    assert_eq!(
        v[0].to_string(),
        "sample.rs:2: rule `no-host-clock`: `std::time::Instant` (host time differs between \
         runs; use detsim::time::Instant (virtual))"
    );
}

#[test]
fn tidy_allows_the_seeded_and_virtual_apis_and_comments() {
    let fine = "\
use std::time::Duration;
use crate::time::Instant;
let now = Instant::now(); // virtual: detsim's clock
let a: u64 = crate::rand::random();
let b = detsim::rand::rng();
let m: BTreeMap<u64, u64> = BTreeMap::new();
/// Unlike std::time::Instant and HashMap, ...
";
    assert_eq!(check("sample.rs", fine), []);
}
