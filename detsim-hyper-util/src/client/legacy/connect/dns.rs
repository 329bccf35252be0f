//! Name resolution for [`HttpConnector`](super::HttpConnector): the real
//! `dns` module, with [`GaiResolver`] resolving through sim-net inside a
//! detsim run.
//!
//! The real `GaiResolver` calls `getaddrinfo` on real tokio's blocking
//! pool, which does not exist inside a simulation. The shadow asks the
//! stand-in's `tokio::net::lookup_host` there (sim-net's host names), and
//! the real resolver anywhere else.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::vec;

use hyper_util::client::legacy::connect::dns as real;
use pin_project_lite::pin_project;
use tower_service::Service;

pub use hyper_util::client::legacy::connect::dns::*;

use crate::world::in_detsim;

/// A resolver: `getaddrinfo` on tokio's blocking pool outside detsim,
/// sim-net's names inside a run.
#[derive(Clone, Default)]
pub struct GaiResolver {
    _priv: (),
}

impl GaiResolver {
    /// A new resolver.
    pub fn new() -> Self {
        Self { _priv: () }
    }
}

impl fmt::Debug for GaiResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("GaiResolver")
    }
}

impl Service<Name> for GaiResolver {
    type Response = GaiAddrs;
    type Error = io::Error;
    type Future = GaiFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), io::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> GaiFuture {
        if in_detsim() {
            let host = name.as_str().to_owned();
            let lookup = async move {
                let addrs = detsim_tokio::net::lookup_host((host.as_str(), 0)).await?;
                Ok(addrs.collect::<Vec<_>>())
            };
            GaiFuture {
                inner: Resolving::Sim {
                    fut: Box::pin(lookup),
                },
            }
        } else {
            GaiFuture {
                inner: Resolving::Host {
                    fut: real::GaiResolver::new().call(name),
                },
            }
        }
    }
}

type SimLookup = Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send>>;

pin_project! {
    #[project = ResolvingProj]
    enum Resolving {
        Host { #[pin] fut: real::GaiFuture },
        Sim { fut: SimLookup },
    }
}

pin_project! {
    /// The future of a [`GaiResolver`] lookup.
    pub struct GaiFuture {
        #[pin]
        inner: Resolving,
    }
}

impl Future for GaiFuture {
    type Output = Result<GaiAddrs, io::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().inner.project() {
            ResolvingProj::Host { fut } => fut.poll(cx).map_ok(|addrs| GaiAddrs {
                inner: Addrs::Host(addrs),
            }),
            ResolvingProj::Sim { fut } => fut.as_mut().poll(cx).map_ok(|addrs| GaiAddrs {
                inner: Addrs::Sim(addrs.into_iter()),
            }),
        }
    }
}

impl fmt::Debug for GaiFuture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("GaiFuture")
    }
}

enum Addrs {
    Host(real::GaiAddrs),
    Sim(vec::IntoIter<SocketAddr>),
}

/// The addresses a [`GaiResolver`] found.
pub struct GaiAddrs {
    inner: Addrs,
}

impl Iterator for GaiAddrs {
    type Item = SocketAddr;

    fn next(&mut self) -> Option<SocketAddr> {
        match &mut self.inner {
            Addrs::Host(addrs) => addrs.next(),
            Addrs::Sim(addrs) => addrs.next(),
        }
    }
}

impl fmt::Debug for GaiAddrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("GaiAddrs")
    }
}
