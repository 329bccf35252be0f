//! The key-value service on the real tokio, over loopback.

use tokio_examples::kv::{Client, ClientConfig, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_increment_a_counter_over_loopback() {
    let server = Server::bind("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr().unwrap().to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let mut clients = Vec::new();
    for id in 0..3 {
        let addr = addr.clone();
        clients.push(tokio::spawn(async move {
            let mut client = Client::new(addr, id, ClientConfig::default());
            for _ in 0..5 {
                client.incr("counter").await.unwrap();
            }
        }));
    }
    for c in clients {
        c.await.unwrap();
    }
    let mut reader = Client::new(addr, 99, ClientConfig::default());
    reader.set("greeting", "hello").await.unwrap();
    assert_eq!(
        reader.get("greeting").await.unwrap().as_deref(),
        Some("hello")
    );
    assert_eq!(reader.get("counter").await.unwrap().as_deref(), Some("15"));
    stop.send(()).unwrap();
    running.await.unwrap();
}
