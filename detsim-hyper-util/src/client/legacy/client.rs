//! [`Client`]: the real pooled client, reached through the shadowed
//! [`Builder`](super::Builder).

use std::error::Error as StdError;
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::{Request, Response, Uri};
use hyper::body::{Body, Incoming};
use hyper_util::client::legacy as real;

use super::Builder;
use super::connect::Connect;

type BoxSendFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A client making outgoing HTTP requests over a connection pool: the real
/// hyper-util `Client`, made by the shadowed [`Builder`].
///
/// Cheap to clone; clones share the pool.
pub struct Client<C, B> {
    inner: real::Client<C, B>,
}

impl Client<(), ()> {
    /// A [`Builder`] whose connection tasks go to `executor` (usually
    /// [`TokioExecutor`](crate::rt::TokioExecutor)).
    pub fn builder<E>(executor: E) -> Builder
    where
        E: hyper::rt::Executor<BoxSendFuture> + Send + Sync + Clone + 'static,
    {
        Builder::new(executor)
    }
}

impl<C, B> Client<C, B> {
    pub(super) fn from_real(inner: real::Client<C, B>) -> Self {
        Self { inner }
    }
}

impl<C, B> Client<C, B>
where
    C: Connect + Clone + Send + Sync + 'static,
    B: Body + Send + 'static + Unpin,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    /// Sends a `GET` request to `uri` with an empty body.
    pub fn get(&self, uri: Uri) -> real::ResponseFuture
    where
        B: Default,
    {
        self.inner.get(uri)
    }

    /// Sends `req` on a pooled connection (or a new one) and resolves to
    /// the response head.
    pub fn request(&self, req: Request<B>) -> real::ResponseFuture {
        self.inner.request(req)
    }
}

impl<C, B> tower_service::Service<Request<B>> for Client<C, B>
where
    C: Connect + Clone + Send + Sync + 'static,
    B: Body + Send + 'static + Unpin,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    type Response = Response<Incoming>;
    type Error = real::Error;
    type Future = real::ResponseFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        self.inner.request(req)
    }
}

impl<C, B> tower_service::Service<Request<B>> for &'_ Client<C, B>
where
    C: Connect + Clone + Send + Sync + 'static,
    B: Body + Send + 'static + Unpin,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    type Response = Response<Incoming>;
    type Error = real::Error;
    type Future = real::ResponseFuture;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<B>) -> Self::Future {
        self.inner.request(req)
    }
}

impl<C: Clone, B> Clone for Client<C, B> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<C, B> fmt::Debug for Client<C, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").finish()
    }
}
