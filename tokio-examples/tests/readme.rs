//! The test that README's "Testing a tokio service" shows, kept compiling
//! and passing here.

use tokio_examples::kv::{Client, ClientConfig, Server};

#[detsim::test(seeds = 1000, faults = "default", check_determinism = "bytes")]
async fn increments_survive_the_network() {
    detsim::net::host("kv", || async {
        Server::bind("0.0.0.0:7000")
            .await?
            .run(std::future::pending())
            .await;
        Ok::<_, std::io::Error>(())
    });
    let mut client = Client::new("kv:7000", 1, ClientConfig::default());
    for i in 1..=5 {
        assert_eq!(client.incr("hits").await.unwrap(), i);
    }
}
