//! The key-value service's simulated world: what a test of it runs per
//! seed. This module uses detsim; the service in [`crate::kv`] does not.

use std::sync::{Arc, Mutex as StdMutex};

use detsim::{Faults, Probability, net};

use crate::kv::{Client, ClientConfig, Server, Store};

/// Clients in the world.
pub const CLIENTS: u64 = 3;
/// Increments each client makes.
pub const INCREMENTS: u64 = 5;

/// The default plan plus what makes a reply go missing: connection resets
/// and partitions. (Host crashes would lose the store, which keeps no
/// disk.)
pub fn lost_replies() -> Faults {
    let mut faults = Faults::default();
    faults.net.connection_reset = Probability::new(0.01).expect("a probability");
    faults.net.partition = Probability::new(0.05).expect("a probability");
    faults
}

/// One seed: the server on host `kv`, [`CLIENTS`] client hosts each
/// incrementing one counter [`INCREMENTS`] times, then a check of the
/// counter against what the clients saw. Every acknowledged increment
/// counts once; an unacknowledged one may or may not have landed; more
/// than were attempted is a double apply.
pub async fn world(config: ClientConfig) -> Result<(), String> {
    // The store of the server's latest start, for the final check.
    let store: Arc<StdMutex<Option<Arc<tokio::sync::Mutex<Store>>>>> = Arc::default();
    let published = Arc::clone(&store);
    net::host("kv", move || {
        let published = Arc::clone(&published);
        async move {
            let server = Server::bind("0.0.0.0:7000").await?;
            *published.lock().expect("not poisoned") = Some(server.store());
            server.run(std::future::pending()).await;
            Ok::<_, std::io::Error>(())
        }
    });
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| {
            let mut client = Client::new("kv:7000", id, config.clone());
            net::client(&format!("client-{id}"), async move {
                let mut acknowledged = 0;
                for _ in 0..INCREMENTS {
                    acknowledged += u64::from(client.incr("counter").await.is_ok());
                }
                acknowledged
            })
        })
        .collect();
    let mut acknowledged = 0;
    for c in clients {
        acknowledged += c.await.map_err(|e| e.to_string())?;
    }
    let store = store
        .lock()
        .expect("not poisoned")
        .clone()
        .ok_or("the server never started")?;
    let counter = store.lock().await.get("counter").map_or(Ok(0), str::parse);
    let counter: u64 = counter.map_err(|e| format!("counter is not a number: {e}"))?;
    let attempted = CLIENTS * INCREMENTS;
    if counter < acknowledged || counter > attempted {
        return Err(format!(
            "counter is {counter} after {acknowledged} acknowledged of {attempted} increments"
        ));
    }
    Ok(())
}
