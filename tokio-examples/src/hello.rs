//! A hyper 1.x server and a client on hyper-util's pooled legacy
//! `Client`, as one writes them for tokio.
//!
//! The server answers `GET /hello` and echoes `POST /echo` (with the body
//! length in `x-length`); each connection is served by hyper-util's auto
//! builder, so a client may speak HTTP/1.1 or HTTP/2 (prior knowledge).
//! The client retries a request that fails before it gets a response,
//! with a timeout per try.

use std::convert::Infallible;
use std::io;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

/// Any error of a request.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The client type of this module.
pub type HelloClient = Client<HttpConnector, Full<Bytes>>;

/// Serves connections from `listener` until it fails, one task each.
pub async fn serve(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, _peer) = listener.accept().await?;
        tokio::spawn(async move {
            let mut builder = auto::Builder::new(TokioExecutor::new());
            builder.http1().timer(TokioTimer::new());
            builder.http2().timer(TokioTimer::new());
            // A connection the client breaks is over; nothing to report.
            let _ = builder
                .serve_connection(TokioIo::new(stream), service_fn(answer))
                .await;
        });
    }
}

/// One request's answer.
async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let response = match (req.method(), req.uri().path()) {
        (&Method::GET, "/hello") => Response::new(Full::new(Bytes::from_static(b"hello, world"))),
        (&Method::POST, "/echo") => match req.into_body().collect().await {
            Ok(body) => {
                let body = body.to_bytes();
                Response::builder()
                    .header("x-length", body.len())
                    .body(Full::new(body))
                    .expect("a valid response")
            }
            Err(_) => status(StatusCode::BAD_REQUEST),
        },
        _ => status(StatusCode::NOT_FOUND),
    };
    Ok(response)
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::default());
    *response.status_mut() = code;
    response
}

/// A pooled client; `http2` makes it speak HTTP/2 only.
pub fn client(http2: bool) -> HelloClient {
    Client::builder(TokioExecutor::new())
        .http2_only(http2)
        .timer(TokioTimer::new())
        .build_http()
}

/// A response: its status, headers and whole body.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP version it came in.
    pub version: Version,
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

/// Sends one request and reads the whole response, within `limit`.
pub async fn send(
    client: &HelloClient,
    method: Method,
    uri: &str,
    body: Bytes,
    limit: Duration,
) -> Result<Answer, BoxError> {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(Full::new(body))?;
    let exchange = async {
        let response = client.request(request).await?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await?.to_bytes();
        Ok::<_, BoxError>(Answer {
            version: parts.version,
            status: parts.status,
            headers: parts.headers,
            body,
        })
    };
    tokio::time::timeout(limit, exchange).await?
}

/// Sends a request until it is answered: up to `tries` times, each
/// within `limit`, waiting a little longer after each failure (at most a
/// second).
pub async fn send_with_retries(
    client: &HelloClient,
    method: Method,
    uri: &str,
    body: Bytes,
    limit: Duration,
    tries: u32,
) -> Result<Answer, BoxError> {
    let mut backoff = Duration::from_millis(50);
    let mut last = None;
    for _ in 0..tries {
        match send(client, method.clone(), uri, body.clone(), limit).await {
            Ok(answer) => return Ok(answer),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(1));
    }
    Err(last.unwrap_or_else(|| "no try was made".into()))
}
