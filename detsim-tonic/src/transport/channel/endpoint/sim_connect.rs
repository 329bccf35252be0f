//! How an [`Endpoint`] connects inside a run: tonic's channel machinery
//! over the stand-ins' executor and `HttpConnector` (sim-net), with the
//! connect timeout on virtual time.

use detsim_hyper_util::client::legacy::connect::HttpConnector;
use detsim_hyper_util::rt::TokioExecutor;
use http::Uri;
use hyper::rt::{Read, Write};
use tonic::codegen::StdError;
use tonic::transport::Error;
use tonic::transport::channel as real;
use tower_service::Service;

use super::Endpoint;
use crate::transport::channel::timed::Timed;

impl Endpoint {
    /// `connect_with_connector` inside a run: the connect timeout on the
    /// stand-in's clock.
    pub(super) async fn sim_connect_with_connector<C>(
        &self,
        connector: C,
    ) -> Result<real::Channel, Error>
    where
        C: Service<Uri> + Send + 'static,
        C::Response: Read + Write + Send + Unpin,
        C::Future: Send,
        C::Error: Into<StdError>,
    {
        let timed = Timed::new(connector, self.connect_timeout);
        self.in_sim().connect_with_connector(timed).await
    }

    /// `connect_with_connector_lazy` inside a run.
    pub(super) fn sim_connect_with_connector_lazy<C>(&self, connector: C) -> real::Channel
    where
        C: Service<Uri> + Send + 'static,
        C::Response: Read + Write + Send + Unpin,
        C::Future: Send,
        C::Error: Into<StdError>,
    {
        let timed = Timed::new(connector, self.connect_timeout);
        self.in_sim().connect_with_connector_lazy(timed)
    }

    /// tonic's endpoint for a run: the stand-in's executor unless one was
    /// given; no connect timeout (the connector applies it) and no request
    /// timeout (the shadowed channel applies it).
    pub(in crate::transport::channel) fn in_sim(&self) -> real::Endpoint {
        if self.executor_set {
            self.inner.clone()
        } else {
            self.inner.clone().executor(TokioExecutor::new())
        }
    }

    /// The connector tonic's `connect` would build, on the stand-in.
    pub(super) fn sim_connector(&self) -> HttpConnector {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(self.inner.get_tcp_nodelay());
        http.set_connect_timeout(self.connect_timeout);
        http
    }
}
