//! `UdpSocket`'s readiness layer, in tokio's shape: `readable`,
//! `writable`, `ready`, their poll forms, and operations that never wait
//! (`try_send`, `try_recv` and their `_to`/`_from` forms). Readiness
//! follows the kernel's [`IoSource`](sim_core::kernel::IoSource) contract:
//! it holds until an operation returns `WouldBlock`.

use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use sim_core::kernel::{Interest, Readiness};

use super::UdpSocket;

impl UdpSocket {
    /// Waits until a datagram may be waiting, for use with
    /// [`UdpSocket::try_recv_from`], as tokio's `readable`. Readiness stays
    /// set until a receive returns `WouldBlock`; it is a hint (the fault
    /// plan injects spurious readiness), so loop on `WouldBlock`.
    ///
    /// ```
    /// use detsim::net::{self, UdpSocket};
    /// use std::io::ErrorKind;
    ///
    /// detsim::Runtime::sim(0).block_on(async {
    ///     let socket = UdpSocket::bind("0.0.0.0:53").await.unwrap();
    ///     net::client("c", async {
    ///         let c = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    ///         c.send_to(b"query", "main:53").await.unwrap();
    ///     });
    ///     let mut buf = [0; 32];
    ///     let (n, _from) = loop {
    ///         socket.readable().await.unwrap();
    ///         match socket.try_recv_from(&mut buf) {
    ///             Err(e) if e.kind() == ErrorKind::WouldBlock => continue,
    ///             other => break other.unwrap(),
    ///         }
    ///     };
    ///     assert_eq!(&buf[..n], b"query");
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// None today; the signature is tokio's.
    pub async fn readable(&self) -> io::Result<()> {
        self.ready(Interest::READABLE).await.map(drop)
    }

    /// Waits until a datagram may be sent without waiting, for use with
    /// [`UdpSocket::try_send_to`]. In the simulation a socket is always
    /// writable (sending never waits); on the OS, when the send buffer has
    /// room.
    ///
    /// # Errors
    ///
    /// None today; the signature is tokio's.
    pub async fn writable(&self) -> io::Result<()> {
        self.ready(Interest::WRITABLE).await.map(drop)
    }

    /// Waits until the socket may be ready for `interest`; returns what it
    /// is ready for, as tokio's `ready`. A hint, as
    /// [`UdpSocket::readable`] says.
    ///
    /// # Errors
    ///
    /// None today; the signature is tokio's.
    pub async fn ready(&self, interest: Interest) -> io::Result<Readiness> {
        std::future::poll_fn(|cx| self.poll_ready(cx, interest).map(Ok)).await
    }

    /// Polls for receive readiness, as tokio's `poll_recv_ready` (its name
    /// for UDP's `poll_read_ready`): for hand-written futures. A hint, as
    /// [`UdpSocket::readable`] says.
    ///
    /// # Errors
    ///
    /// None today; the signature is tokio's.
    pub fn poll_recv_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_ready(cx, Interest::READABLE).map(|_| Ok(()))
    }

    /// Polls for send readiness, as tokio's `poll_send_ready`; see
    /// [`UdpSocket::poll_recv_ready`].
    ///
    /// # Errors
    ///
    /// None today; the signature is tokio's.
    pub fn poll_send_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_ready(cx, Interest::WRITABLE).map(|_| Ok(()))
    }

    fn poll_ready(&self, cx: &mut Context<'_>, interest: Interest) -> Poll<Readiness> {
        self.inner.get().poll_ready(cx, interest)
    }

    /// Sends one datagram to `target` without waiting. The address is a
    /// `SocketAddr`, as in tokio: resolving a name may wait.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when the OS send buffer is full (never in the
    /// simulation, where sending never waits); `InvalidInput` for a
    /// datagram over 65,507 bytes.
    pub fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
        self.inner
            .get()
            .try_io(Interest::WRITABLE, |s| s.send_to(buf, target))
    }

    /// Sends one datagram to the connected peer without waiting.
    ///
    /// ```
    /// use detsim::net::{self, UdpSocket};
    ///
    /// detsim::Runtime::sim(0).block_on(async {
    ///     let server = UdpSocket::bind("0.0.0.0:9").await.unwrap();
    ///     let err = server.try_send(b"x").unwrap_err();
    ///     assert_eq!(err.raw_os_error(), Some(89), "EDESTADDRREQ, as on Linux");
    ///     net::client("c", async {
    ///         let c = UdpSocket::bind("0.0.0.0:0").await.unwrap();
    ///         c.connect("main:9").await.unwrap();
    ///         assert_eq!(c.try_send(b"hi").unwrap(), 2);
    ///     });
    ///     let mut buf = [0; 8];
    ///     let (n, _) = server.recv_from(&mut buf).await.unwrap();
    ///     assert_eq!(&buf[..n], b"hi");
    /// });
    /// ```
    ///
    /// # Errors
    ///
    /// `EDESTADDRREQ` (an OS error, as Linux's) before
    /// [`UdpSocket::connect`]; as [`UdpSocket::try_send_to`].
    pub fn try_send(&self, buf: &[u8]) -> io::Result<usize> {
        self.inner
            .get()
            .try_io(Interest::WRITABLE, |s| s.write(buf))
    }

    /// Takes one datagram from the connected peer without waiting; before
    /// [`UdpSocket::connect`], from anyone, as Linux's `recv` and tokio's
    /// `try_recv` do.
    ///
    /// # Errors
    ///
    /// `WouldBlock` when none is queued; `Interrupted` under the fault
    /// plan.
    pub fn try_recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.get().try_io(Interest::READABLE, |s| s.read(buf))
    }
}
