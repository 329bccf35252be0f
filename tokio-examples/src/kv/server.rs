//! The server: one task per connection, all sharing the store behind a
//! `tokio::sync::Mutex`.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;

use super::Store;

/// How long a connection may stay silent before the server closes it.
const IDLE: Duration = Duration::from_secs(30);

/// A bound key-value server.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    store: Arc<Mutex<Store>>,
}

impl Server {
    /// Binds the listener to `addr`.
    pub async fn bind(addr: &str) -> io::Result<Server> {
        Ok(Server {
            listener: TcpListener::bind(addr).await?,
            store: Arc::new(Mutex::new(Store::new())),
        })
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// The store, for inspection after (or during) a run.
    pub fn store(&self) -> Arc<Mutex<Store>> {
        Arc::clone(&self.store)
    }

    /// Accepts connections until `shutdown` completes, serving each on its
    /// own task. Connections already open keep being served.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                accepted = self.listener.accept() => match accepted {
                    Ok((socket, _peer)) => {
                        tokio::spawn(serve_connection(socket, Arc::clone(&self.store)));
                    }
                    // A connection that failed before it was accepted
                    // (reset in the backlog, say) is the peer's problem.
                    Err(_) => continue,
                },
            }
        }
    }
}

/// Answers one connection's requests in order until it closes, errs or
/// stays idle too long.
async fn serve_connection(socket: TcpStream, store: Arc<Mutex<Store>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    while let Ok(Ok(Some(line))) = tokio::time::timeout(IDLE, lines.next_line()).await {
        let mut reply = store.lock().await.apply(&line);
        reply.push('\n');
        if write.write_all(reply.as_bytes()).await.is_err() {
            return;
        }
    }
}
