//! [`Builder`]: the real client builder, whose `build_http` uses the
//! shadowed connector and whose pool clock is virtual inside a run.

use std::fmt;
use std::pin::Pin;
use std::time::Duration;

use hyper::body::Body;
use hyper::rt::Timer;
use hyper_util::client::legacy as real;

use super::Client;
use super::connect::Connect;
#[cfg(feature = "tokio")]
use super::connect::HttpConnector;

type BoxSendFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A builder for [`Client`]: every setting is hyper-util's, applied to a
/// real `Builder`.
///
/// Two things differ, both about what the real builder would take from the
/// host: [`build_http`](Builder::build_http) builds the shadowed
/// [`HttpConnector`], and a client built inside a detsim run without a
/// [`pool_timer`](Builder::pool_timer) gets
/// [`TokioTimer`](crate::rt::TokioTimer) as its pool timer, so idle
/// connections expire in virtual time (the real pool would read the host's
/// `Instant::now()`). A client built outside a run keeps hyper-util's
/// behaviour.
#[derive(Clone)]
pub struct Builder {
    inner: real::Builder,
    /// The pool settings `build_http` passes on to the connector, as the
    /// real builder does.
    idle_timeout: Option<Duration>,
    max_idle_per_host: usize,
    pool_timer_set: bool,
}

