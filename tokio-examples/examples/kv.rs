//! The tokio key-value service (`tokio_examples::kv`, whose source names
//! only tokio), run both ways from one build:
//!
//! ```text
//! cargo run -p tokio-examples --example kv           # on tokio, over loopback
//! cargo run -p tokio-examples --example kv -- --sim  # in detsim: 1,000 seeds, then the planted bug
//! ```

use detsim::Sim;
use tokio_examples::kv::{Client, ClientConfig, Server};
use tokio_examples::kv_world::{lost_replies, world};

fn main() {
    if std::env::args().any(|a| a == "--sim") {
        simulate();
    } else {
        on_tokio();
    }
}

/// Production: tokio's multi-threaded runtime and real sockets.
#[tokio::main]
async fn on_tokio() {
    let server = Server::bind("127.0.0.1:0").await.expect("bind");
    let addr = server.local_addr().expect("bound").to_string();
    tokio::spawn(server.run(std::future::pending()));
    let mut client = Client::new(addr.clone(), 1, ClientConfig::default());
    for _ in 0..3 {
        let n = client.incr("visits").await.expect("incr");
        println!("on tokio at {addr}: INCR visits -> {n}");
    }
}

/// The same code inside the simulation.
fn simulate() {
    let report = Sim::new()
        .seeds(1_000)
        .faults(lost_replies())
        .regressions(false)
        .run(|| world(ClientConfig::default()));
    println!(
        "in detsim: the service kept its counter exact on {} seeds with resets and partitions",
        report.runs.len()
    );
    let buggy = ClientConfig {
        reuse_request_id_on_retry: false,
        ..ClientConfig::default()
    };
    match Sim::new()
        .seeds(1_000)
        .faults(lost_replies())
        .regressions(false)
        .try_run(|| world(buggy.clone()))
    {
        Ok(_) => println!("the planted bug was not found in 1,000 seeds"),
        Err(failure) => println!(
            "seed {:#x}: a retried INCR with a fresh request id was applied twice ({}); \
             replay with DETSIM_REPLAY={}",
            failure.failure.seed, failure.failure.kind, failure.replay_string
        ),
    }
}
