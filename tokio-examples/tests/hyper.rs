//! Proof 2 of issue 13: a hyper 1.x server (hyper-util's auto builder)
//! and hyper-util's pooled legacy `Client`, over HTTP/1.1 and HTTP/2, in
//! the simulation with faults; every seed twice with the byte-level
//! determinism check.

mod common;

use std::time::Duration;

use bytes::Bytes;
use detsim::liveness::{self, Liveness};
use detsim::{Faults, Sim, net};
use http::{Method, StatusCode, Version};
use tokio_examples::hello;

const LIMIT: Duration = Duration::from_secs(30);

/// A server and two clients, one speaking HTTP/1.1, one HTTP/2; each
/// sends a few requests on its pooled connection.
async fn hello_world() {
    net::host("server", || async {
        let listener = tokio::net::TcpListener::bind("0.0.0.0:80").await?;
        hello::serve(listener).await
    });
    let clients: Vec<_> = [false, true]
        .into_iter()
        .map(|http2| {
            let name = if http2 { "client-h2" } else { "client-h1" };
            net::client(name, async move {
                let client = hello::client(http2);
                for round in 0..3 {
                    let hello = hello::send(
                        &client,
                        Method::GET,
                        "http://server/hello",
                        Bytes::new(),
                        LIMIT,
                    )
                    .await
                    .unwrap_or_else(|e| panic!("round {round}: GET /hello: {e}"));
                    assert_eq!(hello.status, StatusCode::OK);
                    assert_eq!(
                        hello.version,
                        if http2 {
                            Version::HTTP_2
                        } else {
                            Version::HTTP_11
                        }
                    );
                    assert_eq!(hello.body, "hello, world");
                    // hyper's `date:`, from the virtual calendar (the run is
                    // well under a second old).
                    assert_eq!(hello.headers["date"], "Mon, 01 Jan 2024 00:00:00 GMT");

                    let len = detsim::rand::random_range(0..20_000usize);
                    let body: Bytes = (0..len).map(|i| (i * 7 + round) as u8).collect();
                    let echo = hello::send(
                        &client,
                        Method::POST,
                        "http://server/echo",
                        body.clone(),
                        LIMIT,
                    )
                    .await
                    .unwrap_or_else(|e| panic!("round {round}: POST /echo: {e}"));
                    assert_eq!(echo.status, StatusCode::OK);
                    assert_eq!(echo.headers["x-length"], len.to_string().as_str());
                    assert_eq!(echo.body, body, "round {round}: the echo differs");
                }
            })
        })
        .collect();
    for client in clients {
        client.await.expect("the client finished");
    }
}

/// The same clients under chaos (resets, partitions, host crashes, slow
/// peers) for two virtual seconds: requests may fail then, but once the
/// faults end and the world is repaired, each client gets an answer.
async fn hello_world_under_chaos() {
    net::host("server", || async {
        let listener = tokio::net::TcpListener::bind("0.0.0.0:80").await?;
        hello::serve(listener).await
    });
    let clients: Vec<_> = [false, true]
        .into_iter()
        .map(|http2| {
            let name = if http2 { "client-h2" } else { "client-h1" };
            net::client(name, async move {
                let client = hello::client(http2);
                let start = tokio::time::Instant::now();
                while start.elapsed() < FAULTS {
                    let tried = hello::send(
                        &client,
                        Method::GET,
                        "http://server/hello",
                        Bytes::new(),
                        TRY,
                    )
                    .await;
                    if let Ok(hello) = tried {
                        assert_eq!(hello.body, "hello, world");
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                liveness::faults_ended().await;
                let body = Bytes::from_static(b"after the storm");
                let echo = hello::send_with_retries(
                    &client,
                    Method::POST,
                    "http://server/echo",
                    body.clone(),
                    TRY,
                    30,
                )
                .await
                .unwrap_or_else(|e| panic!("no answer once the faults ended: {e}"));
                assert_eq!(echo.body, body);
            })
        })
        .collect();
    for client in clients {
        client.await.expect("the client finished");
    }
}

/// How long each try may take under chaos.
const TRY: Duration = Duration::from_secs(1);
/// How long the chaos lasts.
const FAULTS: Duration = Duration::from_secs(2);

#[test]
fn hyper_http1_and_http2_over_sim_net_are_deterministic_under_the_default_faults() {
    common::deterministic_sweep(
        "hyper_default_faults",
        300,
        common::with(Faults::default()),
        hello_world,
    );
}

#[test]
fn hyper_clients_get_answers_once_chaos_ends() {
    let sim = || {
        Sim::new()
            .faults(Faults::chaos())
            .liveness(Liveness::after(FAULTS).within(Duration::from_secs(30)))
    };
    common::deterministic_sweep("hyper_chaos", 300, sim, hello_world_under_chaos);
}
