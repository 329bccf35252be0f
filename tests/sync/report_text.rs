//! Helpers for asserting deadlock report texts: the stuck tasks' lines
//! without columns, and source lines found by marker comments, so the
//! expected texts survive edits that move code.

use detsim::{Failure, FailureKind};

/// Each stuck task's report line, `task ... waits on ...` (with the
/// continuation line of a cycle), columns removed.
#[track_caller]
pub(crate) fn stuck_lines(failure: &Failure) -> Vec<String> {
    let FailureKind::Deadlock { stuck } = &failure.kind else {
        panic!("not a deadlock: {failure}");
    };
    stuck
        .iter()
        .map(|s| without_columns(&format!("{} waits on {}", s.task, s.waits_on)))
        .collect()
}

/// `text` with `file.rs:12:5` shortened to `file.rs:12`.
pub(crate) fn without_columns(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(".rs:") {
        let (head, tail) = rest.split_at(i + 4);
        out.push_str(head);
        let line_len = tail.chars().take_while(char::is_ascii_digit).count();
        out.push_str(&tail[..line_len]);
        let after = &tail[line_len..];
        rest = match after.strip_prefix(':') {
            Some(col) => col.trim_start_matches(|c: char| c.is_ascii_digit()),
            None => after,
        };
    }
    out.push_str(rest);
    out
}

/// `file:line` of the line of `source` (the file `file`) that `// marker`
/// names: the line it ends, or, alone on the first line of a block (where
/// rustfmt puts a comment written after `{`), the line that opens the
/// block.
#[track_caller]
pub(crate) fn at(file: &str, source: &str, marker: &str) -> String {
    let tag = format!("// {marker}");
    let lines: Vec<usize> = source
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_end().ends_with(&tag))
        .map(|(i, l)| {
            if l.trim_start().starts_with("//") {
                i
            } else {
                i + 1
            }
        })
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "marker {marker} must be on exactly one line"
    );
    format!("{file}:{}", lines[0])
}
