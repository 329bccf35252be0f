//! The three-way handshake, simulated.
//!
//! A SYN crosses the link after its latency. If the link drops it (a
//! partition, a crashed host, a full backlog), the client sends it again
//! after 1 s, 2 s, 4 s... as Linux does, until the connect timeout. At the
//! server, no listener means an RST back (`ConnectionRefused`); otherwise
//! the connection is created, queued for `accept`, and the SYN-ACK travels
//! back.

use std::cell::RefCell;
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

use sim_core::io::{StreamConfig, stream_pair};
use sim_core::time::{Instant, timeout};

use crate::addr::ToSocketAddr;
use crate::link::NetLink;
use crate::network::{HostIx, Net};
use crate::tcp::TcpStream;
use crate::tcp::listener::Pending;

/// The first SYN retransmission timeout (Linux's initial RTO for SYNs).
const SYN_RTO: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Attempt {
    result: RefCell<Option<io::Result<sim_core::io::DuplexStream>>>,
    waker: RefCell<Option<Waker>>,
}

impl Attempt {
    fn finish(&self, result: io::Result<sim_core::io::DuplexStream>) {
        let mut slot = self.result.borrow_mut();
        if slot.is_none() {
            *slot = Some(result);
            drop(slot);
            if let Some(w) = self.waker.borrow_mut().take() {
                w.wake();
            }
        }
    }

    fn is_done(&self) -> bool {
        self.result.borrow().is_some()
    }
}

struct Handshake {
    net: Rc<Net>,
    client: HostIx,
    server: HostIx,
    local: SocketAddr,
    peer: SocketAddr,
    attempt: Rc<Attempt>,
    give_up: Instant,
}

pub(crate) async fn connect(addr: impl ToSocketAddr) -> io::Result<TcpStream> {
    let net = Net::current();
    let me = net.current_host();
    let (name, port) = addr.to_host_port()?;
    let peer = net.resolve(me, &name, port)?;
    let connect_timeout = net.config.borrow().connect_timeout;
    let Some(server) = net.host_by_ip(peer.ip()) else {
        sim_core::time::sleep(connect_timeout.min(Duration::from_secs(3))).await;
        return Err(io::Error::new(
            io::ErrorKind::HostUnreachable,
            format!("no simulated host has address {}", peer.ip()),
        ));
    };
    let local_port = net.ephemeral_port(me, peer)?;
    let local = SocketAddr::new(net.ip(me), local_port);
    let attempt = Rc::new(Attempt::default());
    let hs = Rc::new(Handshake {
        net: Rc::clone(&net),
        client: me,
        server,
        local,
        peer,
        attempt: Rc::clone(&attempt),
        give_up: net.kernel.now() + connect_timeout,
    });
    net.kernel
        .trace(u64::from(me), "syn", i64::from(peer.port()));
    send_syn(hs, SYN_RTO);
    let wait = std::future::poll_fn(|cx| {
        if let Some(result) = attempt.result.borrow_mut().take() {
            return Poll::Ready(result);
        }
        *attempt.waker.borrow_mut() = Some(cx.waker().clone());
        Poll::Pending
    });
    let result = match timeout(connect_timeout, wait).await {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("connect to {peer} timed out after {connect_timeout:?} (SYNs unanswered)"),
        )),
    };
    // Whatever happens later to this handshake is too late.
    attempt.finish(Err(io::ErrorKind::TimedOut.into()));
    match result {
        Ok(io) => Ok(TcpStream::from_parts(
            net,
            me,
            io,
            local,
            peer,
            Some(local_port),
        )),
        Err(e) => {
            net.release_conn_port(me, local_port, peer);
            Err(e)
        }
    }
}

fn send_syn(hs: Rc<Handshake>, rto: Duration) {
    let delay = hs.net.transit(hs.client, hs.server, 0);
    let kernel = hs.net.kernel.clone();
    kernel.schedule_after(delay, move || {
        if hs.attempt.is_done() {
            return;
        }
        let net = Rc::clone(&hs.net);
        let listener = net.listener(hs.server, hs.peer.port());
        let through = net.passes(hs.client, hs.server);
        match (through, listener) {
            (true, None) => {
                net.kernel
                    .trace(u64::from(hs.server), "rst", i64::from(hs.peer.port()));
                reply(
                    &hs,
                    Err(io::Error::new(
                        io::ErrorKind::ConnectionRefused,
                        format!("connection refused: nothing listens on {}", hs.peer),
                    )),
                );
            }
            (true, Some(listener)) if listener.has_room() => {
                let weak = Rc::downgrade(&net);
                let (client_end, server_end) = stream_pair(StreamConfig {
                    kind: "tcp",
                    capacity: net.config.borrow().tcp_buffer_bytes,
                    reset_on_unread_close: true,
                    link_ab: Rc::new(NetLink {
                        net: weak.clone(),
                        from: hs.client,
                        to: hs.server,
                    }),
                    link_ba: Rc::new(NetLink {
                        net: weak,
                        from: hs.server,
                        to: hs.client,
                    }),
                });
                listener.push(Pending {
                    io: server_end,
                    peer: hs.local,
                });
                reply(&hs, Ok(client_end));
            }
            _ => {
                // SYN lost (or backlog full): the client sends it again.
                net.kernel
                    .trace(u64::from(hs.client), "syn lost", i64::from(hs.peer.port()));
                if net.kernel.now() + rto < hs.give_up {
                    let retry = Rc::clone(&hs);
                    net.kernel
                        .schedule_after(rto, move || send_syn(retry, rto * 2));
                }
            }
        }
    });
}

/// Sends the handshake's answer back to the client, retransmitting while
/// the return path is down.
fn reply(hs: &Rc<Handshake>, result: io::Result<sim_core::io::DuplexStream>) {
    let delay = hs.net.transit(hs.server, hs.client, 0);
    let hs = Rc::clone(hs);
    let kernel = hs.net.kernel.clone();
    kernel.schedule_after(delay, move || {
        if hs.net.passes(hs.server, hs.client) {
            hs.net
                .kernel
                .trace(u64::from(hs.client), "syn-ack", i64::from(hs.peer.port()));
            hs.attempt.finish(result);
        } else if !hs.attempt.is_done() {
            let again = Rc::clone(&hs);
            hs.net
                .kernel
                .schedule_after(Duration::from_millis(200), move || reply(&again, result));
        }
    });
}
