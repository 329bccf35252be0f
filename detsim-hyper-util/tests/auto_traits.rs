//! The shadows are `Send`, `Sync` and `Unpin` where hyper-util's are, so
//! code that moves them across tasks compiles with either.

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::connect::HttpConnector as RealConnector;

/// Compiles only for a `Send + Sync + Unpin` type.
fn send_sync_unpin<T: Send + Sync + Unpin>() {}

#[test]
fn the_shadows_are_send_sync_and_unpin_as_hyper_utils_are() {
    send_sync_unpin::<hyper_util::rt::TokioExecutor>();
    send_sync_unpin::<detsim_hyper_util::rt::TokioExecutor>();
    send_sync_unpin::<hyper_util::rt::TokioTimer>();
    send_sync_unpin::<detsim_hyper_util::rt::TokioTimer>();
    send_sync_unpin::<RealConnector>();
    send_sync_unpin::<detsim_hyper_util::client::legacy::connect::HttpConnector>();
    send_sync_unpin::<hyper_util::client::legacy::Builder>();
    send_sync_unpin::<detsim_hyper_util::client::legacy::Builder>();
    send_sync_unpin::<hyper_util::client::legacy::Client<RealConnector, Full<Bytes>>>();
    send_sync_unpin::<
        detsim_hyper_util::client::legacy::Client<
            detsim_hyper_util::client::legacy::connect::HttpConnector,
            Full<Bytes>,
        >,
    >();
    send_sync_unpin::<hyper_util::server::conn::auto::Builder<hyper_util::rt::TokioExecutor>>();
    send_sync_unpin::<
        detsim_hyper_util::server::conn::auto::Builder<detsim_hyper_util::rt::TokioExecutor>,
    >();
    send_sync_unpin::<detsim_hyper_util::client::legacy::connect::dns::GaiResolver>();
}
