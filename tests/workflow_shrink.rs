//! Shrinking a failing seed's faults to the ones the bug needs, and
//! replaying the shrunk schedule, also after the code changed a little.

mod common;

use detsim::net::{self, UdpSocket};
use detsim::time::{Duration, sleep, timeout};
use detsim::{FaultKind, Faults, Probability, Sim, faults::FaultSchedule};

/// Sends 20 numbered datagrams to `main:5000` and panics when both #3 and
/// #11 were lost: a bug that needs exactly two specific faults (one
/// packet-loss roll per datagram, so other losses never move them).
async fn loses_three_and_eleven(extra_task: bool) {
    if extra_task {
        // Unrelated to the datagrams: its own timers and user randomness.
        detsim::spawn(async {
            for _ in 0..5 {
                sleep(Duration::from_micros(detsim::rand::random_range(1..500))).await;
            }
        });
    }
    let socket = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
    net::client("sender", async move {
        let out = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        for i in 0..20u32 {
            out.send_to(&i.to_be_bytes(), "main:5000").await.unwrap();
        }
    });
    let mut got = Vec::new();
    let mut buf = [0; 4];
    while let Ok(r) = timeout(Duration::from_secs(1), socket.recv_from(&mut buf)).await {
        r.unwrap();
        got.push(u32::from_be_bytes(buf));
    }
    assert!(
        got.contains(&3) || got.contains(&11),
        "datagrams 3 and 11 were both lost"
    );
}

fn lossy() -> Sim {
    let mut faults = Faults::none();
    faults.net.packet_loss = Probability::new(0.4).unwrap();
    Sim::new().faults(faults).seeds(200).jobs(1)
}

fn shrunk_replay_string() -> String {
    let failure = lossy()
        .try_run(|| loses_three_and_eleven(false))
        .expect_err("some seed loses both datagrams");
    let shrunk = failure
        .shrunk
        .expect("a run with injected faults is shrunk");
    shrunk.replay_string
}

#[test]
fn a_bug_that_needs_two_faults_shrinks_to_exactly_those_two() {
    let failure = lossy()
        .try_run(|| loses_three_and_eleven(false))
        .expect_err("some seed loses both datagrams");
    // The README's walkthrough shows this very block.
    eprintln!("{failure}");
    check_readme_sample(&failure.to_string());
    assert!(failure.failure.faults.len() > 2, "{failure}");
    let shrunk = failure.shrunk.as_ref().expect("shrunk");
    assert!(shrunk.complete, "{failure}");
    assert_eq!(shrunk.faults.len(), 2, "{failure}");
    for fault in &shrunk.faults {
        assert_eq!(fault.kind, FaultKind::PacketLoss, "{failure}");
        let line = fault.with_occurrence().to_string();
        assert!(
            line.contains(&format!("packet_loss#{} ", fault.occurrence)),
            "{line}"
        );
    }
    let report = failure.to_string();
    assert!(report.contains("shrunk: 2 of "), "{report}");
    assert!(
        report.contains("replay shrunk: DETSIM_REPLAY=0x"),
        "{report}"
    );
    assert!(report.contains("DETSIM_SEED="), "{report}");
}

#[test]
fn the_shrunk_faults_are_the_occurrences_the_replay_string_keeps() {
    let failure = lossy()
        .try_run(|| loses_three_and_eleven(false))
        .expect_err("some seed loses both datagrams");
    let shrunk = failure.shrunk.as_ref().expect("shrunk");
    let (seed, schedule) = FaultSchedule::decode(&shrunk.replay_string).expect("a replay string");
    assert_eq!(seed, failure.failure.seed);
    let kept: Vec<_> = schedule.kept().collect();
    let faults: Vec<_> = shrunk
        .faults
        .iter()
        .map(|f| (f.kind, f.occurrence))
        .collect();
    assert_eq!(faults, kept, "{failure}");
    // The shrunk run's own report holds the same faults, and the original
    // run's holds them too, at the same occurrences: one record of each.
    assert_eq!(shrunk.failure.faults, shrunk.faults);
    for fault in &shrunk.faults {
        assert!(
            failure
                .failure
                .faults
                .iter()
                .any(|f| (f.kind, f.occurrence) == (fault.kind, fault.occurrence)),
            "{fault} is not in the original run:\n{failure}"
        );
    }
}

#[test]
fn replaying_the_shrunk_schedule_reproduces_the_failure_with_only_its_faults() {
    let replay = shrunk_replay_string();
    let failure = lossy()
        .replay(&replay)
        .try_run(|| loses_three_and_eleven(false))
        .expect_err("the replay fails the same way");
    assert!(
        failure
            .failure
            .kind
            .to_string()
            .contains("datagrams 3 and 11 were both lost"),
        "{failure}"
    );
    assert_eq!(failure.failure.faults.len(), 2, "{failure}");
    assert!(
        failure.replay.contains(&format!("DETSIM_REPLAY={replay}")),
        "{failure}"
    );
}

#[test]
fn a_replay_survives_an_unrelated_extra_task() {
    let replay = shrunk_replay_string();
    // The code changed: a task the schedule never saw. The replay runs to
    // the end (its pinned decisions, then the seed) and still finds the bug.
    let failure = lossy()
        .replay(&replay)
        .try_run(|| loses_three_and_eleven(true))
        .expect_err("the packet-loss decisions are the same, so is the bug");
    assert!(
        failure.failure.kind.to_string().contains("were both lost"),
        "{failure}"
    );
}

#[test]
fn shrinking_can_be_turned_off() {
    let failure = lossy()
        .shrink(false)
        .try_run(|| loses_three_and_eleven(false))
        .expect_err("fails");
    assert!(failure.shrunk.is_none());
}

