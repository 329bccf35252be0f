//! What [`serve`](super::serve) needs of its make-service inside a detsim
//! run: the service for one accepted connection.
//!
//! axum's make-services answer `Service<IncomingStream<'_, L>>`, and
//! `IncomingStream` can only be built inside axum. So inside a run the
//! per-connection service comes from [`SimMakeService`], implemented here
//! for every make-service axum's own types give.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use axum::Router;
use axum::extract::Request;
use axum::extract::connect_info::{ConnectInfo, Connected, IntoMakeServiceWithConnectInfo};
use axum::handler::{Handler, HandlerService};
use axum::middleware::AddExtension;
use axum::response::Response;
use axum::routing::{IntoMakeService, MethodRouter};
use tower_service::Service;

use super::Listener;

/// A connection accepted inside a detsim run, as a make-service sees it:
/// the target of `into_make_service_with_connect_info` there.
#[derive(Debug)]
pub struct SimIncomingStream<'a, L: Listener> {
    pub(super) io: &'a L::Io,
    pub(super) remote_addr: L::Addr,
}

impl<L: Listener> SimIncomingStream<'_, L> {
    /// The connection.
    pub fn io(&self) -> &L::Io {
        self.io
    }

    /// The peer's address.
    pub fn remote_addr(&self) -> &L::Addr {
        &self.remote_addr
    }
}

impl<L> Connected<SimIncomingStream<'_, L>> for SocketAddr
where
    L: Listener<Addr = SocketAddr>,
{
    fn connect_info(stream: SimIncomingStream<'_, L>) -> Self {
        stream.remote_addr
    }
}

/// A make-service [`serve`](super::serve) can use inside a detsim run: it
/// gives the service answering one connection's requests.
///
/// Implemented for [`Router<()>`], `MethodRouter<()>`, `HandlerService`
/// and axum's `IntoMakeService` and `IntoMakeServiceWithConnectInfo`
/// (with a connect info built from a [`SimIncomingStream`], such as
/// `SocketAddr`).
pub trait SimMakeService<L: Listener>: Send + 'static {
    /// The service answering one connection's requests.
    type Service: Service<Request, Response = Response, Error = Infallible, Future: Send>
        + Clone
        + Send
        + 'static;

    /// The service for a connection accepted inside a detsim run.
    fn make_service(&mut self, stream: SimIncomingStream<'_, L>) -> Self::Service;
}

impl<L: Listener> SimMakeService<L> for Router<()> {
    type Service = Router<()>;

    fn make_service(&mut self, _: SimIncomingStream<'_, L>) -> Router<()> {
        // As axum: route eagerly once per connection, not per request.
        self.clone().with_state(())
    }
}

impl<L: Listener> SimMakeService<L> for MethodRouter<()> {
    type Service = MethodRouter<()>;

    fn make_service(&mut self, _: SimIncomingStream<'_, L>) -> MethodRouter<()> {
        self.clone().with_state(())
    }
}

impl<L, H, T, S> SimMakeService<L> for HandlerService<H, T, S>
where
    L: Listener,
    H: Handler<T, S> + Clone + Send + Sync + 'static,
    T: 'static,
    S: Clone + Send + Sync + 'static,
{
    type Service = Self;

    fn make_service(&mut self, _: SimIncomingStream<'_, L>) -> Self {
        self.clone()
    }
}

impl<L, Svc> SimMakeService<L> for IntoMakeService<Svc>
where
    L: Listener,
    Svc: Service<Request, Response = Response, Error = Infallible, Future: Send>
        + Clone
        + Send
        + Sync
        + 'static,
{
    type Service = Svc;

    fn make_service(&mut self, _: SimIncomingStream<'_, L>) -> Svc {
        made_at_once(self, ())
    }
}

impl<L, Svc, C> SimMakeService<L> for IntoMakeServiceWithConnectInfo<Svc, C>
where
    L: Listener,
    Svc: Service<Request, Response = Response, Error = Infallible, Future: Send>
        + Clone
        + Send
        + Sync
        + 'static,
    C: for<'a> Connected<SimIncomingStream<'a, L>> + Clone + Send + Sync + 'static,
{
    type Service = AddExtension<Svc, ConnectInfo<C>>;

    fn make_service(&mut self, stream: SimIncomingStream<'_, L>) -> Self::Service {
        made_at_once(self, stream)
    }
}

/// Calls one of axum's own make-services, whose readiness and futures are
/// immediate (`Ready`), without a task to wake.
fn made_at_once<M, T>(make: &mut M, target: T) -> M::Response
where
    M: Service<T, Error = Infallible>,
{
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(Ok(())) = make.poll_ready(&mut cx) else {
        unreachable!("axum's make-services are always ready");
    };
    match pin!(make.call(target)).poll(&mut cx) {
        Poll::Ready(Ok(service)) => service,
        Poll::Ready(Err(never)) => match never {},
        Poll::Pending => unreachable!("axum's make-service futures are ready at once"),
    }
}
