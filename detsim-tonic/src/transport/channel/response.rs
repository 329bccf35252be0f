//! [`ResponseFuture`]: a call on the shadowed [`Channel`](super::Channel),
//! with its deadline on virtual time inside a run.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use http::Response;
use tonic::TimeoutExpired;
use tonic::body::Body;
use tonic::transport::Error;
use tonic::transport::channel as real;

use crate::transport::error::transport_error;

/// The response of a call on a [`Channel`](super::Channel): tonic's, and
/// inside a run the call's deadline. A deadline that passes before the
/// response head fails the call with tonic's `TimeoutExpired`, which the
/// generated clients turn into `Code::Cancelled`, "Timeout expired".
pub struct ResponseFuture {
    inner: real::ResponseFuture,
    /// Boxed: a sleep is `!Unpin`, and most calls have no deadline.
    deadline: Option<Pin<Box<detsim_tokio::time::Sleep>>>,
}

impl ResponseFuture {
    pub(super) fn new(inner: real::ResponseFuture, deadline: Option<Duration>) -> Self {
        Self {
            inner,
            deadline: deadline.map(|d| Box::pin(detsim_tokio::time::sleep(d))),
        }
    }
}

impl Future for ResponseFuture {
    type Output = Result<Response<Body>, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(done) = Pin::new(&mut self.inner).poll(cx) {
            return Poll::Ready(done);
        }
        if let Some(deadline) = &mut self.deadline {
            ready!(deadline.as_mut().poll(cx));
            return Poll::Ready(Err(transport_error(Box::new(TimeoutExpired(())))));
        }
        Poll::Pending
    }
}

impl fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("deadline", &self.deadline.is_some())
            .finish_non_exhaustive()
    }
}
