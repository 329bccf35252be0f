//! The connector's path inside a detsim run: check the URI as hyper-util
//! does, resolve with the connector's resolver (unless the host is an IP
//! address), then connect to each address in turn with the stand-in's
//! `TcpStream` (sim-net).

use std::error::Error as StdError;
use std::future::poll_fn;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use detsim_tokio::net::TcpStream;
use http::Uri;
use http::uri::Scheme;
use hyper_util::rt::TokioIo;
use tower_service::Service;

use super::dns::Name;
use super::error::ConnectError;

/// The settings the simulated path honours.
#[derive(Clone, Copy, Debug)]
pub(super) struct SimConfig {
    pub(super) enforce_http: bool,
    pub(super) nodelay: bool,
    pub(super) connect_timeout: Option<Duration>,
}

impl Default for SimConfig {
    fn default() -> Self {
        // hyper-util's defaults.
        Self {
            enforce_http: true,
            nodelay: false,
            connect_timeout: None,
        }
    }
}

/// Connects to `dst` inside a run.
pub(super) async fn connect<R>(
    mut resolver: R,
    config: SimConfig,
    dst: Uri,
) -> Result<TokioIo<TcpStream>, ConnectError>
where
    R: Service<Name>,
    R::Response: Iterator<Item = SocketAddr>,
    R::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let (host, port) = host_port(&config, &dst)?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => {
            let name = Name::from_str(host).map_err(|e| ConnectError::new("dns error", e))?;
            poll_fn(|cx| resolver.poll_ready(cx))
                .await
                .map_err(|e| ConnectError::new("dns error", e))?;
            let found = resolver
                .call(name)
                .await
                .map_err(|e| ConnectError::new("dns error", e))?;
            found.map(|a| SocketAddr::new(a.ip(), port)).collect()
        }
    };
    if addrs.is_empty() {
        return Err(ConnectError::new(
            "dns error",
            io::Error::new(io::ErrorKind::NotFound, "no address found"),
        ));
    }
    // As hyper-util: the connect timeout is shared among the addresses.
    let per_address = config
        .connect_timeout
        .and_then(|t| t.checked_div(addrs.len() as u32));
    let mut last = None;
    for addr in addrs {
        match connect_one(addr, per_address).await {
            Ok(stream) => {
                if config.nodelay {
                    stream
                        .set_nodelay(true)
                        .map_err(|e| ConnectError::new("tcp set_nodelay error", e))?;
                }
                return Ok(TokioIo::new(stream));
            }
            Err(e) => last = Some(e),
        }
    }
    Err(ConnectError::new(
        "tcp connect error",
        last.expect("at least one address was tried"),
    ))
}

async fn connect_one(addr: SocketAddr, timeout: Option<Duration>) -> io::Result<TcpStream> {
    let connecting = TcpStream::connect(addr);
    match timeout {
        None => connecting.await,
        Some(limit) => match detsim_tokio::time::timeout(limit, connecting).await {
            Ok(done) => done,
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("connect to {addr} timed out after {limit:?}"),
            )),
        },
    }
}

/// The host and port of `dst`, or hyper-util's error for a URI it refuses.
fn host_port<'u>(config: &SimConfig, dst: &'u Uri) -> Result<(&'u str, u16), ConnectError> {
    if config.enforce_http {
        if dst.scheme() != Some(&Scheme::HTTP) {
            return Err(ConnectError::bare("invalid URL, scheme is not http"));
        }
    } else if dst.scheme().is_none() {
        return Err(ConnectError::bare("invalid URL, scheme is missing"));
    }
    let host = dst
        .host()
        .ok_or_else(|| ConnectError::bare("invalid URL, host is missing"))?;
    let port = match dst.port_u16() {
        Some(port) => port,
        None if dst.scheme() == Some(&Scheme::HTTPS) => 443,
        None => 80,
    };
    Ok((host, port))
}
