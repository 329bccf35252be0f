//! A connector with a connect timeout on the stand-in's clock: tonic's own
//! (`hyper-timeout`) would use the real tokio's.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use tonic::codegen::StdError;
use tower_service::Service;

/// A connector with a connect timeout on the stand-in's clock (tonic's
/// own would use the real tokio's).
#[derive(Clone)]
pub(super) struct Timed<C> {
    inner: C,
    limit: Option<Duration>,
}

impl<C> Timed<C> {
    pub(super) fn new(inner: C, limit: Option<Duration>) -> Self {
        Self { inner, limit }
    }
}

impl<C> Service<Uri> for Timed<C>
where
    C: Service<Uri>,
    C::Future: Send + 'static,
    C::Response: 'static,
    C::Error: Into<StdError>,
{
    type Response = C::Response;
    type Error = StdError;
    type Future = Pin<Box<dyn Future<Output = Result<C::Response, StdError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), StdError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, dst: Uri) -> Self::Future {
        let connecting = self.inner.call(dst);
        let limit = self.limit;
        Box::pin(async move {
            let Some(limit) = limit else {
                return connecting.await.map_err(Into::into);
            };
            match detsim_tokio::time::timeout(limit, connecting).await {
                Ok(done) => done.map_err(Into::into),
                Err(_) => Err(io::Error::new(io::ErrorKind::TimedOut, "connect timed out").into()),
            }
        })
    }
}
