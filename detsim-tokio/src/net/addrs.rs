//! [`ToSocketAddrs`] and [`lookup_host`]: addresses as tokio takes them,
//! resolved by the system resolver outside a simulation and by the
//! simulated network's hosts inside one.
//!
//! tokio's own `ToSocketAddrs` is sealed, so the stand-in has its own,
//! implemented for the same types (`SocketAddr` and its V4/V6 forms,
//! `(IpAddr, u16)` and friends, `&str`, `String`, `(&str, u16)`,
//! `(String, u16)`, `&[SocketAddr]`, and references to any of them).

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use detsim::net::ToSocketAddr as _;

use crate::world::in_detsim;

/// What an address argument is, borrowed: the one form both worlds read.
#[derive(Clone, Copy, Debug)]
#[doc(hidden)]
pub enum Addrs<'a> {
    /// An address, resolved already.
    One(SocketAddr),
    /// `"host:port"` text.
    Text(&'a str),
    /// A host name or IP text, and a port.
    HostPort(&'a str, u16),
    /// Addresses to try in order.
    Slice(&'a [SocketAddr]),
}

mod sealed {
    /// The sealed half of [`ToSocketAddrs`](super::ToSocketAddrs).
    pub trait Sealed {
        /// The address argument as [`Addrs`](super::Addrs).
        #[doc(hidden)]
        fn as_addrs(&self) -> super::Addrs<'_>;
    }
}

/// Types that name socket addresses, as tokio's `net::ToSocketAddrs`
/// (sealed, like tokio's): what `bind`, `connect`, `send_to` and
/// [`lookup_host`] accept.
///
/// Outside a detsim runtime, text resolves with the system resolver (as
/// tokio does, on its blocking pool). Inside one, a host name resolves to
/// the simulated host of that name (`detsim::net::host`), and `localhost`,
/// `127.0.0.1` and `0.0.0.0` mean the calling host.
pub trait ToSocketAddrs: sealed::Sealed {}

macro_rules! impl_addrs {
    ($($ty:ty => |$s:ident| $body:expr;)*) => {$(
        impl sealed::Sealed for $ty {
            #[inline]
            fn as_addrs(&self) -> Addrs<'_> {
                let $s = self;
                $body
            }
        }
        impl ToSocketAddrs for $ty {}
    )*};
}

impl_addrs! {
    SocketAddr => |s| Addrs::One(*s);
    SocketAddrV4 => |s| Addrs::One(SocketAddr::V4(*s));
    SocketAddrV6 => |s| Addrs::One(SocketAddr::V6(*s));
    (IpAddr, u16) => |s| Addrs::One(SocketAddr::new(s.0, s.1));
    (Ipv4Addr, u16) => |s| Addrs::One(SocketAddr::new(IpAddr::V4(s.0), s.1));
    (Ipv6Addr, u16) => |s| Addrs::One(SocketAddr::new(IpAddr::V6(s.0), s.1));
    str => |s| Addrs::Text(s);
    String => |s| Addrs::Text(s);
    (&str, u16) => |s| Addrs::HostPort(s.0, s.1);
    (String, u16) => |s| Addrs::HostPort(&s.0, s.1);
    [SocketAddr] => |s| Addrs::Slice(s);
}

impl<T: ToSocketAddrs + ?Sized> sealed::Sealed for &T {
    #[inline]
    fn as_addrs(&self) -> Addrs<'_> {
        (**self).as_addrs()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}

/// The argument's [`Addrs`].
#[inline]
pub(crate) fn addrs_of<A: ToSocketAddrs + ?Sized>(addr: &A) -> Addrs<'_> {
    sealed::Sealed::as_addrs(addr)
}

/// Evaluates `$body` with `$a` bound to the argument in a form real tokio
/// accepts, for each shape of [`Addrs`]: tokio then resolves exactly as it
/// always does.
macro_rules! with_tokio_addrs {
    ($addrs:expr, |$a:ident| $body:expr) => {
        match $addrs {
            $crate::net::addrs::Addrs::One($a) => $body,
            $crate::net::addrs::Addrs::Text($a) => $body,
            $crate::net::addrs::Addrs::HostPort(h, p) => {
                let $a = (h, p);
                $body
            }
            $crate::net::addrs::Addrs::Slice($a) => $body,
        }
    };
}
pub(crate) use with_tokio_addrs;

/// The argument as the simulation's (host, port) pairs, in order.
pub(crate) fn sim_targets(addrs: Addrs<'_>) -> io::Result<Vec<(String, u16)>> {
    match addrs {
        Addrs::One(a) => Ok(vec![a.to_host_port()?]),
        Addrs::Text(s) => Ok(vec![s.to_host_port()?]),
        Addrs::HostPort(h, p) => Ok(vec![(h.to_string(), p)]),
        Addrs::Slice(s) => s.iter().map(|a| a.to_host_port()).collect(),
    }
}

/// Runs `op` on each simulated target in turn until one succeeds, as
/// tokio's `bind` and `connect` try each resolved address; the last error
/// if none does.
pub(crate) async fn sim_first_ok<T, F, Fut>(addrs: Addrs<'_>, mut op: F) -> io::Result<T>
where
    F: FnMut((String, u16)) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut last = None;
    for target in sim_targets(addrs)? {
        match op(target).await {
            Ok(value) => return Ok(value),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(no_address))
}

/// tokio's error for an argument that resolved to nothing.
pub(crate) fn no_address() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        "could not resolve to any address",
    )
}

/// Resolves `host` to its socket addresses, as tokio's `lookup_host`.
///
/// Outside a detsim runtime: tokio's `lookup_host` (the system resolver on
/// tokio's blocking pool). Inside one: each target through the simulated
/// network (`detsim::net::resolve`), so a simulated host's name gives its
/// address and the result depends only on the seed.
///
/// # Errors
///
/// The resolver's error; inside a simulation, `NotFound` for a name no
/// simulated host has and `InvalidInput` for text that is not
/// `host:port`.
pub async fn lookup_host(host: impl ToSocketAddrs) -> io::Result<impl Iterator<Item = SocketAddr>> {
    let addrs = addrs_of(&host);
    let found: Vec<SocketAddr> = if in_detsim() {
        let mut found = Vec::new();
        for target in sim_targets(addrs)? {
            found.push(detsim::net::resolve(target).await?);
        }
        found
    } else {
        with_tokio_addrs!(addrs, |a| tokio::net::lookup_host(a).await?.collect())
    };
    Ok(found.into_iter())
}
