//! [`DateHeader`]: the `date:` header of a response, from virtual time
//! inside a detsim run.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::header::{DATE, HeaderValue};
use http::{Request, Response, Version};
use hyper::service::Service;
use pin_project_lite::pin_project;

use crate::world::in_simulation;

/// Where the virtual calendar starts: 2024-01-01 00:00:00 UTC, as seconds
/// since the Unix epoch. Virtual time zero of every run is this instant.
const VIRTUAL_EPOCH_UNIX_SECS: u64 = 1_704_067_200;

/// Which protocols get a virtual `date:` (the user's `auto_date_header`
/// settings; hyper's default is both).
#[derive(Clone, Copy, Debug)]
pub(super) struct DateSettings {
    pub(super) http1: bool,
    pub(super) http2: bool,
}

impl Default for DateSettings {
    fn default() -> Self {
        Self {
            http1: true,
            http2: true,
        }
    }
}

/// A service wrapper that, inside a detsim run, stamps each response that
/// has no `date:` header with one rendered from virtual time. Outside
/// detsim it passes responses through untouched (hyper adds its own).
///
/// [`Builder::serve_connection`](super::Builder::serve_connection) wraps
/// every service in it.
#[derive(Clone, Debug)]
pub struct DateHeader<S> {
    inner: S,
    settings: DateSettings,
}

impl<S> DateHeader<S> {
    pub(super) fn new(inner: S, settings: DateSettings) -> Self {
        Self { inner, settings }
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for DateHeader<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = DateFuture<S::Future>;

    fn call(&self, req: Request<ReqBody>) -> Self::Future {
        let wanted = if req.version() == Version::HTTP_2 {
            self.settings.http2
        } else {
            self.settings.http1
        };
        DateFuture {
            inner: self.inner.call(req),
            stamp: wanted && in_simulation(),
        }
    }
}

pin_project! {
    /// The response future of [`DateHeader`].
    #[derive(Debug)]
    pub struct DateFuture<F> {
        #[pin]
        inner: F,
        stamp: bool,
    }
}

impl<F, B, E> Future for DateFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = std::task::ready!(this.inner.poll(cx));
        if *this.stamp {
            if let Ok(response) = &mut response {
                response
                    .headers_mut()
                    .entry(DATE)
                    .or_insert_with(virtual_date);
            }
        }
        Poll::Ready(response)
    }
}

/// Now, on the virtual calendar, as an HTTP date.
fn virtual_date() -> HeaderValue {
    let since_start = detsim::time::Instant::now().since_start();
    let now = UNIX_EPOCH + Duration::from_secs(VIRTUAL_EPOCH_UNIX_SECS + since_start.as_secs());
    render(now)
}

fn render(at: SystemTime) -> HeaderValue {
    HeaderValue::from_str(&httpdate::fmt_http_date(at))
        .expect("an HTTP date is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_virtual_calendar_starts_on_the_first_of_january_2024() {
        let start = UNIX_EPOCH + Duration::from_secs(VIRTUAL_EPOCH_UNIX_SECS);
        assert_eq!(render(start), "Mon, 01 Jan 2024 00:00:00 GMT");
    }
}
