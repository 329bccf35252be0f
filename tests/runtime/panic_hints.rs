//! A panic that shows the code under test reached for tokio's runtime gets
//! a report line naming detsim's replacement.

use detsim::Runtime;

#[test]
fn tokio_spawn_inside_a_run_is_reported_with_the_detsim_replacement() {
    let failure = Runtime::sim(3)
        .try_block_on(async {
            drop(tokio::spawn(async {}));
        })
        .expect_err("tokio::spawn panics outside a tokio runtime");
    let report = failure.to_string();
    assert!(
        report.contains("no reactor running"),
        "tokio's own words stay: {report}"
    );
    assert!(
        report.contains("\n    hint: this is tokio's runtime"),
        "a line of its own: {report}"
    );
    assert!(report.contains("detsim::spawn (tokio::spawn)"), "{report}");
}

#[test]
fn tokio_sleep_inside_a_spawned_task_is_reported_with_the_detsim_replacement() {
    let failure = Runtime::sim(4)
        .try_block_on(async {
            detsim::spawn(async {
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            })
            .await
            .unwrap();
        })
        .expect_err("tokio::time::sleep panics outside a tokio runtime");
    let report = failure.to_string();
    assert!(report.contains("detsim::time::{sleep"), "{report}");
}

#[test]
fn other_panics_get_no_tokio_hint() {
    let failure = Runtime::sim(5)
        .try_block_on(async { panic!("plain bug") })
        .expect_err("the body panics");
    let report = failure.to_string();
    assert!(report.contains("plain bug"), "{report}");
    assert!(!report.contains("hint:"), "{report}");
}

#[test]
fn a_tokio_panic_located_inside_tokio_names_the_calling_code_and_the_fix() {
    let failure = Runtime::sim(6)
        .try_block_on(async {
            let _ = tokio::net::TcpStream::connect("127.0.0.1:9").await;
        })
        .expect_err("tokio's TcpStream::connect panics outside a tokio runtime");
    let report = failure.to_string();
    assert!(report.contains("no reactor running"), "{report}");
    assert!(
        report.contains("the real tokio was called at ")
            && report.contains("tests/runtime/panic_hints.rs"),
        "the caller, found past tokio's own frames: {report}"
    );
    assert!(
        report.contains("\n    fix: make `tokio` the stand-in in Cargo.toml"),
        "{report}"
    );
}
