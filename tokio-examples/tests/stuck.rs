//! Where tokio code gets stuck without the Cargo renames: a dependency
//! that calls the real tokio inside the simulation fails the run with a
//! report that names the crate and the fix.

use detsim::{FailureKind, Sim};
use hyper::rt::Executor as _;

#[test]
fn the_real_hyper_util_executor_is_named_with_its_stand_in() {
    let failure = Sim::new()
        .seed(1)
        .regressions(false)
        .try_run(|| async {
            // hyper-util's own executor, not the stand-in's: it calls the
            // real tokio::spawn.
            hyper_util_real::rt::TokioExecutor::new().execute(async {});
        })
        .expect_err("the real tokio::spawn panics inside the simulation");
    let FailureKind::Panic { message, .. } = &failure.failure.kind else {
        panic!("expected tokio's panic, got {:?}", failure.failure.kind);
    };
    assert!(message.contains("no reactor running"), "{message}");
    assert!(
        message.contains("the real tokio was called by crate `hyper-util 0.1."),
        "the crate that called tokio: {message}"
    );
    assert!(
        message.contains("`hyper-util = { package = \"detsim-hyper-util\", version = \"0.1\" }`"),
        "the fix: {message}"
    );
    println!("{message}");
}
