//! The client: one connection, reopened after any error, and requests
//! retried with a timeout and a growing pause.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// How a [`Client`] retries.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// How long one attempt may take, connecting included.
    pub request_timeout: Duration,
    /// The pause after the first failed attempt; it grows linearly.
    pub backoff: Duration,
    /// Whether a retried `INCR` keeps its request id (correct: the server
    /// then answers a repeat from memory). `false` plants the bug of a
    /// retry that applies the increment again.
    pub reuse_request_id_on_retry: bool,
}

impl Default for ClientConfig {
    fn default() -> ClientConfig {
        ClientConfig {
            attempts: 5,
            request_timeout: Duration::from_secs(1),
            backoff: Duration::from_millis(50),
            reuse_request_id_on_retry: true,
        }
    }
}

struct Connection {
    lines: Lines<BufReader<OwnedReadHalf>>,
    write: OwnedWriteHalf,
}

/// A key-value client.
pub struct Client {
    addr: String,
    id: u64,
    next_request: u64,
    config: ClientConfig,
    connection: Option<Connection>,
}

impl Client {
    /// A client of the server at `addr`; `id` must be unique among the
    /// server's clients (it prefixes request ids).
    pub fn new(addr: impl Into<String>, id: u64, config: ClientConfig) -> Client {
        Client {
            addr: addr.into(),
            id,
            next_request: 0,
            config,
            connection: None,
        }
    }

    /// Sets `key` to `value`.
    pub async fn set(&mut self, key: &str, value: &str) -> io::Result<()> {
        self.call(|_| format!("SET {key} {value}")).await.map(drop)
    }

    /// Reads `key`.
    pub async fn get(&mut self, key: &str) -> io::Result<Option<String>> {
        let reply = self.call(|_| format!("GET {key}")).await?;
        Ok(reply.strip_prefix("VALUE ").map(str::to_string))
    }

    /// Adds one to `key` and returns the new value.
    pub async fn incr(&mut self, key: &str) -> io::Result<i64> {
        let (client, first) = (self.id, self.take_request_id());
        let reuse = self.config.reuse_request_id_on_retry;
        // With the planted bug, each retry looks like a new request.
        let request = |attempt: u32| {
            if reuse {
                first
            } else {
                first | u64::from(attempt) << 32
            }
        };
        let reply = self
            .call(|attempt| format!("INCR {key} {client}:{}", request(attempt)))
            .await?;
        reply
            .strip_prefix("VALUE ")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| io::Error::other(format!("unexpected reply {reply:?}")))
    }

    fn take_request_id(&mut self) -> u64 {
        self.next_request += 1;
        self.next_request
    }

    /// Sends the line `request(attempt)` until one attempt gets a reply.
    async fn call(&mut self, mut request: impl FnMut(u32) -> String) -> io::Result<String> {
        let mut last = io::Error::other("no attempt made");
        for attempt in 0..self.config.attempts {
            if attempt > 0 {
                tokio::time::sleep(self.config.backoff * attempt).await;
            }
            let line = request(attempt);
            match tokio::time::timeout(self.config.request_timeout, self.once(&line)).await {
                Ok(Ok(reply)) if !reply.starts_with("ERR") => return Ok(reply),
                Ok(Ok(reply)) => return Err(io::Error::other(reply)),
                Ok(Err(e)) => last = e,
                Err(elapsed) => last = io::Error::new(io::ErrorKind::TimedOut, elapsed),
            }
            // The connection's state is unknown after a failure.
            self.connection = None;
        }
        Err(last)
    }

    /// One attempt: (re)connect if needed, send the line, read the reply.
    async fn once(&mut self, line: &str) -> io::Result<String> {
        if self.connection.is_none() {
            let (read, write) = TcpStream::connect(self.addr.as_str()).await?.into_split();
            self.connection = Some(Connection {
                lines: BufReader::new(read).lines(),
                write,
            });
        }
        let conn = self.connection.as_mut().expect("connected above");
        conn.write.write_all(format!("{line}\n").as_bytes()).await?;
        match conn.lines.next_line().await? {
            Some(reply) => Ok(reply),
            None => Err(io::ErrorKind::UnexpectedEof.into()),
        }
    }
}
