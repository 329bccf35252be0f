//! [`HttpConnector`]: the real connector outside detsim, sim-net's
//! sockets inside a run, both handing out the stand-in's `TcpStream`.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use detsim_tokio::net::TcpStream;
use http::Uri;
use hyper_util::client::legacy::connect as real;
use hyper_util::rt::TokioIo;
use pin_project_lite::pin_project;
use tower_service::Service;

use super::dns::{GaiResolver, Name};
use super::error::ConnectError;
use super::sim_connect::{self, SimConfig};
use crate::world::in_detsim;

/// A connector for the `http` scheme, yielding the stand-in's
/// [`TcpStream`] in hyper's [`TokioIo`].
///
/// Every setting goes to a real hyper-util `HttpConnector`, which makes
/// the connections outside detsim (resolving with `R`, happy eyeballs,
/// socket options, `HttpInfo` on responses). Inside a run the connector
/// resolves with the same `R` (the shadowed [`GaiResolver`] asks sim-net),
/// then connects with the stand-in's `TcpStream::connect` to each address
/// in turn, honouring `enforce_http`, `set_nodelay` and
/// `set_connect_timeout`; the other socket options are not modelled by
/// sim-net and are ignored there.
#[derive(Clone)]
pub struct HttpConnector<R = GaiResolver> {
    real: real::HttpConnector<R>,
    resolver: R,
    sim: SimConfig,
}

impl HttpConnector {
    /// A connector resolving with [`GaiResolver`].
    pub fn new() -> Self {
        Self::new_with_resolver(GaiResolver::new())
    }
}

impl Default for HttpConnector {
    fn default() -> Self {
        Self::new()
    }
}

impl<R: Clone> HttpConnector<R> {
    /// A connector resolving host names with `resolver` (a
    /// `Service<Name>` yielding socket addresses).
    pub fn new_with_resolver(resolver: R) -> Self {
        Self {
            real: real::HttpConnector::new_with_resolver(resolver.clone()),
            resolver,
            sim: SimConfig::default(),
        }
    }
}

impl<R> HttpConnector<R> {
    /// Whether every URI must have the `http` scheme. Default: true.
    pub fn enforce_http(&mut self, is_enforced: bool) {
        self.sim.enforce_http = is_enforced;
        self.real.enforce_http(is_enforced);
    }

    /// `SO_KEEPALIVE`'s idle time (`None`: off). Not modelled inside a run.
    pub fn set_keepalive(&mut self, time: Option<Duration>) {
        self.real.set_keepalive(time);
    }

    /// `TCP_KEEPINTVL`. Not modelled inside a run.
    pub fn set_keepalive_interval(&mut self, interval: Option<Duration>) {
        self.real.set_keepalive_interval(interval);
    }

    /// `TCP_KEEPCNT`. Not modelled inside a run.
    pub fn set_keepalive_retries(&mut self, retries: Option<u32>) {
        self.real.set_keepalive_retries(retries);
    }

    /// `TCP_NODELAY` on new connections. Default: false.
    pub fn set_nodelay(&mut self, nodelay: bool) {
        self.sim.nodelay = nodelay;
        self.real.set_nodelay(nodelay);
    }

    /// `SO_SNDBUF`. Not modelled inside a run.
    pub fn set_send_buffer_size(&mut self, size: Option<usize>) {
        self.real.set_send_buffer_size(size);
    }

    /// `SO_RCVBUF`. Not modelled inside a run.
    pub fn set_recv_buffer_size(&mut self, size: Option<usize>) {
        self.real.set_recv_buffer_size(size);
    }

    /// The local address to bind before connecting. Not modelled inside a
    /// run (a sim-net host has one address).
    pub fn set_local_address(&mut self, addr: Option<IpAddr>) {
        self.real.set_local_address(addr);
    }

    /// The local IPv4 and IPv6 addresses to bind before connecting. Not
    /// modelled inside a run.
    pub fn set_local_addresses(&mut self, addr_ipv4: Ipv4Addr, addr_ipv6: Ipv6Addr) {
        self.real.set_local_addresses(addr_ipv4, addr_ipv6);
    }

    /// The time allowed to connect, split among the resolved addresses.
    /// Default: none.
    pub fn set_connect_timeout(&mut self, dur: Option<Duration>) {
        self.sim.connect_timeout = dur;
        self.real.set_connect_timeout(dur);
    }

