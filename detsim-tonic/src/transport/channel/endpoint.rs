//! [`Endpoint`]: tonic's channel builder, connecting in the world it is
//! asked to connect in.

use std::fmt;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::str::FromStr;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Uri};
use hyper::rt::{Executor, Read, Write};
use tonic::codegen::StdError;
use tonic::transport::Error;
use tonic::transport::channel as real;
use tower_service::Service;

use super::Channel;
use super::world_check::TimerSettings;

mod sim_connect;

type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where and how a [`Channel`] connects: tonic's `Endpoint`, with every
/// setting tonic has (but TLS).
///
/// Outside detsim [`connect`](Endpoint::connect) is tonic's. Inside a run
/// it connects tonic's channel with the hyper-util stand-in's executor
/// (unless [`executor`](Endpoint::executor) was set) and `HttpConnector`
/// (sim-net), applying `tcp_nodelay` and `connect_timeout` there.
#[derive(Clone)]
pub struct Endpoint {
    /// Every setting but `connect_timeout` and `timeout`, which tonic
    /// would run on the real tokio's timer.
    inner: real::Endpoint,
    connect_timeout: Option<Duration>,
    /// Every request's deadline: tonic's inside its channel on the host,
    /// the shadowed [`Channel`]'s on virtual time inside a run.
    timeout: Option<Duration>,
    executor_set: bool,
    timers: TimerSettings,
}

