//! The server inside a detsim run: accept, make the connection's service,
//! spawn a task serving it with the hyper-util stand-in; on the shutdown
//! signal, stop accepting and drain the connections.

use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::io;
use std::pin::{Pin, pin};
use std::task::Poll;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use detsim::sync::watch;
use detsim_hyper_util::rt::{TokioExecutor, TokioIo};
use detsim_hyper_util::server::conn::auto::Builder;
use detsim_hyper_util::service::TowerToHyperService;
use hyper::body::Incoming;
use tower::ServiceExt;
use tower_service::Service;

use super::Listener;
use super::make::{SimIncomingStream, SimMakeService};

type Signal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Serves until `signal` completes (forever without one).
pub(super) async fn serve<L, M>(
    mut listener: L,
    mut make: M,
    signal: Option<Signal>,
) -> io::Result<()>
where
    L: Listener,
    M: SimMakeService<L>,
{
    // Every connection holds a receiver of each: `shutdown` tells them to
    // finish; `open` is closed once the last of them has.
    let (shutdown, shutdown_seen) = watch::named_channel("axum::serve: shutdown", ());
    let (open, open_seen) = watch::named_channel("axum::serve: open connections", ());
    let mut signal = signal;
    loop {
        let accepted = match signal.as_mut() {
            None => Some(listener.accept().await),
            Some(signal) => accept_or_signal(&mut listener, signal.as_mut()).await,
        };
        let Some((io, remote_addr)) = accepted else {
            break;
        };
        let stream = SimIncomingStream::<L> {
            io: &io,
            remote_addr,
        };
        let service = make.make_service(stream);
        let connection =
            serve_connection::<L, _>(io, service, shutdown_seen.clone(), open_seen.clone());
        drop(detsim_tokio::spawn(connection));
    }
    drop(listener);
    drop(shutdown_seen);
    drop(open_seen);
    // No receiver left means no connection left to tell.
    let _ = shutdown.send(());
    open.closed().await;
    Ok(())
}

/// The next connection, or `None` once `signal` has fired. The listener
/// is asked first, so a connection already there is served.
async fn accept_or_signal<L: Listener>(
    listener: &mut L,
    mut signal: Pin<&mut (dyn Future<Output = ()> + Send)>,
) -> Option<(L::Io, L::Addr)> {
    let mut accept = pin!(listener.accept());
    poll_fn(|cx| {
        if let Poll::Ready(conn) = accept.as_mut().poll(cx) {
            return Poll::Ready(Some(conn));
        }
        signal.as_mut().poll(cx).map(|()| None)
    })
    .await
}

/// Serves one connection until it ends; on shutdown (or when the server
/// future is dropped) asks hyper to finish it gracefully first.
async fn serve_connection<L, S>(
    io: L::Io,
    service: S,
    mut shutdown: watch::Receiver<()>,
    _open: watch::Receiver<()>,
) where
    L: Listener,
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    let service = service.map_request(|req: Request<Incoming>| req.map(Body::new));
    let hyper_service = TowerToHyperService::new(service);
    #[allow(unused_mut)] // only HTTP/2 has a setting to make
    let mut builder = Builder::new(TokioExecutor::new());
    // As axum: the extended CONNECT protocol, for HTTP/2 websockets.
    #[cfg(feature = "http2")]
    builder.http2().enable_connect_protocol();
    let mut conn = pin!(builder.serve_connection_with_upgrades(TokioIo::new(io), hyper_service));
    let ended = {
        // An `Err` (the server future was dropped) is a shutdown too.
        let mut shutdown = pin!(shutdown.changed());
        poll_fn(|cx| {
            if conn.as_mut().poll(cx).is_ready() {
                // A connection error ends the connection, as in axum.
                return Poll::Ready(true);
            }
            shutdown.as_mut().poll(cx).map(|_| false)
        })
        .await
    };
    if !ended {
        conn.as_mut().graceful_shutdown();
        let _ = conn.await;
    }
}
