//! Proof 4 of issue 13: a tonic service (code generated at build time by
//! protox, no `protoc`) with a unary and a server-streaming RPC, served
//! by `Server::builder()` and called by the generated client over
//! sim-net; every seed twice with the byte-level determinism check.

mod common;

use std::time::Duration;

use detsim::{Faults, net};
use tokio::sync::watch;
use tokio_examples::counter;

/// A counter server and three clients adding to shared counters and
/// streaming ticks; then a graceful shutdown.
async fn counter_world() {
    let (stop, stop_seen) = watch::channel(false);
    let (stopped, mut stopped_seen) = watch::channel(false);
    net::host("server", move || {
        let mut stop_seen = stop_seen.clone();
        let stopped = stopped.clone();
        async move {
            let signal = async move {
                let _ = stop_seen.wait_for(|stop| *stop).await;
            };
            counter::serve("0.0.0.0:50051".parse().unwrap(), signal).await?;
            stopped.send_replace(true);
            Ok::<(), tonic::transport::Error>(())
        }
    });
    let clients: Vec<_> = (0..3)
        .map(|n| {
            net::client(&format!("client-{n}"), async move {
                let mut client = counter::connect("http://server:50051", 10)
                    .await
                    .expect("connected");
                let mut last = 0;
                for _ in 0..3 {
                    let value = counter::add(&mut client, "shared", 1).await.expect("add");
                    assert!(value > last, "the shared counter only grows");
                    last = value;
                }
                let mine = format!("client-{n}");
                assert_eq!(counter::add(&mut client, &mine, 5).await.expect("add"), 5);
                assert_eq!(counter::add(&mut client, &mine, -2).await.expect("add"), 3);

                let from = detsim::rand::random_range(-1_000..1_000i64);
                let count = detsim::rand::random_range(0..200u32);
                let ticks = counter::count(&mut client, from, count)
                    .await
                    .expect("count");
                assert_eq!(ticks, (from..from + i64::from(count)).collect::<Vec<_>>());

                let refused = counter::count(&mut client, 0, counter::MAX_TICKS + 1).await;
                assert_eq!(refused.unwrap_err().code(), tonic::Code::InvalidArgument);
            })
        })
        .collect();
    for client in clients {
        client.await.expect("the client finished");
    }
    let mut client = counter::connect("http://server:50051", 10)
        .await
        .expect("connected");
    assert_eq!(
        counter::add(&mut client, "shared", 0).await.expect("add"),
        9
    );
    drop(client);
    stop.send_replace(true);
    let stopped =
        tokio::time::timeout(Duration::from_secs(60), stopped_seen.wait_for(|s| *s)).await;
    assert!(
        stopped.is_ok(),
        "the server stopped after its graceful shutdown"
    );
}

#[test]
fn tonic_unary_and_streaming_over_sim_net_are_deterministic_under_the_default_faults() {
    common::deterministic_sweep(
        "tonic_default_faults",
        300,
        common::with(Faults::default()),
        counter_world,
    );
}

/// A client's deadlines on virtual time: a call answered in time succeeds
/// (its `grpc-timeout` crossed to the server), and calls the partitioned
/// server never answers fail at their deadline with tonic's `Cancelled`,
/// "Timeout expired": the request's own deadline, the endpoint's, and
/// the shorter of the two.
async fn deadline_world() {
    use tokio_examples::counter::proto::AddRequest;
    use tokio_examples::counter::proto::counter_client::CounterClient;

    net::host("server", || async {
        counter::serve("0.0.0.0:50051".parse().unwrap(), std::future::pending()).await
    });
    let client = net::client("client", async {
        let mut client = counter::connect("http://server:50051", 10)
            .await
            .expect("connected");
        let endpoint = tonic::transport::Endpoint::from_static("http://server:50051")
            .timeout(Duration::from_millis(200));
        let mut timed = CounterClient::new(endpoint.connect().await.expect("connected"));
        let add = |deadline: Option<u64>| {
            let mut request = tonic::Request::new(AddRequest {
                name: "n".into(),
                amount: 1,
            });
            if let Some(ms) = deadline {
                request.set_timeout(Duration::from_millis(ms));
            }
            request
        };
        let reply = client.add(add(Some(5_000))).await.expect("in time");
        assert_eq!(reply.into_inner().value, 1);
        assert_eq!(
            timed
                .add(add(None))
                .await
                .expect("in time")
                .into_inner()
                .value,
            2
        );

        net::partition("client", "server");
        for (mut client, deadline, expected) in [
            (client, Some(300), 300),
            (timed.clone(), None, 200),
            (timed, Some(100), 100),
        ] {
            let start = tokio::time::Instant::now();
            let status = client.add(add(deadline)).await.unwrap_err();
            let waited = start.elapsed();
            assert_eq!(status.code(), tonic::Code::Cancelled, "{status:?}");
            assert_eq!(status.message(), "Timeout expired");
            assert!(
                waited >= Duration::from_millis(expected)
                    && waited < Duration::from_millis(expected + 50),
                "failed after {waited:?}, expected its {expected} ms deadline"
            );
        }
    });
    client.await.expect("the client finished");
}

#[test]
fn tonic_client_deadlines_run_on_virtual_time() {
    common::deterministic_sweep(
        "tonic_deadlines",
        40,
        common::with(Faults::default()),
        deadline_world,
    );
}