/// A setting that only goes to tonic's endpoint.
macro_rules! setting {
    ($( $(#[$meta:meta])* fn $name:ident(self $(, $arg:ident: $ty:ty)*); )*) => {
        $(
            $(#[$meta])*
            pub fn $name(self $(, $arg: $ty)*) -> Self {
                Self { inner: self.inner.$name($($arg),*), ..self }
            }
        )*
    };
}

impl Endpoint {
    fn from_real(inner: real::Endpoint) -> Self {
        Self {
            inner,
            connect_timeout: None,
            timeout: None,
            executor_set: false,
            timers: TimerSettings::default(),
        }
    }

    /// The endpoint `dst` converts to (the generated clients' `connect`
    /// calls this).
    pub fn new<D>(dst: D) -> Result<Self, Error>
    where
        D: TryInto<Self>,
        D::Error: Into<StdError>,
    {
        dst.try_into()
            .map_err(|e| crate::transport::error::transport_error(e.into()))
    }

    /// An endpoint for a static URI. Panics if it is not one.
    pub fn from_static(s: &'static str) -> Self {
        Self::from_real(real::Endpoint::from_static(s))
    }

    /// An endpoint for a URI in bytes.
    pub fn from_shared(s: impl Into<Bytes>) -> Result<Self, Error> {
        real::Endpoint::from_shared(s).map(Self::from_real)
    }

    /// A `user-agent` prefix for every request.
    pub fn user_agent<T>(self, user_agent: T) -> Result<Self, Error>
    where
        T: TryInto<HeaderValue>,
    {
        let inner = self.inner.user_agent(user_agent)?;
        Ok(Self { inner, ..self })
    }

    /// A deadline for every request (virtual time inside a run): a call
    /// still waiting for its response head after `dur` fails with
    /// `Code::Cancelled`, "Timeout expired", as tonic's. A request's own
    /// shorter deadline (`Request::set_timeout`) wins.
    pub fn timeout(self, dur: Duration) -> Self {
        Self {
            timeout: Some(dur),
            ..self
        }
    }

    /// The time allowed to connect (virtual time inside a run).
    pub fn connect_timeout(self, dur: Duration) -> Self {
        Self {
            connect_timeout: Some(dur),
            ..self
        }
    }

    /// At most `limit` requests per `duration`. Outside detsim only.
    pub fn rate_limit(self, limit: u64, duration: Duration) -> Self {
        let timers = TimerSettings {
            rate_limit: true,
            ..self.timers
        };
        Self {
            inner: self.inner.rate_limit(limit, duration),
            timers,
            ..self
        }
    }

    /// The interval of HTTP/2 keep-alive pings. Outside detsim only.
    pub fn http2_keep_alive_interval(self, interval: Duration) -> Self {
        let timers = TimerSettings {
            keep_alive: true,
            ..self.timers
        };
        Self {
            inner: self.inner.http2_keep_alive_interval(interval),
            timers,
            ..self
        }
    }

    /// The executor of the channel's background tasks (inside a run the
    /// stand-in's `TokioExecutor` unless this is set).
    pub fn executor<E>(self, executor: E) -> Self
    where
        E: Executor<BoxFuture> + Send + Sync + 'static,
    {
        Self {
            inner: self.inner.executor(executor),
            executor_set: true,
            ..self
        }
    }

    setting! {
        /// The origin (scheme and authority) requests are sent with.
        fn origin(self, origin: Uri);
        /// `SO_KEEPALIVE`'s idle time. Not modelled inside a run.
        fn tcp_keepalive(self, tcp_keepalive: Option<Duration>);
        /// `TCP_KEEPINTVL`. Not modelled inside a run.
        fn tcp_keepalive_interval(self, tcp_keepalive_interval: Option<Duration>);
        /// `TCP_KEEPCNT`. Not modelled inside a run.
        fn tcp_keepalive_retries(self, tcp_keepalive_retries: Option<u32>);
        /// At most `limit` requests in flight.
        fn concurrency_limit(self, limit: usize);
        /// HTTP/2's `SETTINGS_INITIAL_WINDOW_SIZE`.
        fn initial_stream_window_size(self, sz: impl Into<Option<u32>>);
        /// HTTP/2's connection-level window.
        fn initial_connection_window_size(self, sz: impl Into<Option<u32>>);
        /// How many requests the channel's buffer holds.
        fn buffer_size(self, sz: impl Into<Option<usize>>);
        /// `TCP_NODELAY` (default: on).
        fn tcp_nodelay(self, enabled: bool);
        /// How long a keep-alive ping may go unanswered.
        fn keep_alive_timeout(self, duration: Duration);
        /// Whether keep-alive pings are sent while idle.
        fn keep_alive_while_idle(self, enabled: bool);
        /// Whether HTTP/2 flow control adapts to the measured BDP.
        fn http2_adaptive_window(self, enabled: bool);
        /// HTTP/2's HPACK table size.
        fn http2_header_table_size(self, size: u32);
        /// HTTP/2's largest header list accepted.
        fn http2_max_header_list_size(self, size: u32);
        /// The most concurrently reset streams remembered.
        fn http2_max_concurrent_reset_streams(self, max: usize);
        /// How long a reset stream is remembered.
        fn http2_reset_stream_duration(self, duration: Duration);
        /// The most locally errored reset streams before a GOAWAY.
        fn http2_max_local_error_reset_streams(self, max: impl Into<Option<usize>>);
        /// HTTP/2's largest frame.
        fn max_frame_size(self, frame_size: impl Into<Option<u32>>);
        /// The local address to bind. Not modelled inside a run.
        fn local_address(self, addr: Option<IpAddr>);
    }

    /// Connects now.
    pub async fn connect(&self) -> Result<Channel, Error> {
        let channel = if detsim::Runtime::in_context() {
            self.timers.refuse_in_sim();
            self.in_sim()
                .connect_with_connector(self.sim_connector())
                .await?
        } else {
            self.on_host().connect().await?
        };
        Ok(self.channel(channel))
    }

    /// A channel that connects on its first request.
    #[track_caller]
    pub fn connect_lazy(&self) -> Channel {
        let channel = if detsim::Runtime::in_context() {
            self.timers.refuse_in_sim();
            self.in_sim()
                .connect_with_connector_lazy(self.sim_connector())
        } else {
            self.on_host().connect_lazy()
        };
        self.channel(channel)
    }

    /// Connects now through `connector`.
    pub async fn connect_with_connector<C>(&self, connector: C) -> Result<Channel, Error>
    where
        C: Service<Uri> + Send + 'static,
        C::Response: Read + Write + Send + Unpin,
        C::Future: Send,
        StdError: From<C::Error> + Send,
    {
        let channel = if detsim::Runtime::in_context() {
            self.timers.refuse_in_sim();
            self.sim_connect_with_connector(connector).await?
        } else {
            self.on_host().connect_with_connector(connector).await?
        };
        Ok(self.channel(channel))
    }

    /// A channel through `connector` that connects on its first request.
    #[track_caller]
    pub fn connect_with_connector_lazy<C>(&self, connector: C) -> Channel
    where
        C: Service<Uri> + Send + 'static,
        C::Response: Read + Write + Send + Unpin,
        C::Future: Send,
        StdError: From<C::Error> + Send,
    {
        let channel = if detsim::Runtime::in_context() {
            self.timers.refuse_in_sim();
            self.sim_connect_with_connector_lazy(connector)
        } else {
            self.on_host().connect_with_connector_lazy(connector)
        };
        self.channel(channel)
    }

    /// The URI requests go to.
    pub fn uri(&self) -> &Uri {
        self.inner.uri()
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn get_tcp_nodelay(&self) -> bool {
        self.inner.get_tcp_nodelay()
    }

    /// The connect timeout.
    pub fn get_connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }

    /// `SO_KEEPALIVE`'s idle time.
    pub fn get_tcp_keepalive(&self) -> Option<Duration> {
        self.inner.get_tcp_keepalive()
    }

    /// `TCP_KEEPINTVL`.
    pub fn get_tcp_keepalive_interval(&self) -> Option<Duration> {
        self.inner.get_tcp_keepalive_interval()
    }

    /// `TCP_KEEPCNT`.
    pub fn get_tcp_keepalive_retries(&self) -> Option<u32> {
        self.inner.get_tcp_keepalive_retries()
    }

    /// Panics, inside a run, on a setting tonic would run on the real
    /// tokio's timer.
    #[track_caller]
    pub(super) fn refuse_timers_in_sim(&self) {
        self.timers.refuse_in_sim();
    }

    pub(super) fn on_host(&self) -> real::Endpoint {
        let mut inner = self.inner.clone();
        if let Some(dur) = self.connect_timeout {
            inner = inner.connect_timeout(dur);
        }
        if let Some(dur) = self.timeout {
            inner = inner.timeout(dur);
        }
        inner
    }

    /// The shadowed channel over tonic's `channel`, made in the caller's
    /// world: inside a run it times the endpoint's deadline itself.
    pub(super) fn channel(&self, channel: real::Channel) -> Channel {
        let timeout = if detsim::Runtime::in_context() {
            self.timeout
        } else {
            None // on_host gave it to tonic
        };
        Channel::from_real(channel, timeout)
    }
}

impl From<Uri> for Endpoint {
    fn from(uri: Uri) -> Self {
        Self::from_real(real::Endpoint::from(uri))
    }
}

impl TryFrom<Bytes> for Endpoint {
    type Error = Error;

    fn try_from(t: Bytes) -> Result<Self, Error> {
        real::Endpoint::try_from(t).map(Self::from_real)
    }
}

impl TryFrom<String> for Endpoint {
    type Error = Error;

    fn try_from(t: String) -> Result<Self, Error> {
        real::Endpoint::try_from(t).map(Self::from_real)
    }
}

impl TryFrom<&'static str> for Endpoint {
    type Error = Error;

    fn try_from(t: &'static str) -> Result<Self, Error> {
        real::Endpoint::try_from(t).map(Self::from_real)
    }
}

impl FromStr for Endpoint {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        real::Endpoint::from_str(s).map(Self::from_real)
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint").finish()
    }
}
