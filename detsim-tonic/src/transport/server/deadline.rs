//! A request's deadline on the stand-in's clock: the shorter of the
//! client's `grpc-timeout` header and `Server::timeout`, as tonic's
//! (private) `GrpcTimeout`, whose timer is the real tokio's.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{HeaderMap, Request};
use tonic::TimeoutExpired;
use tonic::codegen::StdError;
use tower_service::Service;

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

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let limit = match (grpc_timeout(request.headers()), self.server_timeout) {
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

/// The `grpc-timeout` header: at most 8 digits and a unit (`H`, `M`,
/// `S`, `m`, `u`, `n`). A malformed one is ignored, as tonic does.
fn grpc_timeout(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get("grpc-timeout")?.to_str().ok()?;
    if value.len() < 2 || value.len() > 9 {
        return None;
    }
    let (digits, unit) = value.split_at(value.len() - 1);
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount * 3600),
        "M" => Duration::from_secs(amount * 60),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: &'static str) -> Option<Duration> {
        let mut headers = HeaderMap::new();
        headers.insert("grpc-timeout", value.parse().unwrap());
        grpc_timeout(&headers)
    }

    #[test]
    fn grpc_timeout_headers_parse_as_the_grpc_spec_says() {
        assert_eq!(parse("3S"), Some(Duration::from_secs(3)));
        assert_eq!(parse("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(parse("99999999n"), Some(Duration::from_nanos(99_999_999)));
        assert_eq!(parse("123456789S"), None, "at most 8 digits");
        assert_eq!(parse("5x"), None, "unknown unit");
        assert_eq!(parse("S"), None, "no digits");
    }
}
