//! [`Channel`]: tonic's channel, made by the shadowed
//! [`Endpoint`](super::Endpoint).

use std::fmt;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::Uri;
use hyper::rt::{Read, Write};
use tonic::body::Body;
use tonic::transport::Error;
use tonic::transport::channel as real;
use tower_service::Service;

use super::Endpoint;
use super::response::ResponseFuture;
use crate::transport::grpc_timeout;

/// A cheap-to-clone connection to a gRPC server: the real tonic
/// `Channel`, built by [`Endpoint`] for the world it connects in.
#[derive(Clone)]
pub struct Channel {
    inner: real::Channel,
    /// The endpoint's deadline for every request, when the channel times
    /// it itself (made inside a run; on the host tonic's channel does).
    timeout: Option<Duration>,
}

impl Channel {
    pub(super) fn from_real(inner: real::Channel, timeout: Option<Duration>) -> Self {
        Self { inner, timeout }
    }

    /// An [`Endpoint`] for `uri`.
    pub fn builder(uri: Uri) -> Endpoint {
        Endpoint::from(uri)
    }

    /// An [`Endpoint`] for a static URI. Panics if it is not one.
    pub fn from_static(s: &'static str) -> Endpoint {
        Endpoint::from_static(s)
    }

    /// An [`Endpoint`] for a URI in bytes.
    pub fn from_shared(s: impl Into<Bytes>) -> Result<Endpoint, http::uri::InvalidUri> {
        let uri = Uri::from_maybe_shared(s.into())?;
        Ok(Endpoint::from(uri))
    }

    /// A channel over `connector` that connects on its first request.
    pub fn new<C>(connector: C, endpoint: Endpoint) -> Self
    where
        C: Service<Uri> + Send + 'static,
        C::Error: Into<tonic::codegen::StdError> + Send,
        C::Future: Send,
        C::Response: Read + Write + Unpin + Send + 'static,
    {
        let channel = if detsim::Runtime::in_context() {
            endpoint.refuse_timers_in_sim();
            real::Channel::new(connector, endpoint.in_sim())
        } else {
            real::Channel::new(connector, endpoint.on_host())
        };
        endpoint.channel(channel)
    }

    /// A channel over `connector`, connected now.
    pub async fn connect<C>(connector: C, endpoint: Endpoint) -> Result<Self, Error>
    where
        C: Service<Uri> + Send + 'static,
        C::Error: Into<tonic::codegen::StdError> + Send,
        C::Future: Unpin + Send,
        C::Response: Read + Write + Unpin + Send + 'static,
    {
        let channel = if detsim::Runtime::in_context() {
            endpoint.refuse_timers_in_sim();
            real::Channel::connect(connector, endpoint.in_sim()).await?
        } else {
            real::Channel::connect(connector, endpoint.on_host()).await?
        };
        Ok(endpoint.channel(channel))
    }

    /// Balances requests over `list`. Outside detsim only: tonic connects
    /// balanced endpoints with its own connector and the real tokio.
    #[track_caller]
    pub fn balance_list(list: impl Iterator<Item = Endpoint>) -> Self {
        refuse_balance();
        Self::from_real(real::Channel::balance_list(list.map(|e| e.on_host())), None)
    }
}

#[track_caller]
fn refuse_balance() {
    assert!(
        !detsim::Runtime::in_context(),
        "detsim-tonic: Channel::balance_list inside a detsim run: tonic connects balanced \
         endpoints with its own connector on the real tokio. Connect one Endpoint per server."
    );
}

impl Service<http::Request<Body>> for Channel {
    type Response = http::Response<Body>;
    type Error = Error;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Service::poll_ready(&mut self.inner, cx)
    }

    /// Sends `request`. Inside a run the request's deadline (its
    /// `grpc-timeout`, from `Request::set_timeout`) and the endpoint's are
    /// timed here on virtual time, the shorter winning, as tonic's channel
    /// does on the host.
    fn call(&mut self, mut request: http::Request<Body>) -> ResponseFuture {
        let deadline = if detsim::Runtime::in_context() {
            match (
                grpc_timeout::hide_from_tonic(request.headers_mut()),
                self.timeout,
            ) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        } else {
            None
        };
        ResponseFuture::new(Service::call(&mut self.inner, request), deadline)
    }
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel").finish()
    }
}
