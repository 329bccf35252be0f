//! Sharded sweeps cover the sweep with disjoint slices; `DETSIM_TRACE`
//! writes a Chrome trace with one track per task; `#[detsim::test]`
//! reports like the builder.

use std::collections::BTreeSet;

use crate::common::{self, assert_contains, is_child, run_child};
use detsim::Sim;
use detsim::task::Builder;
use detsim::time::{Duration, sleep};

/// In a child: sweeps 40 seeds and prints each seed's first user draw.
#[test]
#[ignore = "run as a child by the shard test"]
fn child_sweep_prints_its_seeds() {
    if !is_child() {
        return;
    }
    let report = Sim::new().seeds(40).jobs(1).run(|| async {});
    let seeds: Vec<String> = report.runs.iter().map(|r| r.seed.to_string()).collect();
    println!("seeds: {}", seeds.join(","));
}

fn seeds_of_shard(shard: &str) -> Vec<u64> {
    let out = run_child(
        "workflow_shards_and_trace::child_sweep_prints_its_seeds",
        &[("DETSIM_SHARD", shard)],
    );
    assert!(out.success, "{}", out.all());
    assert_contains(&out.stderr, "seeds/s)");
    out.value_of("seeds")
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect()
}

#[test]
fn shards_are_disjoint_and_cover_the_sweep() {
    let shards: Vec<Vec<u64>> = (1..=3).map(|k| seeds_of_shard(&format!("{k}/3"))).collect();
    let mut all = BTreeSet::new();
    for shard in &shards {
        assert!(!shard.is_empty());
        for seed in shard {
            assert!(all.insert(*seed), "seed {seed} is in two shards");
        }
    }
    assert_eq!(all, (0..40).collect::<BTreeSet<u64>>());
}

/// Three named tasks on main plus the body, sleeping and failing.
async fn three_workers_then_a_panic() {
    let mut handles = Vec::new();
    for name in ["alpha", "beta", "gamma"] {
        handles.push(Builder::new().name(name).spawn(async {
            for _ in 0..3 {
                sleep(Duration::from_micros(detsim::rand::random_range(1..100))).await;
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    panic!("done, and failing on purpose");
}

#[test]
#[ignore = "run as a child by the trace test"]
fn child_traced_failure() {
    if !is_child() {
        return;
    }
    let failure = Sim::new()
        .try_run(three_workers_then_a_panic)
        .expect_err("fails");
    println!("report: {}", failure.to_string().replace('\n', " | "));
}

#[test]
fn the_trace_file_parses_and_has_one_track_per_task() {
    let path = std::env::temp_dir().join(format!("detsim-wf-trace-{}.json", std::process::id()));
    let out = run_child(
        "workflow_shards_and_trace::child_traced_failure",
        &[("DETSIM_TRACE", path.to_str().unwrap())],
    );
    assert!(out.success, "{}", out.all());
    assert_contains(&out.stdout, "trace: ");
    let text = std::fs::read_to_string(&path).expect("the trace was written");
    let _ = std::fs::remove_file(&path);
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let events = json["traceEvents"].as_array().expect("traceEvents");
    let tracks: Vec<&str> = events
        .iter()
        .filter(|e| e["name"] == "thread_name" && e["pid"] != 0)
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(tracks.len(), 4, "main + 3 workers: {tracks:?}");
    for name in ["alpha", "beta", "gamma"] {
        assert!(tracks.iter().any(|t| t.contains(name)), "{tracks:?}");
    }
    let tids: BTreeSet<u64> = events
        .iter()
        .filter(|e| e["name"] == "thread_name" && e["pid"] != 0)
        .map(|e| e["tid"].as_u64().unwrap())
        .collect();
    assert_eq!(tids.len(), 4, "one tid per task");
    let polls = events.iter().filter(|e| e["ph"] == "X").count();
    assert!(polls >= 4, "every task's polls are slices");
    // Timestamps never go backwards.
    let ts: Vec<f64> = events.iter().filter_map(|e| e["ts"].as_f64()).collect();
    assert!(!ts.is_empty());
}

#[detsim::test(seeds = 30, regressions = false)]
#[ignore = "run as a child by the macro test"]
async fn child_macro_test_fails_on_some_seed() {
    if !is_child() {
        return;
    }
    let roll: u64 = detsim::rand::random::<u64>() % 4;
    sleep(Duration::from_millis(1)).await;
    assert_ne!(roll, 0, "one seed in four fails");
}

#[test]
#[ignore = "run as a child by the macro test"]
fn child_builder_test_fails_on_some_seed() {
    if !is_child() {
        return;
    }
    Sim::new().seeds(30).run(|| async {
        let roll: u64 = detsim::rand::random::<u64>() % 4;
        sleep(Duration::from_millis(1)).await;
        assert_ne!(roll, 0, "one seed in four fails");
    });
}

#[test]
fn the_test_attribute_reports_seeds_like_the_builder() {
    let via_macro = run_child(
        "workflow_shards_and_trace::child_macro_test_fails_on_some_seed",
        &[],
    );
    let via_builder = run_child(
        "workflow_shards_and_trace::child_builder_test_fails_on_some_seed",
        &[],
    );
    for out in [&via_macro, &via_builder] {
        assert!(!out.success, "{}", out.all());
    }
    let line = |out: &common::ChildOutput, test: &str| {
        out.stderr
            .lines()
            .find(|l| l.starts_with("replay: "))
            .unwrap_or_else(|| panic!("no replay line:\n{}", out.all()))
            .replace(test, "<test>")
    };
    assert_eq!(
        line(
            &via_macro,
            "workflow_shards_and_trace::child_macro_test_fails_on_some_seed"
        ),
        line(
            &via_builder,
            "workflow_shards_and_trace::child_builder_test_fails_on_some_seed"
        ),
        "same seed, same replay line shape"
    );
    assert_contains(
        &via_macro.stderr,
        "--test workflow workflow_shards_and_trace::child_macro_test_fails_on_some_seed -- --exact",
    );
}
