//! [`Http2Builder`]: the HTTP/2 settings of a [`Builder`], applied to
//! both of its real builders.

use std::error::Error as StdError;
use std::time::Duration;

use http::{Request, Response};
use http_body::Body;
use hyper::body::Incoming;
use hyper::rt::{Read, Timer, Write};
use hyper::service::Service;
use hyper_util::server::conn::auto as real;

use super::Builder;
use super::date::{DateFuture, DateHeader};
use super::shared_timer::SharedTimer;

type BoxError = Box<dyn StdError + Send + Sync>;

/// The HTTP/2 settings of a [`Builder`].
pub struct Http2Builder<'a, E> {
    pub(super) inner: &'a mut Builder<E>,
}

/// Applies a setting to both real builders' HTTP/2 part.
/// Settings written `impl Into<T>` take what hyper-util's take.
macro_rules! both {
    () => {};
    ($(#[$meta:meta])* fn $name:ident(&mut self, $arg:ident: impl Into<$ty:ty>); $($rest:tt)*) => {
        $(#[$meta])*
        pub fn $name(&mut self, $arg: impl Into<$ty>) -> &mut Self {
            let $arg: $ty = $arg.into();
            self.inner.host.http2().$name($arg);
            self.inner.sim.http2().$name($arg);
            self
        }
        both!($($rest)*);
    };
    ($(#[$meta:meta])* fn $name:ident(&mut self, $arg:ident: $ty:ty); $($rest:tt)*) => {
        $(#[$meta])*
        pub fn $name(&mut self, $arg: $ty) -> &mut Self {
            self.inner.host.http2().$name($arg);
            self.inner.sim.http2().$name($arg);
            self
        }
        both!($($rest)*);
    };
}

impl<E> Http2Builder<'_, E> {
    /// The HTTP/1 settings.
    #[cfg(feature = "http1")]
    pub fn http1(&mut self) -> super::Http1Builder<'_, E> {
        super::Http1Builder { inner: self.inner }
    }

    /// Whether HTTP/2 responses carry a `date:` header. Default: true.
    /// Inside a detsim run the header is rendered from virtual time.
    pub fn auto_date_header(&mut self, enabled: bool) -> &mut Self {
        self.inner.host.http2().auto_date_header(enabled);
        self.inner.dates.http2 = enabled;
        self
    }

    both! {
        /// The most streams the client may reset before being accepted,
        /// before a GOAWAY.
        fn max_pending_accept_reset_streams(&mut self, max: impl Into<Option<usize>>);
        /// The most locally errored reset streams before a GOAWAY.
        fn max_local_error_reset_streams(&mut self, max: impl Into<Option<usize>>);
        /// HTTP/2's `SETTINGS_INITIAL_WINDOW_SIZE`.
        fn initial_stream_window_size(&mut self, sz: impl Into<Option<u32>>);
        /// HTTP/2's connection-level flow-control window.
        fn initial_connection_window_size(&mut self, sz: impl Into<Option<u32>>);
        /// Whether flow control adapts to the measured BDP.
        fn adaptive_window(&mut self, enabled: bool);
        /// HTTP/2's largest frame.
        fn max_frame_size(&mut self, sz: impl Into<Option<u32>>);
        /// HTTP/2's `SETTINGS_MAX_CONCURRENT_STREAMS`. Default: 200.
        fn max_concurrent_streams(&mut self, max: impl Into<Option<u32>>);
        /// The interval of keep-alive pings (needs a
        /// [`timer`](Http2Builder::timer); `None`: off).
        fn keep_alive_interval(&mut self, interval: impl Into<Option<Duration>>);
        /// How long a keep-alive ping may go unanswered. Default: 20 s.
        fn keep_alive_timeout(&mut self, timeout: Duration);
        /// The largest write buffer of a stream.
        fn max_send_buf_size(&mut self, max: usize);
        /// HTTP/2's largest header list accepted.
        fn max_header_list_size(&mut self, max: u32);
    }

    /// Enables the extended CONNECT protocol (RFC 8441).
    pub fn enable_connect_protocol(&mut self) -> &mut Self {
        self.inner.host.http2().enable_connect_protocol();
        self.inner.sim.http2().enable_connect_protocol();
        self
    }

    /// The timer of HTTP/2 connections (keep-alive pings).
    pub fn timer<M>(&mut self, timer: M) -> &mut Self
    where
        M: Timer + Send + Sync + 'static,
    {
        let shared = SharedTimer::new(timer);
        self.inner.host.http2().timer(shared.clone());
        self.inner.sim.http2().timer(shared);
        self
    }

    /// Serves `service` on `io` (see [`Builder::serve_connection`]).
    pub async fn serve_connection<I, S, B>(&self, io: I, service: S) -> Result<(), BoxError>
    where
        S: Service<Request<Incoming>, Response = Response<B>>,
        S::Future: 'static,
        S::Error: Into<BoxError>,
        B: Body + 'static,
        B::Error: Into<BoxError>,
        I: Read + Write + Unpin + 'static,
        E: real::HttpServerConnExec<DateFuture<S::Future>, B>,
    {
        self.inner.serve_connection(io, service).await
    }

    /// Serves `service` on `io` with HTTP upgrades (see
    /// [`Builder::serve_connection_with_upgrades`]).
    pub fn serve_connection_with_upgrades<I, S, B>(
        &self,
        io: I,
        service: S,
    ) -> real::UpgradeableConnection<'_, I, DateHeader<S>, E>
    where
        S: Service<Request<Incoming>, Response = Response<B>>,
        S::Future: 'static,
        S::Error: Into<BoxError>,
        B: Body + 'static,
        B::Error: Into<BoxError>,
        I: Read + Write + Unpin + Send + 'static,
        E: real::HttpServerConnExec<DateFuture<S::Future>, B>,
    {
        self.inner.serve_connection_with_upgrades(io, service)
    }
}
