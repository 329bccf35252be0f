//! The same services on the real tokio, over loopback: outside a detsim
//! run every stand-in forwards to the real crate.

use std::time::Duration;

use bytes::Bytes;
use http::{Method, StatusCode};
use tokio_examples::{counter, hello, notes};

const LIMIT: Duration = Duration::from_secs(10);

/// A real tokio runtime, multi-threaded as in production.
fn runtime() -> tokio_real::runtime::Runtime {
    tokio_real::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// hyper's own `date:` (the host's calendar), not detsim's virtual one.
#[track_caller]
fn assert_real_date(headers: &http::HeaderMap) {
    let date = headers
        .get("date")
        .expect("a date: header")
        .to_str()
        .unwrap();
    assert!(date.ends_with(" GMT"), "an HTTP date: {date}");
    assert!(
        !date.contains(" 2024 00:00:0"),
        "the host's date, not the virtual one: {date}"
    );
}

#[test]
fn hyper_server_and_pooled_client_run_on_tokio_over_loopback() {
    runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(hello::serve(listener));
        for http2 in [false, true] {
            let client = hello::client(http2);
            for round in 0..3u8 {
                let uri = format!("http://{addr}/hello");
                let hello = hello::send(&client, Method::GET, &uri, Bytes::new(), LIMIT)
                    .await
                    .unwrap();
                assert_eq!(hello.status, StatusCode::OK);
                let version = if http2 {
                    http::Version::HTTP_2
                } else {
                    http::Version::HTTP_11
                };
                assert_eq!(hello.version, version);
                assert_eq!(hello.body, "hello, world");
                assert_real_date(&hello.headers);
                let body = Bytes::from(vec![round; 50_000]);
                let uri = format!("http://{addr}/echo");
                let echo = hello::send(&client, Method::POST, &uri, body.clone(), LIMIT)
                    .await
                    .unwrap();
                assert_eq!(echo.body, body);
            }
        }
        server.abort();
    });
}

#[test]
fn axum_serve_runs_on_tokio_over_loopback() {
    runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stop_seen) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(notes::serve_until(listener, async move {
            let _ = stop_seen.await;
        }));
        let client = hello::client(true);
        let uri = format!("http://{addr}/notes/7");
        let put = hello::send(
            &client,
            Method::PUT,
            &uri,
            Bytes::from_static(b"seven"),
            LIMIT,
        )
        .await
        .unwrap();
        assert_eq!(put.status, StatusCode::CREATED);
        let read = hello::send(&client, Method::GET, &uri, Bytes::new(), LIMIT)
            .await
            .unwrap();
        assert_eq!(read.body, "seven");
        assert_real_date(&read.headers);
        drop(client);
        stop.send(()).unwrap();
        let served = tokio::time::timeout(LIMIT, server).await;
        served
            .expect("the server stopped")
            .unwrap()
            .expect("served");
    });
}

#[test]
fn tonic_server_and_generated_client_run_on_tokio_over_loopback() {
    runtime().block_on(async {
        // A free port: tonic's `serve` binds the address it is given.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let (stop, stop_seen) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(counter::serve(addr, async move {
            let _ = stop_seen.await;
        }));
        let mut client = counter::connect(&format!("http://{addr}"), 50)
            .await
            .unwrap();
        assert_eq!(counter::add(&mut client, "a", 2).await.unwrap(), 2);
        assert_eq!(counter::add(&mut client, "a", 3).await.unwrap(), 5);
        let ticks = counter::count(&mut client, 10, 100).await.unwrap();
        assert_eq!(ticks, (10..110).collect::<Vec<_>>());
        drop(client);
        stop.send(()).unwrap();
        let served = tokio::time::timeout(LIMIT, server).await;
        served
            .expect("the server stopped")
            .unwrap()
            .expect("served");
    });
}
