//! A request's deadline on the stand-in's clock: the shorter of the
//! client's `grpc-timeout` header (which a detsim-tonic client in the
//! simulation sends under an alias, restored here) and `Server::timeout`,
//! as tonic's (private) `GrpcTimeout`, whose timer is the real tokio's.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Request;
use tonic::TimeoutExpired;
use tonic::codegen::StdError;
use tower_service::Service;

use crate::transport::grpc_timeout;

/// Fails a request with [`TimeoutExpired`] (a `Status::cancelled` once
/// recovered) when its deadline passes before its response head.
#[derive(Clone, Debug)]
pub(super) struct Deadline<S> {
    inner: S,
    server_timeout: Option<Duration>,
}

impl<S> Deadline<S> {
    pub(super) fn new(inner: S, server_timeout: Option<Duration>) -> Self {
        Self {
            inner,
            server_timeout,
        }
    }
}

impl<S, B> Service<Request<B>> for Deadline<S>
where
    S: Service<Request<B>>,
    S::Error: Into<StdError>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = StdError;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, StdError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), StdError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        grpc_timeout::restore(request.headers_mut());
        let limit = match (grpc_timeout::parse(request.headers()), self.server_timeout) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let response = self.inner.call(request);
        Box::pin(async move {
            let Some(limit) = limit else {
                return response.await.map_err(Into::into);
            };
            match detsim_tokio::time::timeout(limit, response).await {
                Ok(done) => done.map_err(Into::into),
                Err(_) => Err(TimeoutExpired(()).into()),
            }
        })
    }
}