/// Which of 20 numbered datagrams sent to `main:5000` arrived.
async fn received_datagrams() -> Vec<u32> {
    let socket = UdpSocket::bind("0.0.0.0:5000").await.unwrap();
    net::client("sender", async move {
        let out = UdpSocket::bind("0.0.0.0:0").await.unwrap();
        for i in 0..20u32 {
            out.send_to(&i.to_be_bytes(), "main:5000").await.unwrap();
        }
    });
    let mut got = Vec::new();
    let mut buf = [0; 4];
    while let Ok(r) = timeout(Duration::from_secs(1), socket.recv_from(&mut buf)).await {
        r.unwrap();
        got.push(u32::from_be_bytes(buf));
    }
    got
}

/// "BUG A" needs datagrams 3 and 11 lost; losing only 3 is "BUG B". Both
/// messages carry a count that changes with every fault suppressed.
async fn two_bugs() -> Result<(), String> {
    let got = received_datagrams().await;
    let lost = 20 - got.len();
    match (got.contains(&3), got.contains(&11)) {
        (false, false) => Err(format!("BUG A: {lost} datagrams lost, 3 and 11 among them")),
        (false, true) => Err(format!("BUG B: {lost} datagrams lost, 3 among them")),
        _ => Ok(()),
    }
}

/// The lowest seed whose unshrunk run fails with `needle` in its message.
fn first_seed_failing_with(needle: &str, body: fn() -> Sim) -> u64 {
    (0..400)
        .find(|&seed| {
            body()
                .seed(seed)
                .shrink(false)
                .try_run(two_bugs)
                .is_err_and(|f| f.failure.kind.to_string().contains(needle))
        })
        .expect("some seed loses both datagrams")
}

#[test]
fn shrinking_keeps_the_bug_it_found_when_a_fault_subset_fails_with_another() {
    let seed = first_seed_failing_with("BUG A", lossy);
    let failure = lossy()
        .seed(seed)
        .try_run(two_bugs)
        .expect_err("the seed fails");
    let shrunk = failure.shrunk.as_ref().expect("shrunk");
    // Losing 3 alone fails too, with "BUG B": another bug, not a smaller
    // schedule for this one. The count in the message changes with every
    // fault suppressed, and must not stop the shrinking either.
    common::assert_contains(&shrunk.failure.kind.to_string(), "BUG A");
    assert!(shrunk.complete, "{failure}");
    assert_eq!(shrunk.faults.len(), 2, "{failure}");
}

/// Panics when datagrams 3 and 11 are both lost, with the loss count in
/// the message.
async fn panics_with_a_count() {
    let got = received_datagrams().await;
    let lost = 20 - got.len();
    assert!(
        got.contains(&3) || got.contains(&11),
        "datagrams 3 and 11 were lost ({lost} lost in all)"
    );
}

#[test]
fn a_panic_message_with_a_count_still_shrinks_to_the_faults_it_needs() {
    let failure = lossy()
        .try_run(panics_with_a_count)
        .expect_err("some seed loses both datagrams");
    let shrunk = failure.shrunk.as_ref().expect("shrunk");
    assert!(failure.failure.faults.len() > 2, "{failure}");
    assert_eq!(
        shrunk.faults.len(),
        2,
        "kept faults none needed:\n{failure}"
    );
    common::assert_contains(&shrunk.failure.kind.to_string(), "were lost (");
}

const README_START: &str = "<!-- sample-failure: generated by tests/workflow_shrink.rs \
     (DETSIM_BLESS=1 cargo test -p detsim --test workflow_shrink rewrites it) -->";
const README_END: &str = "<!-- sample-failure end -->";

/// The report as the README shows it: the timeline cut to its last six
/// events, and without the build profile flag (the README shows the
/// default profile's line, whichever profile runs this test).
fn readme_sample(report: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut timeline: Vec<&str> = Vec::new();
    let mut in_timeline = false;
    for line in report.lines() {
        if in_timeline && line.starts_with("    ") {
            timeline.push(line);
            continue;
        }
        if in_timeline {
            if timeline.len() > 6 {
                out.push("    ...".to_string());
            }
            let keep = timeline.len().saturating_sub(6);
            out.extend(timeline[keep..].iter().map(|l| l.to_string()));
        }
        in_timeline = line.starts_with("timeline of the shrunk run");
        let mut line = line.replace(" --release", "");
        if let Some(at) = line.find(" --profile ") {
            let rest = &line[at + " --profile ".len()..];
            let end = rest
                .find(' ')
                .map_or(line.len(), |e| at + " --profile ".len() + e);
            line.replace_range(at..end, "");
        }
        out.push(line);
    }
    format!("```text\n{}\n```", out.join("\n"))
}

/// Compares the README's sample failure block with `report`; with
/// `DETSIM_BLESS=1`, rewrites it instead.
#[track_caller]
fn check_readme_sample(report: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let start = readme
        .find(README_START)
        .expect("the README's start marker")
        + README_START.len();
    let end = readme[start..]
        .find(README_END)
        .expect("the README's end marker")
        + start;
    let stored = readme[start..end].trim();
    let actual = readme_sample(report);
    if stored == actual {
        return;
    }
    if std::env::var_os("DETSIM_BLESS").is_some_and(|v| v == "1") {
        let updated = format!("{}\n{actual}\n{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).expect("README.md is writable");
        return;
    }
    panic!(
        "README.md's sample failure block differs from the real run:\n--- README\n{stored}\n\
         --- this run\n{actual}\nIf the change is deliberate, rewrite the block:\n    \
         DETSIM_BLESS=1 cargo test -p detsim --test workflow_shrink"
    );
}
