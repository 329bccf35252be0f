//! [`Server`]: tonic's server builder, serving in the world it is asked
//! to serve in.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use detsim_tokio::io::{AsyncRead, AsyncWrite};
use http::{Request, Response};
use tokio_stream::Stream;
use tonic::body::Body;
use tonic::codegen::StdError;
use tonic::transport::Error;
use tonic::transport::server as real;
use tower::ServiceBuilder;
use tower::layer::util::{Identity, Stack};
use tower_layer::Layer;
use tower_service::Service;

use super::Connected;
use super::incoming::ListenerStream;
use super::settings::Settings;
use super::sim_serve;

/// tonic's gRPC server builder: every setting goes to a real tonic
/// `Server`, which serves outside detsim; inside a run the shadow serves
/// with the same settings and layers (see the [module docs](super)).
#[derive(Clone)]
pub struct Server<L = Identity> {
    pub(super) inner: real::Server<L>,
    pub(super) layers: ServiceBuilder<L>,
    pub(super) settings: Settings,
}

impl Server {
    /// A server with tonic's defaults.
    pub fn builder() -> Self {
        Self::default()
    }
}

impl Default for Server<Identity> {
    fn default() -> Self {
        Self {
            inner: real::Server::builder(),
            layers: ServiceBuilder::new(),
            settings: Settings::default(),
        }
    }
}