/// Forwards `&mut self` settings to the real builder, keeping their docs.
macro_rules! forward {
    ($( $(#[$meta:meta])* fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*); )*) => {
        $(
            $(#[$meta])*
            pub fn $name(&mut self $(, $arg: $ty)*) -> &mut Self {
                self.inner.$name($($arg),*);
                self
            }
        )*
    };
}

impl Builder {
    /// A builder whose connection tasks go to `executor`.
    pub fn new<E>(executor: E) -> Self
    where
        E: hyper::rt::Executor<BoxSendFuture> + Send + Sync + Clone + 'static,
    {
        Self {
            inner: real::Builder::new(executor),
            idle_timeout: Some(Duration::from_secs(90)),
            max_idle_per_host: usize::MAX,
            pool_timer_set: false,
        }
    }

    /// How long an idle pooled connection is kept (`None`: forever).
    /// Default: 90 seconds.
    pub fn pool_idle_timeout<D>(&mut self, val: D) -> &mut Self
    where
        D: Into<Option<Duration>>,
    {
        let val = val.into();
        self.idle_timeout = val;
        self.inner.pool_idle_timeout(val);
        self
    }

    /// The most idle connections kept per host. Default: no limit.
    pub fn pool_max_idle_per_host(&mut self, max_idle: usize) -> &mut Self {
        self.max_idle_per_host = max_idle;
        self.inner.pool_max_idle_per_host(max_idle);
        self
    }

    /// The timer of hyper's HTTP/2 connections (keep-alive pings).
    pub fn timer<M>(&mut self, timer: M) -> &mut Self
    where
        M: Timer + Send + Sync + 'static,
    {
        self.inner.timer(timer);
        self
    }

    /// The timer of the pool's idle expiry. Inside a detsim run, a client
    /// built without one uses [`TokioTimer`](crate::rt::TokioTimer).
    pub fn pool_timer<M>(&mut self, timer: M) -> &mut Self
    where
        M: Timer + Clone + Send + Sync + 'static,
    {
        self.pool_timer_set = true;
        self.inner.pool_timer(timer);
        self
    }

    forward! {
        /// Whether a request canceled before it was sent is retried on
        /// another connection. Default: true.
        fn retry_canceled_requests(&mut self, val: bool);
        /// Whether the `host` header is set from the URI. Default: true.
        fn set_host(&mut self, val: bool);
    }

    /// A client over the shadowed [`HttpConnector`]: the stand-in's
    /// `TcpStream` (sim-net inside a run, tokio's anywhere else).
    #[cfg(feature = "tokio")]
    pub fn build_http<B>(&self) -> Client<HttpConnector, B>
    where
        B: Body + Send,
        B::Data: Send,
    {
        let mut connector = HttpConnector::new();
        if self.max_idle_per_host > 0 {
            connector.set_keepalive(self.idle_timeout);
        }
        self.build(connector)
    }

    /// A client over `connector`.
    pub fn build<C, B>(&self, connector: C) -> Client<C, B>
    where
        C: Connect + Clone,
        B: Body + Send,
        B::Data: Send,
    {
        #[cfg(feature = "tokio")]
        if !self.pool_timer_set && crate::world::in_detsim() {
            let mut virtual_pool = self.inner.clone();
            virtual_pool.pool_timer(crate::rt::TokioTimer::new());
            return Client::from_real(virtual_pool.build(connector));
        }
        Client::from_real(self.inner.build(connector))
    }
}

#[cfg(feature = "http1")]
impl Builder {
    forward! {
        /// The exact size of the HTTP/1 read buffer.
        fn http1_read_buf_exact_size(&mut self, sz: usize);
        /// The largest HTTP/1 read buffer. Panics below 8,192.
        fn http1_max_buf_size(&mut self, max: usize);
        /// Whether spaces between a header name and its colon are accepted
        /// in responses. Default: false.
        fn http1_allow_spaces_after_header_name_in_responses(&mut self, val: bool);
        /// Whether obsolete multi-line headers are accepted in responses.
        /// Default: false.
        fn http1_allow_obsolete_multiline_headers_in_responses(&mut self, val: bool);
        /// Whether invalid header lines in responses are skipped. Default:
        /// false.
        fn http1_ignore_invalid_headers_in_responses(&mut self, val: bool);
        /// Whether HTTP/1 writes are vectored. Default: chosen by hyper.
        fn http1_writev(&mut self, enabled: bool);
        /// Whether HTTP/1 header names are written in title case. Default:
        /// false.
        fn http1_title_case_headers(&mut self, val: bool);
        /// Whether the case of header names is preserved. Default: false.
        fn http1_preserve_header_case(&mut self, val: bool);
        /// The most headers in a response. Default: 100.
        fn http1_max_headers(&mut self, val: usize);
        /// Whether HTTP/0.9 responses are accepted. Default: false.
        fn http09_responses(&mut self, val: bool);
    }
}

#[cfg(feature = "http2")]
impl Builder {
    forward! {
        /// Whether only HTTP/2 is used (prior knowledge). Default: false.
        fn http2_only(&mut self, val: bool);
        /// The most pending-accept reset streams before a GOAWAY.
        fn http2_max_pending_accept_reset_streams(&mut self, max: impl Into<Option<usize>>);
        /// HTTP/2's `SETTINGS_INITIAL_WINDOW_SIZE`.
        fn http2_initial_stream_window_size(&mut self, sz: impl Into<Option<u32>>);
        /// HTTP/2's connection-level flow-control window.
        fn http2_initial_connection_window_size(&mut self, sz: impl Into<Option<u32>>);
        /// How many streams may be opened before the peer's settings arrive.
        fn http2_initial_max_send_streams(&mut self, initial: impl Into<Option<usize>>);
        /// Whether HTTP/2 flow control adapts to the measured BDP.
        fn http2_adaptive_window(&mut self, enabled: bool);
        /// HTTP/2's largest frame.
        fn http2_max_frame_size(&mut self, sz: impl Into<Option<u32>>);
        /// HTTP/2's largest header list accepted.
        fn http2_max_header_list_size(&mut self, max: u32);
        /// HTTP/2's HPACK table size.
        fn http2_header_table_size(&mut self, size: impl Into<Option<u32>>);
        /// The most concurrently reset streams remembered.
        fn http2_max_concurrent_reset_streams(&mut self, max: usize);
        /// The most locally errored reset streams before a GOAWAY.
        fn http2_max_local_error_reset_streams(&mut self, max: impl Into<Option<usize>>);
        /// HTTP/2's `SETTINGS_MAX_CONCURRENT_STREAMS`.
        fn http2_max_concurrent_streams(&mut self, max: impl Into<Option<u32>>);
        /// The largest write buffer of an HTTP/2 stream.
        fn http2_max_send_buf_size(&mut self, max: usize);
    }
}

#[cfg(all(feature = "http2", feature = "tokio"))]
impl Builder {
    forward! {
        /// The interval of HTTP/2 keep-alive pings (needs a
        /// [`timer`](Builder::timer)).
        fn http2_keep_alive_interval(&mut self, interval: impl Into<Option<Duration>>);
        /// How long a keep-alive ping may go unanswered. Default: 20 s.
        fn http2_keep_alive_timeout(&mut self, timeout: Duration);
        /// Whether keep-alive pings are sent while no stream is open.
        fn http2_keep_alive_while_idle(&mut self, enabled: bool);
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("inner", &self.inner)
            .field("pool_timer_set", &self.pool_timer_set)
            .finish()
    }
}
