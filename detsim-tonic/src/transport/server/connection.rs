//! One connection inside a run: tonic's per-connection stack over the
//! user's service, served by the hyper-util stand-in, until it ends, the
//! server shuts down, or it reaches its maximum age.

use std::future::{Future, pending, poll_fn};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use bytes::Bytes;
use detsim::sync::watch;
use detsim_hyper_util::rt::{TokioExecutor, TokioTimer};
use detsim_hyper_util::server::conn::auto::{Builder, DateFuture, HttpServerConnExec};
use http::{Request, Response};
use hyper::body::Incoming;
use tonic::body::Body;
use tonic::codegen::StdError;
use tonic::service::RecoverErrorLayer;
use tonic::service::recover_error::ResponseBody;
use tower::ServiceBuilder;
use tower::ServiceExt;
use tower::limit::ConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower::util::BoxCloneService;
use tower_service::Service;

use super::deadline::Deadline;
use super::settings::Settings;

/// The service one connection's requests go to.
pub(super) type ConnectionService =
    BoxCloneService<Request<Body>, Response<ResponseBody<Body>>, StdError>;

/// tonic's stack for a connection over `service`: recovered errors, load
/// shedding, the concurrency limit, the deadline, and the connection's
/// info in every request's extensions.
pub(super) fn stack<S, ResBody, Info>(
    service: S,
    settings: &Settings,
    info: Info,
) -> ConnectionService
where
    S: Service<Request<Body>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<StdError> + Send,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<StdError>,
    Info: Clone + Send + Sync + 'static,
{
    let service = service.map_response(|response: Response<ResBody>| response.map(Body::new));
    let service = ServiceBuilder::new()
        .layer(RecoverErrorLayer::new())
        .option_layer(settings.load_shed.then(LoadShedLayer::new))
        .option_layer(settings.concurrency_limit.map(ConcurrencyLimitLayer::new))
        .layer_fn(|inner| Deadline::new(inner, settings.timeout))
        .service(service.map_err(|e: S::Error| -> StdError { e.into() }));
    let service = service.map_request(move |mut request: Request<Body>| {
        request.extensions_mut().insert(info.clone());
        request
    });
    BoxCloneService::new(service)
}

/// The stand-in's builder with the server's HTTP settings.
pub(super) fn builder(settings: &Settings) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    if !settings.accept_http1 {
        builder = builder.http2_only();
    }
    builder
        .http2()
        .timer(TokioTimer::new())
        .initial_connection_window_size(settings.init_connection_window_size)
        .initial_stream_window_size(settings.init_stream_window_size)
        .max_concurrent_streams(settings.max_concurrent_streams)
        .keep_alive_interval(settings.http2_keepalive_interval)
        .keep_alive_timeout(settings.http2_keepalive_timeout)
        .adaptive_window(settings.http2_adaptive_window.unwrap_or_default())
        .max_pending_accept_reset_streams(settings.http2_max_pending_accept_reset_streams)
        .max_local_error_reset_streams(settings.http2_max_local_error_reset_streams)
        .max_frame_size(settings.max_frame_size);
    if let Some(max) = settings.http2_max_header_list_size {
        builder.http2().max_header_list_size(max);
    }
    // As tonic: hyper enforces its HTTP/1 header-read timeout only with a
    // timer.
    builder.http1().timer(TokioTimer::new());
    builder
}

/// Spawns a task serving `io` with `service` until the connection ends.
/// `shutdown` (when serving with a signal) asks for a graceful end;
/// `open` is held until the end.
///
/// Generic over the service and executor, as tonic's own
/// `serve_connection`: with the concrete types, checking that the task is
/// `Send` trips rust-lang/rust#102211.
pub(super) fn spawn<IO, S, B, E>(
    io: IO,
    service: S,
    builder: Builder<E>,
    settings: Settings,
    shutdown: Option<watch::Receiver<()>>,
    open: watch::Receiver<()>,
) where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: hyper::service::Service<Request<Incoming>, Response = Response<B>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<StdError> + Send,
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<StdError>,
    E: HttpServerConnExec<DateFuture<S::Future>, B> + Send + Sync + 'static,
{
    drop(detsim_tokio::spawn(async move {
        let conn = builder.serve_connection(io, service);
        let mut shutdown = shutdown;
        let mut conn = pin!(conn);
        let mut shutdown = pin!(async {
            match shutdown.as_mut() {
                // A closed channel (the server future dropped) is a shutdown.
                Some(seen) => drop(seen.changed().await),
                None => pending().await,
            }
        });
        let mut age = pin!(aged(
            settings.max_connection_age,
            settings.max_connection_age_grace
        ));
        let mut aged_out = false;
        let mut shutting_down = false;
        poll_fn(|cx| {
            if conn.as_mut().poll(cx).is_ready() {
                return Poll::Ready(());
            }
            let aged = if aged_out {
                Poll::Pending
            } else {
                age.as_mut().poll(cx)
            };
            if let Poll::Ready(action) = aged {
                aged_out = true;
                match action {
                    Age::Old if !shutting_down => {
                        shutting_down = true;
                        conn.as_mut().graceful_shutdown();
                        cx.waker().wake_by_ref();
                    }
                    Age::Old => {}
                    // Forceful: drop the connection.
                    Age::PastGrace => return Poll::Ready(()),
                }
            }
            if !shutting_down && shutdown.as_mut().poll(cx).is_ready() {
                shutting_down = true;
                conn.as_mut().graceful_shutdown();
                cx.waker().wake_by_ref();
            }
            Poll::Pending
        })
        .await;
        drop(open);
    }));
}

enum Age {
    /// The maximum age, without a grace period: shut down gracefully.
    Old,
    /// The maximum age and its grace period: close now.
    PastGrace,
}

/// What a connection's age asks for, and when (as tonic: with a grace
/// period, nothing happens at the maximum age and the connection is
/// closed at its end); never without `max_connection_age`.
async fn aged(max_age: Option<Duration>, grace: Option<Duration>) -> Age {
    let Some(age) = max_age else {
        return pending().await;
    };
    detsim_tokio::time::sleep(age).await;
    match grace {
        Some(grace) => {
            detsim_tokio::time::sleep(grace).await;
            Age::PastGrace
        }
        None => Age::Old,
    }
}