/// A setting that both the real server and the simulated path take:
/// `fn name(self, arg: T) = field <- expression of arg;`.
macro_rules! setting {
    ($( $(#[$meta:meta])* fn $name:ident(self, $arg:ident: $ty:ty) = $field:ident <- $value:expr; )*) => {
        $(
            $(#[$meta])*
            #[must_use]
            pub fn $name(mut self, $arg: $ty) -> Self {
                self.settings.$field = $value;
                self.inner = self.inner.$name($arg);
                self
            }
        )*
    };
}

impl<L> Server<L> {
    setting! {
        /// At most `limit` requests in flight per connection.
        fn concurrency_limit_per_connection(self, limit: usize) = concurrency_limit <- Some(limit);
        /// Whether requests are refused (`Unavailable`) rather than queued
        /// when the concurrency limit is reached.
        fn load_shed(self, load_shed: bool) = load_shed <- load_shed;
        /// A deadline for every request (the client's `grpc-timeout` wins
        /// when shorter).
        fn timeout(self, timeout: Duration) = timeout <- Some(timeout);
        /// The most time a connection lives; it is then shut down
        /// gracefully (see `max_connection_age_grace`).
        fn max_connection_age(self, age: Duration) = max_connection_age <- Some(age);
        /// With `max_connection_age`: close the connection this long after
        /// its maximum age instead.
        fn max_connection_age_grace(self, grace: Duration) = max_connection_age_grace <- Some(grace);
        /// The interval of HTTP/2 keep-alive pings (`None`: off).
        fn http2_keepalive_interval(self, interval: Option<Duration>) = http2_keepalive_interval <- interval;
        /// Whether HTTP/2 flow control adapts to the measured BDP.
        fn http2_adaptive_window(self, enabled: Option<bool>) = http2_adaptive_window <- enabled;
        /// The most streams a client may reset before being accepted.
        fn http2_max_pending_accept_reset_streams(self, max: Option<usize>) = http2_max_pending_accept_reset_streams <- max;
        /// The most locally errored reset streams before a GOAWAY.
        fn http2_max_local_error_reset_streams(self, max: Option<usize>) = http2_max_local_error_reset_streams <- max;
        /// `TCP_NODELAY` on accepted connections (default: on).
        fn tcp_nodelay(self, enabled: bool) = tcp_nodelay <- enabled;
        /// Whether HTTP/1.1 is served too (gRPC-Web); default: HTTP/2 only.
        fn accept_http1(self, accept_http1: bool) = accept_http1 <- accept_http1;
    }

    /// How long a keep-alive ping may go unanswered (`None` keeps the
    /// current value, 20 s by default).
    #[must_use]
    pub fn http2_keepalive_timeout(mut self, timeout: Option<Duration>) -> Self {
        if let Some(timeout) = timeout {
            self.settings.http2_keepalive_timeout = timeout;
        }
        self.inner = self.inner.http2_keepalive_timeout(timeout);
        self
    }

    /// HTTP/2's `SETTINGS_INITIAL_WINDOW_SIZE`.
    #[must_use]
    pub fn initial_stream_window_size(mut self, sz: impl Into<Option<u32>>) -> Self {
        let sz = sz.into();
        self.settings.init_stream_window_size = sz;
        self.inner = self.inner.initial_stream_window_size(sz);
        self
    }

    /// HTTP/2's connection-level window.
    #[must_use]
    pub fn initial_connection_window_size(mut self, sz: impl Into<Option<u32>>) -> Self {
        let sz = sz.into();
        self.settings.init_connection_window_size = sz;
        self.inner = self.inner.initial_connection_window_size(sz);
        self
    }

    /// HTTP/2's `SETTINGS_MAX_CONCURRENT_STREAMS`.
    #[must_use]
    pub fn max_concurrent_streams(mut self, max: impl Into<Option<u32>>) -> Self {
        let max = max.into();
        self.settings.max_concurrent_streams = max;
        self.inner = self.inner.max_concurrent_streams(max);
        self
    }

    /// HTTP/2's largest header list accepted.
    #[must_use]
    pub fn http2_max_header_list_size(mut self, max: impl Into<Option<u32>>) -> Self {
        let max = max.into();
        self.settings.http2_max_header_list_size = max;
        self.inner = self.inner.http2_max_header_list_size(max);
        self
    }

    /// HTTP/2's largest frame.
    #[must_use]
    pub fn max_frame_size(mut self, frame_size: impl Into<Option<u32>>) -> Self {
        let frame_size = frame_size.into();
        self.settings.max_frame_size = frame_size;
        self.inner = self.inner.max_frame_size(frame_size);
        self
    }

    /// `SO_KEEPALIVE`'s idle time. Not modelled inside a run.
    #[must_use]
    pub fn tcp_keepalive(self, tcp_keepalive: Option<Duration>) -> Self {
        Self {
            inner: self.inner.tcp_keepalive(tcp_keepalive),
            ..self
        }
    }

    /// `TCP_KEEPINTVL`. Not modelled inside a run.
    #[must_use]
    pub fn tcp_keepalive_interval(self, interval: Option<Duration>) -> Self {
        Self {
            inner: self.inner.tcp_keepalive_interval(interval),
            ..self
        }
    }

    /// `TCP_KEEPCNT`. Not modelled inside a run.
    #[must_use]
    pub fn tcp_keepalive_retries(self, retries: Option<u32>) -> Self {
        Self {
            inner: self.inner.tcp_keepalive_retries(retries),
            ..self
        }
    }

    /// A tracing span for every request, from its head. Applied outside
    /// detsim only (tonic's server enters it; the simulated path does
    /// not).
    #[must_use]
    pub fn trace_fn<F>(self, f: F) -> Self
    where
        F: Fn(&http::Request<()>) -> tracing::Span + Send + Sync + 'static,
    {
        Self {
            inner: self.inner.trace_fn(f),
            ..self
        }
    }

    /// Wraps every service in `layer` (tonic's `Server::layer`). The
    /// layer must be `Clone`: each world's server gets one.
    pub fn layer<NewLayer: Clone>(self, layer: NewLayer) -> Server<Stack<NewLayer, L>> {
        Server {
            inner: self.inner.layer(layer.clone()),
            layers: self.layers.layer(layer),
            settings: self.settings,
        }
    }

    /// Serves `svc` on `addr`.
    pub async fn serve<S, ResBody>(self, addr: SocketAddr, svc: S) -> Result<(), Error>
    where
        L: Layer<S>,
        L::Service: Service<Request<Body>, Response = Response<ResBody>> + Clone + Send + 'static,
        <L::Service as Service<Request<Body>>>::Future: Send,
        <L::Service as Service<Request<Body>>>::Error: Into<StdError> + Send + 'static,
        ResBody: http_body::Body<Data = Bytes> + Send + 'static,
        ResBody::Error: Into<StdError>,
    {
        self.serve_with_optional_shutdown(addr, svc, None::<std::future::Ready<()>>)
            .await
    }

    /// Serves `svc` on `addr` until `signal` completes, then lets the
    /// open connections finish.
    pub async fn serve_with_shutdown<S, F, ResBody>(
        self,
        addr: SocketAddr,
        svc: S,
        signal: F,
    ) -> Result<(), Error>
    where
        L: Layer<S>,
        L::Service: Service<Request<Body>, Response = Response<ResBody>> + Clone + Send + 'static,
        <L::Service as Service<Request<Body>>>::Future: Send,
        <L::Service as Service<Request<Body>>>::Error: Into<StdError> + Send + 'static,
        F: Future<Output = ()>,
        ResBody: http_body::Body<Data = Bytes> + Send + 'static,
        ResBody::Error: Into<StdError>,
    {
        self.serve_with_optional_shutdown(addr, svc, Some(signal))
            .await
    }

    /// Serves `svc` on the connections of `incoming`.
    pub async fn serve_with_incoming<S, I, IO, IE, ResBody>(
        self,
        svc: S,
        incoming: I,
    ) -> Result<(), Error>
    where
        L: Layer<S>,
        L::Service: Service<Request<Body>, Response = Response<ResBody>> + Clone + Send + 'static,
        <L::Service as Service<Request<Body>>>::Future: Send,
        <L::Service as Service<Request<Body>>>::Error: Into<StdError> + Send + 'static,
        I: Stream<Item = Result<IO, IE>>,
        IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
        IE: Into<StdError>,
        ResBody: http_body::Body<Data = Bytes> + Send + 'static,
        ResBody::Error: Into<StdError>,
    {
        if detsim::Runtime::in_context() {
            let service = self.layers.service(svc);
            sim_serve::serve(
                service,
                incoming,
                None::<std::future::Ready<()>>,
                self.settings,
            )
            .await;
            Ok(())
        } else {
            self.inner.serve_with_incoming(svc, incoming).await
        }
    }

    /// Serves `svc` on the connections of `incoming` until `signal`
    /// completes, then lets the open connections finish.
    pub async fn serve_with_incoming_shutdown<S, I, F, IO, IE, ResBody>(
        self,
        svc: S,
        incoming: I,
        signal: F,
    ) -> Result<(), Error>
    where
        L: Layer<S>,
        L::Service: Service<Request<Body>, Response = Response<ResBody>> + Clone + Send + 'static,
        <L::Service as Service<Request<Body>>>::Future: Send,
        <L::Service as Service<Request<Body>>>::Error: Into<StdError> + Send + 'static,
        I: Stream<Item = Result<IO, IE>>,
        IO: AsyncRead + AsyncWrite + Connected + Unpin + Send + 'static,
        IE: Into<StdError>,
        F: Future<Output = ()>,
        ResBody: http_body::Body<Data = Bytes> + Send + 'static,
        ResBody::Error: Into<StdError>,
    {
        if detsim::Runtime::in_context() {
            let service = self.layers.service(svc);
            sim_serve::serve(service, incoming, Some(signal), self.settings).await;
            Ok(())
        } else {
            self.inner
                .serve_with_incoming_shutdown(svc, incoming, signal)
                .await
        }
    }

    /// `serve` and `serve_with_shutdown`: tonic's, or binding the
    /// stand-in's listener inside a run.
    async fn serve_with_optional_shutdown<S, F, ResBody>(
        self,
        addr: SocketAddr,
        svc: S,
        signal: Option<F>,
    ) -> Result<(), Error>
    where
        L: Layer<S>,
        L::Service: Service<Request<Body>, Response = Response<ResBody>> + Clone + Send + 'static,
        <L::Service as Service<Request<Body>>>::Future: Send,
        <L::Service as Service<Request<Body>>>::Error: Into<StdError> + Send + 'static,
        F: Future<Output = ()>,
        ResBody: http_body::Body<Data = Bytes> + Send + 'static,
        ResBody::Error: Into<StdError>,
    {
        if !detsim::Runtime::in_context() {
            return match signal {
                Some(signal) => self.inner.serve_with_shutdown(addr, svc, signal).await,
                None => self.inner.serve(addr, svc).await,
            };
        }
        let listener = detsim_tokio::net::TcpListener::bind(addr)
            .await
            .map_err(bind_error)?;
        let incoming = ListenerStream::new(listener, self.settings.tcp_nodelay);
        let service = self.layers.service(svc);
        sim_serve::serve(service, incoming, signal, self.settings).await;
        Ok(())
    }
}

/// tonic's transport error for a failed bind.
fn bind_error(cause: std::io::Error) -> Error {
    crate::transport::error::transport_error(Box::new(cause))
}

impl<L> fmt::Debug for Server<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server").finish()
    }
}
