//! A bound listener as a stream of connections, for the simulated
//! `serve(addr)`.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use detsim_tokio::net::{TcpListener, TcpStream};
use tokio_stream::Stream;

type Accepting = Pin<Box<dyn Future<Output = io::Result<TcpStream>> + Send>>;

/// The connections `listener` accepts, with `TCP_NODELAY` as the server
/// asks (tonic's `TcpIncoming`, on the stand-in).
pub(super) struct ListenerStream {
    listener: Arc<TcpListener>,
    nodelay: bool,
    accepting: Option<Accepting>,
}

impl ListenerStream {
    pub(super) fn new(listener: TcpListener, nodelay: bool) -> Self {
        Self {
            listener: Arc::new(listener),
            nodelay,
            accepting: None,
        }
    }
}

impl Stream for ListenerStream {
    type Item = io::Result<TcpStream>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let accepting = this.accepting.get_or_insert_with(|| {
            let listener = Arc::clone(&this.listener);
            Box::pin(async move { listener.accept().await.map(|(stream, _peer)| stream) })
        });
        let accepted = ready!(accepting.as_mut().poll(cx));
        this.accepting = None;
        let stream = accepted.and_then(|stream| {
            stream.set_nodelay(this.nodelay)?;
            Ok(stream)
        });
        Poll::Ready(Some(stream))
    }
}
