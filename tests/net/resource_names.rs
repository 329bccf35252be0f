//! Reports name what a kernel event is about: a socket by its kind and
//! number, a host by its name, a link by its two ends; an event about no
//! single resource names none. A host's index never shows up as the socket
//! that happens to have the same number.

use detsim::net::{self, TcpListener};
use detsim::time::{Duration, sleep};
use detsim::{Config, Runtime};

/// The rendered events of a run that partitions, heals and crashes hosts,
/// then fails on purpose so the report shows them.
fn report_events() -> Vec<String> {
    let mut config = Config::default();
    config.report_events = 200;
    let failure = Runtime::with_config(11, config)
        .try_block_on(async {
            // The listener is the run's first resource: tcp-listener#1, as
            // the server is host #1.
            net::host("server", || async {
                let listener = TcpListener::bind("0.0.0.0:7").await?;
                let _ = listener.accept().await;
                std::io::Result::Ok(())
            });
            sleep(Duration::from_millis(1)).await;
            net::partition("main", "server");
            net::heal_all();
            net::hold("main", "server");
            net::release("main", "server");
            let client = detsim::node::create("client");
            detsim::task::Builder::new()
                .node(client)
                .spawn(std::future::pending::<()>());
            detsim::node::crash(client);
            panic!("show the events");
        })
        .expect_err("the body panics on purpose");
    failure
        .recent_events
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[track_caller]
fn event<'a>(events: &'a [String], what: &str) -> &'a str {
    events
        .iter()
        .find(|e| e.contains(what))
        .unwrap_or_else(|| panic!("no `{what}` event in:\n{}", events.join("\n")))
}

#[test]
fn link_host_and_global_events_are_named_by_what_they_concern() {
    let events = report_events();
    let all = events.join("\n");
    assert!(!all.contains("none#"), "{all}");
    assert!(
        event(&events, "kernel partition").contains("link `main`->`server`"),
        "{all}"
    );
    assert!(
        event(&events, "kernel release").contains("link `main`->`server`"),
        "{all}"
    );
    assert!(
        event(&events, "kernel heal all").ends_with("kernel heal all (0)"),
        "an event about no resource names none: {all}"
    );
    assert!(
        event(&events, "node crash").contains("node `client`"),
        "{all}"
    );
    // Only the listener's own events name the listener.
    for e in events.iter().filter(|e| e.contains("tcp-listener#")) {
        assert!(
            ["created", "registered", "listen"]
                .iter()
                .any(|w| e.contains(w)),
            "a non-listener event names the listener: {e}\n{all}"
        );
    }
}
