//! [`Http1Builder`]: the HTTP/1 settings of a [`Builder`], applied to
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
use super::date::DateFuture;
#[cfg(feature = "http2")]
use super::date::DateHeader;
use super::shared_timer::SharedTimer;

type BoxError = Box<dyn StdError + Send + Sync>;

/// The HTTP/1 settings of a [`Builder`].
pub struct Http1Builder<'a, E> {
    pub(super) inner: &'a mut Builder<E>,
}

/// Applies a setting to both real builders' HTTP/1 part.
macro_rules! both {
    ($( $(#[$meta:meta])* fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*); )*) => {
        $(
            $(#[$meta])*
            pub fn $name(&mut self $(, $arg: $ty)*) -> &mut Self {
                self.inner.host.http1().$name($($arg),*);
                self.inner.sim.http1().$name($($arg),*);
                self
            }
        )*
    };
}

impl<E> Http1Builder<'_, E> {
    /// The HTTP/2 settings.
    #[cfg(feature = "http2")]
    pub fn http2(&mut self) -> super::Http2Builder<'_, E> {
        super::Http2Builder { inner: self.inner }
    }

    /// Whether HTTP/1 responses carry a `date:` header. Default: true.
    /// Inside a detsim run the header is rendered from virtual time.
    pub fn auto_date_header(&mut self, enabled: bool) -> &mut Self {
        self.inner.host.http1().auto_date_header(enabled);
        self.inner.dates.http1 = enabled;
        self
    }

    both! {
        /// Whether a read EOF in the middle of a request keeps the
        /// connection open for the response. Default: false.
        fn half_close(&mut self, val: bool);
        /// HTTP/1 keep-alive. Default: true.
        fn keep_alive(&mut self, val: bool);
        /// Whether header names are written in title case. Default: false.
        fn title_case_headers(&mut self, enabled: bool);
        /// Whether malformed header lines are skipped. Default: false.
        fn ignore_invalid_headers(&mut self, enabled: bool);
        /// Whether the case of header names is preserved. Default: false.
        fn preserve_header_case(&mut self, enabled: bool);
        /// The most headers in a request. Default: 100.
        fn max_headers(&mut self, val: usize);
        /// Whether writes are vectored. Default: chosen by hyper.
        fn writev(&mut self, val: bool);
        /// The largest read buffer. Panics below 8,192.
        fn max_buf_size(&mut self, max: usize);
        /// Whether flushes are aggregated for pipelined responses.
        fn pipeline_flush(&mut self, enabled: bool);
    }

    /// The time a client has to send a request head (needs a
    /// [`timer`](Http1Builder::timer); `None`: no limit).
    pub fn header_read_timeout(&mut self, read_timeout: impl Into<Option<Duration>>) -> &mut Self {
        let read_timeout = read_timeout.into();
        self.inner.host.http1().header_read_timeout(read_timeout);
        self.inner.sim.http1().header_read_timeout(read_timeout);
        self
    }

    /// The timer of HTTP/1 connections (the header-read timeout).
    pub fn timer<M>(&mut self, timer: M) -> &mut Self
    where
        M: Timer + Send + Sync + 'static,
    {
        let shared = SharedTimer::new(timer);
        self.inner.host.http1().timer(shared.clone());
        self.inner.sim.http1().timer(shared);
        self
    }

    /// Serves `service` on `io` (see [`Builder::serve_connection`]).
    #[cfg(feature = "http2")]
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

    /// Serves `service` on `io` (see [`Builder::serve_connection`]).
    #[cfg(not(feature = "http2"))]
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
    #[cfg(feature = "http2")]
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
