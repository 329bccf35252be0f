//! The server's accept loop inside a run: a task per connection; on the
//! signal, stop accepting (dropping the incoming stream, so a listener
//! closes), ask every connection to finish and wait for them.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

use bytes::Bytes;
use detsim::sync::watch;
use detsim_hyper_util::rt::TokioIo;
use detsim_hyper_util::service::TowerToHyperService;
use detsim_tokio::io::{AsyncRead, AsyncWrite};
use http::{Request, Response};
use hyper::body::Incoming;
use tokio_stream::Stream;
use tonic::body::Body;
use tonic::codegen::StdError;
use tower::ServiceExt;
use tower_service::Service;

use super::Connected;
use super::connection;
use super::settings::Settings;

/// Serves `service` on every connection `incoming` yields, until it ends
/// or `signal` completes.
pub(super) async fn serve<S, I, IO, IE, F, ResBody>(
    service: S,
    incoming: I,
    signal: Option<F>,
    settings: Settings,
) where
    S: Service<Request<Body>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<StdError> + Send,
    I: Stream<Item = Result<IO, IE>>,
    IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
    IE: Into<StdError>,
    F: Future<Output = ()>,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<StdError>,
{
    let graceful = signal.is_some();
    let (shutdown, shutdown_seen) = watch::named_channel("tonic Server: shutdown", ());
    let (open, open_seen) = watch::named_channel("tonic Server: open connections", ());
    {
        let mut incoming = pin!(incoming);
        let mut signal = pin!(signal);
        loop {
            // The next connection, or `None` once the signal has fired.
            let next = poll_fn(|cx| {
                if let Poll::Ready(next) = incoming.as_mut().poll_next(cx) {
                    return Poll::Ready(Some(next));
                }
                match signal.as_mut().as_pin_mut() {
                    Some(signal) => signal.poll(cx).map(|()| None),
                    None => Poll::Pending,
                }
            })
            .await;
            let io = match next {
                None | Some(None) => break,
                // As tonic: an accept error is skipped.
                Some(Some(Err(_))) => continue,
                Some(Some(Ok(io))) => io,
            };
            let stack = connection::stack(service.clone(), &settings, io.connect_info());
            let watcher = graceful.then(|| shutdown_seen.clone());
            let service = stack.map_request(|request: Request<Incoming>| request.map(Body::new));
            connection::spawn(
                TokioIo::new(io),
                TowerToHyperService::new(service),
                connection::builder(&settings),
                settings,
                watcher,
                open_seen.clone(),
            );
        }
    }
    if graceful {
        let _ = shutdown.send(());
        drop(shutdown_seen);
        drop(open_seen);
        open.closed().await;
    }
}
