//! An axum router keeping notes in memory, served with `axum::serve`.
//!
//! `PUT /notes/{id}` stores the body, `GET /notes/{id}` returns it (404
//! when absent), `GET /notes` counts them. The state sits behind a
//! `tokio::sync::Mutex`.

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::Mutex;

type Notes = Arc<Mutex<BTreeMap<u64, Bytes>>>;

/// The router, with empty state.
pub fn router() -> Router {
    let notes: Notes = Arc::default();
    Router::new()
        .route("/notes", get(count))
        .route("/notes/{id}", get(read).put(write))
        .with_state(notes)
}

async fn count(State(notes): State<Notes>) -> String {
    notes.lock().await.len().to_string()
}

async fn read(State(notes): State<Notes>, Path(id): Path<u64>) -> Result<Bytes, StatusCode> {
    notes
        .lock()
        .await
        .get(&id)
        .cloned()
        .ok_or(StatusCode::NOT_FOUND)
}

async fn write(State(notes): State<Notes>, Path(id): Path<u64>, body: Bytes) -> StatusCode {
    match notes.lock().await.insert(id, body) {
        None => StatusCode::CREATED,
        Some(_) => StatusCode::OK,
    }
}

/// Serves the router on `listener`, forever.
pub async fn serve(listener: TcpListener) -> io::Result<()> {
    axum::serve(listener, router()).await
}

/// Serves the router on `listener` until `signal` completes, then lets
/// the open connections finish.
pub async fn serve_until(
    listener: TcpListener,
    signal: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(listener, router())
        .with_graceful_shutdown(signal)
        .await
}
