//! The shadowed server futures are `Send` as axum's are, so
//! `tokio::spawn(axum::serve(listener, router).into_future())` compiles
//! with either.

use std::future::IntoFuture;

/// Compiles only for a `Send` value.
fn send<T: Send>(_: &T) {}

#[test]
fn the_serve_futures_are_send_as_axums_are() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = detsim_tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap();
        let serve = detsim_axum::serve(listener, detsim_axum::Router::new());
        send(&serve);
        let serving = serve.into_future();
        send(&serving);
        let listener = detsim_tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap();
        let graceful = detsim_axum::serve(listener, detsim_axum::Router::new())
            .with_graceful_shutdown(async {})
            .into_future();
        send(&graceful);
    });
}
