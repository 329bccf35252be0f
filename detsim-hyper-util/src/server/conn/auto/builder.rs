//! [`Builder`]: two real auto builders with the same settings, one for
//! each world, and the date stamp between hyper and the service.

use std::error::Error as StdError;

use http::{Request, Response};
use http_body::Body;
use hyper::body::Incoming;
use hyper::rt::{Read, Write};
use hyper::service::Service;
use hyper_util::server::conn::auto as real;

use super::date::{DateFuture, DateHeader, DateSettings};
use crate::world::in_simulation;

/// A builder serving HTTP/1 or HTTP/2 on a connection: hyper-util's, with
/// a virtual `date:` header inside a detsim run (see the [module
/// docs](super)).
///
/// Settings made through [`http1`](Builder::http1) and
/// [`http2`](Builder::http2) apply to both of its real builders.
#[derive(Clone, Debug)]
pub struct Builder<E> {
    /// Used outside detsim: exactly the user's settings.
    pub(super) host: real::Builder<E>,
    /// Used inside a run: the same settings, hyper's `date:` off.
    pub(super) sim: real::Builder<E>,
    /// Whether the user wants a `date:` header, per protocol.
    pub(super) dates: DateSettings,
}

impl<E: Clone> Builder<E> {
    /// A builder whose HTTP/2 streams are spawned on `executor` (usually
    /// [`TokioExecutor`](crate::rt::TokioExecutor)).
    ///
    /// Unlike hyper-util's, the executor must be `Clone`: each world's
    /// builder gets one (hyper's HTTP/2 needs `Clone` anyway).
    pub fn new(executor: E) -> Self {
        #[allow(unused_mut)] // nothing to turn off without a protocol
        let mut sim = real::Builder::new(executor.clone());
        #[cfg(feature = "http1")]
        sim.http1().auto_date_header(false);
        #[cfg(feature = "http2")]
        sim.http2().auto_date_header(false);
        Self {
            host: real::Builder::new(executor),
            sim,
            dates: DateSettings::default(),
        }
    }
}

impl<E: Default + Clone> Default for Builder<E> {
    fn default() -> Self {
        Self::new(E::default())
    }
}

impl<E> Builder<E> {
    /// HTTP/1 settings.
    #[cfg(feature = "http1")]
    pub fn http1(&mut self) -> super::Http1Builder<'_, E> {
        super::Http1Builder { inner: self }
    }

    /// HTTP/2 settings.
    #[cfg(feature = "http2")]
    pub fn http2(&mut self) -> super::Http2Builder<'_, E> {
        super::Http2Builder { inner: self }
    }

    /// Serve HTTP/2 only (prior knowledge). Panics if a version was
    /// already chosen.
    #[cfg(feature = "http2")]
    pub fn http2_only(self) -> Self {
        Self {
            host: self.host.http2_only(),
            sim: self.sim.http2_only(),
            dates: self.dates,
        }
    }

    /// Serve HTTP/1 only. Panics if a version was already chosen.
    #[cfg(feature = "http1")]
    pub fn http1_only(self) -> Self {
        Self {
            host: self.host.http1_only(),
            sim: self.sim.http1_only(),
            dates: self.dates,
        }
    }

    /// Whether an HTTP/1.1 connection can be served.
    pub fn is_http1_available(&self) -> bool {
        self.host.is_http1_available()
    }

    /// Whether an HTTP/2 connection can be served.
    pub fn is_http2_available(&self) -> bool {
        self.host.is_http2_available()
    }

    /// Whether HTTP/1 header names are written in title case. Default:
    /// false.
    #[cfg(feature = "http1")]
    pub fn title_case_headers(self, enabled: bool) -> Self {
        Self {
            host: self.host.title_case_headers(enabled),
            sim: self.sim.title_case_headers(enabled),
            dates: self.dates,
        }
    }

    /// Whether HTTP/1 keeps the case of header names. Default: false.
    #[cfg(feature = "http1")]
    pub fn preserve_header_case(self, enabled: bool) -> Self {
        Self {
            host: self.host.preserve_header_case(enabled),
            sim: self.sim.preserve_header_case(enabled),
            dates: self.dates,
        }
    }

    /// The real builder for where this call runs: hyper's own `date:` off
    /// only in a simulation (detsim's OS runtime keeps the host's date).
    fn for_this_world(&self) -> &real::Builder<E> {
        if in_simulation() {
            &self.sim
        } else {
            &self.host
        }
    }

    /// Serves `service` on `io`, HTTP/1 or HTTP/2 as the client speaks.
    pub fn serve_connection<I, S, B>(
        &self,
        io: I,
        service: S,
    ) -> real::Connection<'_, I, DateHeader<S>, E>
    where
        S: Service<Request<Incoming>, Response = Response<B>>,
        S::Future: 'static,
        S::Error: Into<Box<dyn StdError + Send + Sync>>,
        B: Body + 'static,
        B::Error: Into<Box<dyn StdError + Send + Sync>>,
        I: Read + Write + Unpin + 'static,
        E: real::HttpServerConnExec<DateFuture<S::Future>, B>,
    {
        self.for_this_world()
            .serve_connection(io, DateHeader::new(service, self.dates))
    }

    /// As [`serve_connection`](Builder::serve_connection), with HTTP
    /// upgrades (the IO must be `Send`).
    pub fn serve_connection_with_upgrades<I, S, B>(
        &self,
        io: I,
        service: S,
    ) -> real::UpgradeableConnection<'_, I, DateHeader<S>, E>
    where
        S: Service<Request<Incoming>, Response = Response<B>>,
        S::Future: 'static,
        S::Error: Into<Box<dyn StdError + Send + Sync>>,
        B: Body + 'static,
        B::Error: Into<Box<dyn StdError + Send + Sync>>,
        I: Read + Write + Unpin + Send + 'static,
        E: real::HttpServerConnExec<DateFuture<S::Future>, B>,
    {
        self.for_this_world()
            .serve_connection_with_upgrades(io, DateHeader::new(service, self.dates))
    }
}
