//! [`Router`]: the services a [`Server`] serves, kept for both worlds.

use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;

use bytes::Bytes;
use detsim_tokio::io::{AsyncRead, AsyncWrite};
use http::{Request, Response};
use tokio_stream::Stream;
use tonic::body::Body;
use tonic::codegen::StdError;
use tonic::server::NamedService;
use tonic::service::Routes;
use tonic::transport::Error;
use tonic::transport::server as real;
use tower_layer::Layer;
use tower_service::Service;

use super::{Connected, Server};

/// A server and its services: tonic's `Router`, with the routes kept for
/// the simulated path too.
#[derive(Clone)]
pub struct Router<L = tower::layer::util::Identity> {
    inner: real::Router<L>,
    server: Server<L>,
    routes: Routes,
}

impl<L: Clone> Server<L> {
    /// A router serving `svc` first.
    pub fn add_service<S>(&mut self, svc: S) -> Router<L>
    where
        S: Service<Request<Body>, Error = Infallible>
            + NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Response: axum::response::IntoResponse,
        S::Future: Send + 'static,
    {
        Router {
            inner: self.inner.add_service(svc.clone()),
            server: self.clone(),
            routes: Routes::new(svc),
        }
    }

    /// A router serving `svc` if there is one (its name is routed either
    /// way, as tonic does).
    pub fn add_optional_service<S>(&mut self, svc: Option<S>) -> Router<L>
    where
        S: Service<Request<Body>, Error = Infallible>
            + NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Response: axum::response::IntoResponse,
        S::Future: Send + 'static,
    {
        Router {
            inner: self.inner.add_optional_service(svc.clone()),
            server: self.clone(),
            routes: svc.map(Routes::new).unwrap_or_default(),
        }
    }

    /// A router serving `routes`.
    pub fn add_routes(&mut self, routes: Routes) -> Router<L> {
        Router {
            inner: self.inner.add_routes(routes.clone()),
            server: self.clone(),
            routes,
        }
    }
}

impl<L> Router<L> {
    /// Adds `svc`.
    pub fn add_service<S>(self, svc: S) -> Self
    where
        S: Service<Request<Body>, Error = Infallible>
            + NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Response: axum::response::IntoResponse,
        S::Future: Send + 'static,
    {
        Self {
            inner: self.inner.add_service(svc.clone()),
            routes: self.routes.add_service(svc),
            server: self.server,
        }
    }

    /// Adds `svc` if there is one.
    pub fn add_optional_service<S>(self, svc: Option<S>) -> Self
    where
        S: Service<Request<Body>, Error = Infallible>
            + NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Response: axum::response::IntoResponse,
        S::Future: Send + 'static,
    {
        match svc {
            Some(svc) => self.add_service(svc),
            None => self,
        }
    }

    /// Serves the routes on `addr`.
    pub async fn serve<ResBody>(self, addr: SocketAddr) -> Result<(), Error>
    where
        L: Layer<Routes> + Clone,
        L::Service: Service<Request<Body>, Response = Response<ResBody>> + Clone + Send + 'static,
        <L::Service as Service<Request<Body>>>::Future: Send,
        <L::Service as Service<Request<Body>>>::Error: Into<StdError> + Send,
        ResBody: http_body::Body<Data = Bytes> + Send + 'static,
        ResBody::Error: Into<StdError>,
    {
        if detsim::Runtime::in_context() {
            self.server.serve(addr, self.routes.prepare()).await
        } else {
            self.inner.serve(addr).await
        }
    }

    /// Serves the routes on `addr` until `signal` completes, then lets
    /// the open connections finish.
    pub async fn serve_with_shutdown<F: Future<Output = ()>, ResBody>(
        self,
        addr: SocketAddr,
        signal: F,
    ) -> Result<(), Error>
    where
        L: Layer<Routes>,
        L::Service: Service<Request<Body>, Response = Response<ResBody>> + Clone + Send + 'static,
        <L::Service as Service<Request<Body>>>::Future: Send,
        <L::Service as Service<Request<Body>>>::Error: Into<StdError> + Send,
        ResBody: http_body::Body<Data = Bytes> + Send + 'static,
        ResBody::Error: Into<StdError>,
    {
        if detsim::Runtime::in_context() {
            self.server
                .serve_with_shutdown(addr, self.routes.prepare(), signal)
                .await
        } else {
            self.inner.serve_with_shutdown(addr, signal).await
        }
    }

    /// Serves the routes on the connections of `incoming`.
    pub async fn serve_with_incoming<I, IO, IE, ResBody>(self, incoming: I) -> Result<(), Error>
    where
        I: Stream<Item = Result<IO, IE>>,
        IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
        IE: Into<StdError>,
        L: Layer<Routes>,
        L::Service: Service<Request<Body>, Response = Response<ResBody>> + Clone + Send + 'static,
        <L::Service as Service<Request<Body>>>::Future: Send,
        <L::Service as Service<Request<Body>>>::Error: Into<StdError> + Send,
        ResBody: http_body::Body<Data = Bytes> + Send + 'static,
        ResBody::Error: Into<StdError>,
    {
        if detsim::Runtime::in_context() {
            self.server
                .serve_with_incoming(self.routes.prepare(), incoming)
                .await
        } else {
            self.inner.serve_with_incoming(incoming).await
        }
    }

    /// Serves the routes on the connections of `incoming` until `signal`
    /// completes, then lets the open connections finish.
    pub async fn serve_with_incoming_shutdown<I, IO, IE, F, ResBody>(
        self,
        incoming: I,
        signal: F,
    ) -> Result<(), Error>
    where
        I: Stream<Item = Result<IO, IE>>,
        IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
        IE: Into<StdError>,
        F: Future<Output = ()>,
        L: Layer<Routes>,
        L::Service: Service<Request<Body>, Response = Response<ResBody>> + Clone + Send + 'static,
        <L::Service as Service<Request<Body>>>::Future: Send,
        <L::Service as Service<Request<Body>>>::Error: Into<StdError> + Send,
        ResBody: http_body::Body<Data = Bytes> + Send + 'static,
        ResBody::Error: Into<StdError>,
    {
        if detsim::Runtime::in_context() {
            self.server
                .serve_with_incoming_shutdown(self.routes.prepare(), incoming, signal)
                .await
        } else {
            self.inner
                .serve_with_incoming_shutdown(incoming, signal)
                .await
        }
    }
}

impl<L> fmt::Debug for Router<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Router").finish()
    }
}
