//! [`serve`], [`Serve`] and [`WithGracefulShutdown`]: axum's server
//! futures, choosing their world when they start.

use std::convert::Infallible;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::io;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use tower_service::Service;

use super::make::SimMakeService;
use super::sim_loop;
use super::{IncomingStream, Listener};

/// Serves `make_service` on `listener`, HTTP/1 and HTTP/2, until the
/// returned future is dropped (see the [module docs](super)).
///
/// Like axum's: the future never completes on its own; accept errors are
/// handled by the listener.
pub fn serve<L, M, S>(listener: L, make_service: M) -> Serve<L, M, S>
where
    L: Listener,
    M: for<'a> Service<IncomingStream<'a, L>, Error = Infallible, Response = S>,
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    Serve {
        listener,
        make_service,
        _marker: PhantomData,
    }
}

/// The server future [`serve`] returns; await it to serve.
#[must_use = "futures must be awaited or polled"]
pub struct Serve<L, M, S> {
    listener: L,
    make_service: M,
    _marker: PhantomData<fn() -> S>,
}

impl<L: Listener, M, S> Serve<L, M, S> {
    /// Serves until `signal` completes, then stops accepting and waits
    /// for the open connections to finish gracefully.
    pub fn with_graceful_shutdown<F>(self, signal: F) -> WithGracefulShutdown<L, M, S, F>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        WithGracefulShutdown {
            listener: self.listener,
            make_service: self.make_service,
            signal,
            _marker: PhantomData,
        }
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<L::Addr> {
        self.listener.local_addr()
    }
}

impl<L, M, S> fmt::Debug for Serve<L, M, S>
where
    L: fmt::Debug,
    M: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Serve")
            .field("listener", &self.listener)
            .field("make_service", &self.make_service)
            .finish()
    }
}

impl<L, M, S> IntoFuture for Serve<L, M, S>
where
    L: Listener,
    L::Addr: fmt::Debug,
    M: for<'a> Service<IncomingStream<'a, L>, Error = Infallible, Response = S>
        + SimMakeService<L>
        + Send
        + 'static,
    for<'a> <M as Service<IncomingStream<'a, L>>>::Future: Send,
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
{
    type Output = io::Result<()>;
    type IntoFuture = ServeFuture;

    fn into_future(self) -> ServeFuture {
        if detsim::Runtime::in_context() {
            ServeFuture(Box::pin(sim_loop::serve(
                self.listener,
                self.make_service,
                None,
            )))
        } else {
            ServeFuture(Box::pin(
                axum::serve(self.listener, self.make_service).into_future(),
            ))
        }
    }
}

/// The server future [`Serve::with_graceful_shutdown`] returns.
#[must_use = "futures must be awaited or polled"]
pub struct WithGracefulShutdown<L, M, S, F> {
    listener: L,
    make_service: M,
    signal: F,
    _marker: PhantomData<fn() -> S>,
}

impl<L: Listener, M, S, F> WithGracefulShutdown<L, M, S, F> {
    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<L::Addr> {
        self.listener.local_addr()
    }
}

impl<L, M, S, F> fmt::Debug for WithGracefulShutdown<L, M, S, F>
where
    L: fmt::Debug,
    M: fmt::Debug,
    F: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithGracefulShutdown")
            .field("listener", &self.listener)
            .field("make_service", &self.make_service)
            .field("signal", &self.signal)
            .finish()
    }
}

impl<L, M, S, F> IntoFuture for WithGracefulShutdown<L, M, S, F>
where
    L: Listener,
    L::Addr: fmt::Debug,
    M: for<'a> Service<IncomingStream<'a, L>, Error = Infallible, Response = S>
        + SimMakeService<L>
        + Send
        + 'static,
    for<'a> <M as Service<IncomingStream<'a, L>>>::Future: Send,
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send,
    F: Future<Output = ()> + Send + 'static,
{
    type Output = io::Result<()>;
    type IntoFuture = ServeFuture;

    fn into_future(self) -> ServeFuture {
        if detsim::Runtime::in_context() {
            ServeFuture(Box::pin(sim_loop::serve(
                self.listener,
                self.make_service,
                Some(Box::pin(self.signal)),
            )))
        } else {
            ServeFuture(Box::pin(
                axum::serve(self.listener, self.make_service)
                    .with_graceful_shutdown(self.signal)
                    .into_future(),
            ))
        }
    }
}

/// The future that serves: axum's outside detsim, the simulated loop
/// inside a run.
pub struct ServeFuture(Pin<Box<dyn Future<Output = io::Result<()>> + Send>>);

impl Future for ServeFuture {
    type Output = io::Result<()>;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

impl fmt::Debug for ServeFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeFuture").finish_non_exhaustive()
    }
}
