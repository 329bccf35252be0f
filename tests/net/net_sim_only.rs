//! The simulation's network controls (hosts, partitions, held links, link
//! settings, host lookup) do not exist on the OS runtime: calling one
//! there panics with a message naming the call, rather than doing nothing
//! and letting a test believe it partitioned or configured something.

use std::panic::{AssertUnwindSafe, catch_unwind};

use detsim::Runtime;
use detsim::net::{self, HostHandle, LinkConfig, NetConfig};
use detsim::time::Duration;

/// Runs `control` inside a body on the OS runtime; returns its panic
/// message.
#[track_caller]
fn os_panic_message(control: impl FnOnce()) -> String {
    let rt = Runtime::os().expect("epoll is available");
    let payload = catch_unwind(AssertUnwindSafe(|| rt.block_on(async { control() })))
        .expect_err("a simulation-only control did nothing on the OS runtime");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

#[track_caller]
fn assert_sim_only(call: &str, control: impl FnOnce()) {
    let message = os_panic_message(control);
    assert!(
        message.contains(call),
        "the message names {call}: {message}"
    );
    assert!(
        message.contains("only under the simulation"),
        "the message says why: {message}"
    );
}

#[test]
fn network_controls_on_the_os_runtime_panic_naming_the_call() {
    assert_sim_only("detsim::net::host", || {
        net::host("server", || async {});
    });
    assert_sim_only("detsim::net::client", || {
        net::client("c", async {});
    });
    assert_sim_only("detsim::net::partition", || net::partition("a", "b"));
    assert_sim_only("detsim::net::partition_oneway", || {
        net::partition_oneway("a", "b")
    });
    assert_sim_only("detsim::net::heal", || net::heal("a", "b"));
    assert_sim_only("detsim::net::heal_all", net::heal_all);
    assert_sim_only("detsim::net::hold", || net::hold("a", "b"));
    assert_sim_only("detsim::net::release", || net::release("a", "b"));
    assert_sim_only("detsim::net::set_link", || {
        let link = LinkConfig::latency(Duration::ZERO, Duration::ZERO);
        net::set_link("a", "b", link)
    });
    assert_sim_only("detsim::net::configure", || {
        net::configure(NetConfig::default())
    });
    assert_sim_only("detsim::net::lookup", || {
        net::lookup("a");
    });
    assert_sim_only("detsim::net::HostHandle::current", || {
        HostHandle::current();
    });
    assert_sim_only("detsim::net::HostHandle::lookup", || {
        HostHandle::lookup("a");
    });
}

#[test]
fn a_duplicate_client_name_panics_naming_net_client() {
    let rt = Runtime::sim(1);
    let result = rt.try_block_on(async {
        net::client("c", async {});
        net::client("c", async {});
    });
    let failure = result.expect_err("a second host named `c` was accepted");
    let report = failure.to_string();
    assert!(
        report.contains("detsim::net::client: a host named `c` already exists"),
        "the message names the call that failed: {report}"
    );
    assert!(
        report.contains("panicked at tests/net/net_sim_only.rs"),
        "the panic points at the caller, not inside detsim: {report}"
    );
}