    /// Happy eyeballs' fallback delay. Inside a run the addresses are
    /// tried one after the other.
    pub fn set_happy_eyeballs_timeout(&mut self, dur: Option<Duration>) {
        self.real.set_happy_eyeballs_timeout(dur);
    }

    /// `SO_REUSEADDR` before connecting. Not modelled inside a run.
    pub fn set_reuse_address(&mut self, reuse_address: bool) -> &mut Self {
        self.real.set_reuse_address(reuse_address);
        self
    }

    /// `SO_BINDTODEVICE`. Not modelled inside a run.
    #[cfg(target_os = "linux")]
    pub fn set_interface<S: Into<String>>(&mut self, interface: S) -> &mut Self {
        self.real.set_interface(interface);
        self
    }

    /// `SO_MARK`. Not modelled inside a run.
    #[cfg(target_os = "linux")]
    pub fn set_mark(&mut self, mark: Option<u32>) {
        self.real.set_mark(mark);
    }

    /// `TCP_USER_TIMEOUT`. Not modelled inside a run.
    #[cfg(target_os = "linux")]
    pub fn set_tcp_user_timeout(&mut self, time: Option<Duration>) {
        self.real.set_tcp_user_timeout(time);
    }
}

impl<R: fmt::Debug> fmt::Debug for HttpConnector<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpConnector").finish()
    }
}

type RealFuture<R> = <real::HttpConnector<R> as Service<Uri>>::Future;
type SimFuture = Pin<Box<dyn Future<Output = Result<TokioIo<TcpStream>, ConnectError>> + Send>>;

impl<R> Service<Uri> for HttpConnector<R>
where
    R: Service<Name> + Clone + Send + Sync + 'static,
    R::Response: Iterator<Item = SocketAddr>,
    R::Error: Into<Box<dyn StdError + Send + Sync>>,
    R::Future: Send,
{
    type Response = TokioIo<TcpStream>;
    type Error = ConnectError;
    type Future = HttpConnecting<R>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ConnectError>> {
        if in_detsim() {
            self.resolver
                .poll_ready(cx)
                .map_err(|e| ConnectError::new("dns error", e))
        } else {
            self.real.poll_ready(cx).map_err(ConnectError::host)
        }
    }

    fn call(&mut self, dst: Uri) -> HttpConnecting<R> {
        let inner = if in_detsim() {
            let fut = sim_connect::connect(self.resolver.clone(), self.sim, dst);
            Connecting::Sim { fut: Box::pin(fut) }
        } else {
            Connecting::Host {
                fut: self.real.call(dst),
            }
        };
        HttpConnecting { inner }
    }
}

pin_project! {
    #[project = ConnectingProj]
    enum Connecting<R>
    where
        R: Service<Name>,
        R: Clone,
        R: Send,
        R: Sync,
        R: 'static,
        R::Response: Iterator<Item = SocketAddr>,
        R::Error: Into<Box<dyn StdError + Send + Sync>>,
        R::Future: Send,
    {
        Host { #[pin] fut: RealFuture<R> },
        Sim { fut: SimFuture },
    }
}

pin_project! {
    /// The future of an [`HttpConnector`] connection.
    pub struct HttpConnecting<R>
    where
        R: Service<Name>,
        R: Clone,
        R: Send,
        R: Sync,
        R: 'static,
        R::Response: Iterator<Item = SocketAddr>,
        R::Error: Into<Box<dyn StdError + Send + Sync>>,
        R::Future: Send,
    {
        #[pin]
        inner: Connecting<R>,
    }
}

impl<R> Future for HttpConnecting<R>
where
    R: Service<Name> + Clone + Send + Sync + 'static,
    R::Response: Iterator<Item = SocketAddr>,
    R::Error: Into<Box<dyn StdError + Send + Sync>>,
    R::Future: Send,
{
    type Output = Result<TokioIo<TcpStream>, ConnectError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().inner.project() {
            ConnectingProj::Host { fut } => fut.poll(cx).map(|done| match done {
                Ok(io) => Ok(TokioIo::new(TcpStream::from(io.into_inner()))),
                Err(e) => Err(ConnectError::host(e)),
            }),
            ConnectingProj::Sim { fut } => fut.as_mut().poll(cx),
        }
    }
}

impl<R> fmt::Debug for HttpConnecting<R>
where
    R: Service<Name> + Clone + Send + Sync + 'static,
    R::Response: Iterator<Item = SocketAddr>,
    R::Error: Into<Box<dyn StdError + Send + Sync>>,
    R::Future: Send,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("HttpConnecting")
    }
}
