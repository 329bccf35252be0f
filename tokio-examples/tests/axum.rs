//! Proof 3 of issue 13: an axum router served with `axum::serve` over
//! sim-net and called by hyper-util's client; every seed twice with the
//! byte-level determinism check; the `date:` header virtual.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use detsim::{Faults, Sim, net};
use http::{Method, StatusCode};
use tokio::sync::watch;
use tokio_examples::{hello, notes};

const LIMIT: Duration = Duration::from_secs(30);

/// The `date:` headers a run saw, in order.
type Dates = Arc<Mutex<Vec<String>>>;

/// A notes server and two clients (HTTP/1.1 and HTTP/2) writing and
/// reading their own notes; then a graceful shutdown of the server.
async fn notes_world(dates: Dates) {
    let (stop, stop_seen) = watch::channel(false);
    let (stopped, mut stopped_seen) = watch::channel(false);
    net::host("server", move || {
        let mut stop_seen = stop_seen.clone();
        let stopped = stopped.clone();
        async move {
            let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
            let signal = async move {
                let _ = stop_seen.wait_for(|stop| *stop).await;
            };
            notes::serve_until(listener, signal).await?;
            stopped.send_replace(true);
            std::io::Result::Ok(())
        }
    });
    let clients: Vec<_> = [false, true]
        .into_iter()
        .enumerate()
        .map(|(n, http2)| {
            let dates = Arc::clone(&dates);
            net::client(&format!("client-{n}"), async move {
                let client = hello::client(http2);
                for round in 0..3u64 {
                    let id = n as u64 * 100 + round;
                    let uri = format!("http://server:3000/notes/{id}");
                    let len = detsim::rand::random_range(1..10_000usize);
                    let note: Bytes = (0..len).map(|i| (i as u64 + id) as u8).collect();

                    let missing = hello::send(&client, Method::GET, &uri, Bytes::new(), LIMIT)
                        .await
                        .expect("GET");
                    assert_eq!(missing.status, StatusCode::NOT_FOUND);
                    let put = hello::send(&client, Method::PUT, &uri, note.clone(), LIMIT)
                        .await
                        .expect("PUT");
                    assert_eq!(put.status, StatusCode::CREATED);
                    let again = hello::send(&client, Method::PUT, &uri, note.clone(), LIMIT)
                        .await
                        .expect("PUT");
                    assert_eq!(again.status, StatusCode::OK);
                    let read = hello::send(&client, Method::GET, &uri, Bytes::new(), LIMIT)
                        .await
                        .expect("GET");
                    assert_eq!(read.status, StatusCode::OK);
                    assert_eq!(read.body, note, "note {id} came back different");

                    let date = read.headers.get("date").expect("a date: header");
                    dates
                        .lock()
                        .unwrap()
                        .push(date.to_str().unwrap().to_owned());
                }
            })
        })
        .collect();
    for client in clients {
        client.await.expect("the client finished");
    }
    let client = hello::client(false);
    let count = hello::send(
        &client,
        Method::GET,
        "http://server:3000/notes",
        Bytes::new(),
        LIMIT,
    )
    .await
    .expect("GET /notes");
    assert_eq!(count.body, "6");
    drop(client);
    stop.send_replace(true);
    stopped_seen
        .wait_for(|stopped| *stopped)
        .await
        .expect("the server stopped after its graceful shutdown");
}

#[test]
fn axum_serve_over_sim_net_is_deterministic_under_the_default_faults() {
    let dates = Dates::default();
    common::deterministic_sweep(
        "axum_default_faults",
        300,
        common::with(Faults::default()),
        || notes_world(Arc::clone(&dates)),
    );
}

#[test]
fn axum_date_headers_are_virtual_and_the_same_in_two_runs_of_a_seed() {
    let run = |seed| {
        let dates = Dates::default();
        Sim::new()
            .faults(Faults::default())
            .seed(seed)
            .run(|| notes_world(Arc::clone(&dates)));
        dates.lock().unwrap().clone()
    };
    for seed in [1, 0x5eed] {
        let (first, second) = (run(seed), run(seed));
        assert_eq!(first.len(), 6, "every read had a date: header");
        assert_eq!(
            first, second,
            "seed {seed:#x}: the dates differ between runs"
        );
        for date in &first {
            // The run is well under a second of virtual time old.
            assert_eq!(date, "Mon, 01 Jan 2024 00:00:00 GMT");
        }
    }
}

#[test]
fn the_date_header_follows_virtual_time() {
    Sim::new().seeds(3).run(|| async {
        net::host("server", || async {
            let listener = tokio::net::TcpListener::bind("0.0.0.0:3000").await?;
            notes::serve(listener).await
        });
        let client = hello::client(true);
        // An hour and a half of virtual time, instantly.
        tokio::time::sleep(Duration::from_secs(5_400)).await;
        let count = hello::send(
            &client,
            Method::GET,
            "http://server:3000/notes",
            Bytes::new(),
            LIMIT,
        )
        .await
        .expect("GET /notes");
        assert_eq!(count.headers["date"], "Mon, 01 Jan 2024 01:30:00 GMT");
    });
}
