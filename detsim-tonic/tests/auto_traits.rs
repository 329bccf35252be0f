//! The shadows are `Send`, `Sync` and `Unpin` where tonic's are, so code
//! that moves them across tasks compiles with either.

/// Compiles only for a `Send + Sync + Unpin` type.
fn send_sync_unpin<T: Send + Sync + Unpin>() {}

#[test]
fn the_shadows_are_send_sync_and_unpin_as_tonics_are() {
    send_sync_unpin::<tonic::transport::Endpoint>();
    send_sync_unpin::<detsim_tonic::transport::Endpoint>();
    send_sync_unpin::<tonic::transport::Channel>();
    send_sync_unpin::<detsim_tonic::transport::Channel>();
    send_sync_unpin::<tonic::transport::Server>();
    send_sync_unpin::<detsim_tonic::transport::Server>();
    send_sync_unpin::<tonic::transport::server::Router>();
    send_sync_unpin::<detsim_tonic::transport::server::Router>();
}

/// Compiles only for a `Send + Unpin` type.
fn send_unpin<T: Send + Unpin>() {}

#[test]
fn a_channel_call_is_send_and_unpin_as_tonics_is() {
    send_unpin::<tonic::transport::channel::ResponseFuture>();
    send_unpin::<detsim_tonic::transport::channel::ResponseFuture>();
}
