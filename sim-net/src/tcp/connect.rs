//! The three-way handshake, simulated.
//!
//! A SYN crosses the link after its latency. Until an answer arrives (the
//! SYN or the SYN-ACK may be dropped by a partition, a crashed host or a
//! full backlog), the client sends it again after 1 s, 2 s, 4 s... as Linux
//! does, until the connect timeout. At the server, no listener means an RST
//! back (`ConnectionRefused`); otherwise the connection is created once
//! (retransmitted SYNs only repeat the SYN-ACK), the SYN-ACK travels back,
//! and the client's ACK puts the connection in the accept queue. A
//! connection the client gave up on (timed out, or its `connect` future
//! dropped) never reaches `accept`. The client's port is an ephemeral one,
//! or the one its socket was bound to. When the server creates the
//! connection, the plan's slow-peer fault is rolled for it
//! (`slow_peer.rs`).

use std::cell::{Cell, RefCell};
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

use sim_core::kernel::ScheduledAction;
use sim_core::kernel::stream::{StreamConfig, StreamEnd, stream_pair};
use sim_core::time::{Instant, timeout};

use crate::network::{HostIx, Net};
use crate::ports::Binding;
use crate::tcp::sim_listener::{ListenerShared, Pending};
use crate::tcp::slow_peer::maybe_slow_down;
use crate::tcp::socket::SimTcpStream;

/// The first SYN retransmission timeout (Linux's initial RTO for SYNs).
const SYN_RTO: Duration = Duration::from_secs(1);

#[derive(Default)]
struct Attempt {
    result: RefCell<Option<io::Result<StreamEnd>>>,
    waker: RefCell<Option<Waker>>,
    /// The connect call returned or was dropped: later answers are too
    /// late, and retransmissions stop.
    abandoned: Cell<bool>,
    /// The pending SYN retransmission, if any: cancelled when `connect`
    /// returns, so an idle connection leaves nothing in the kernel's queue.
    retransmission: Cell<Option<ScheduledAction>>,
}

impl Attempt {
    fn finish(&self, result: io::Result<StreamEnd>) {
        let mut slot = self.result.borrow_mut();
        if slot.is_none() && !self.abandoned.get() {
            *slot = Some(result);
            drop(slot);
            // Taken first: no borrow is held while the waker runs.
            let waker = self.waker.borrow_mut().take();
            if let Some(w) = waker {
                w.wake();
            }
        }
    }

    /// Whether the client stopped waiting or already has its answer.
    fn is_done(&self) -> bool {
        self.abandoned.get() || self.result.borrow().is_some()
    }
}

/// One connection attempt, shared by its SYN and SYN-ACK retransmissions.
///
/// States: no connection yet (`ends` empty) -> a SYN reached the listener
/// and the connection exists on the server (`ends` holds both ends; later
/// SYNs only make the server answer again) -> the SYN-ACK reached the
/// client (`ends` taken: the client end goes to the caller, the server end
/// to the accept queue once the client's ACK arrives). A connection whose
/// SYN-ACK comes too late is dropped, as the client's RST would make Linux
/// drop it: it never reaches `accept`.
struct Handshake {
    net: Rc<Net>,
    client: HostIx,
    server: HostIx,
    local: SocketAddr,
    peer: SocketAddr,
    attempt: Rc<Attempt>,
    /// When SYNs stop; `None`: never (past the end of the clock).
    give_up: Option<Instant>,
    /// (client end, server end, the listener that answered).
    ends: RefCell<Option<(StreamEnd, StreamEnd, Rc<ListenerShared>)>>,
}

/// Abandons the attempt and frees its port if `connect` is dropped before
/// it returns (a timeout around it, a crash of the client host); either
/// way, cancels the pending retransmission.
struct AbandonOnDrop<'a> {
    net: &'a Net,
    port: u16,
    hs: &'a Handshake,
    /// The port went to the connection and is released with it.
    handed_over: bool,
}

impl Drop for AbandonOnDrop<'_> {
    fn drop(&mut self) {
        let attempt = &self.hs.attempt;
        attempt.abandoned.set(true);
        // A result that arrived but was never taken is closed here.
        drop(attempt.result.borrow_mut().take());
        if !self.handed_over {
            let hs = self.hs;
            self.net
                .release_conn_port(hs.client, self.port, hs.server, hs.peer.port());
        }
        // Unless the server's ends wait in the handshake (a SYN-ACK still
        // to be answered): dropping them now, with the retransmission that
        // holds them, would close them sooner than its run (a no-op) does,
        // and move what the trace records.
        let waiting = self.hs.ends.borrow().is_some();
        if !waiting {
            if let Some(retransmission) = attempt.retransmission.take() {
                self.net.kernel.cancel(retransmission);
            }
        }
    }
}

/// Connects from host `me` to `peer` (resolved already): from the port
/// `binding` holds, else from an ephemeral port.
pub(crate) async fn connect(
    net: Rc<Net>,
    me: HostIx,
    peer: SocketAddr,
    binding: Option<Binding>,
) -> io::Result<SimTcpStream> {
    let connect_timeout = net.config.borrow().connect_timeout;
    let Some(server) = net.host_by_ip(peer.ip()) else {
        sim_core::time::sleep(connect_timeout.min(Duration::from_secs(3))).await;
        return Err(io::Error::new(
            io::ErrorKind::HostUnreachable,
            format!("no simulated host has address {}", peer.ip()),
        ));
    };
    let local_port = match &binding {
        None => net.ephemeral_port(me, server, peer)?,
        Some(binding) => {
            net.claim_conn_port(me, binding.port(), server, peer)?;
            binding.port()
        }
    };
    let local = SocketAddr::new(net.ip(me), local_port);
    let attempt = Rc::new(Attempt::default());
    let hs = Rc::new(Handshake {
        net: Rc::clone(&net),
        client: me,
        server,
        local,
        peer,
        attempt: Rc::clone(&attempt),
        // `None` past the end of the clock (`Duration::MAX`: never).
        give_up: net.kernel.now().checked_add(connect_timeout),
        ends: RefCell::new(None),
    });
    let mut guard = AbandonOnDrop {
        net: &net,
        port: local_port,
        hs: &hs,
        handed_over: false,
    };
    net.kernel
        .trace(net.link_id(me, server), "syn", i64::from(peer.port()));
    send_syn(Rc::clone(&hs), SYN_RTO);
    let wait = std::future::poll_fn(|cx| {
        if let Some(result) = attempt.result.borrow_mut().take() {
            return Poll::Ready(result);
        }
        let old = attempt.waker.borrow_mut().replace(cx.waker().clone());
        drop(old);
        Poll::Pending
    });
    let result = match timeout(connect_timeout, wait).await {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("connect to {peer} timed out after {connect_timeout:?} (SYNs unanswered)"),
        )),
    };
    let io = result?;
    guard.handed_over = true;
    drop(guard);
    Ok(
        SimTcpStream::new(Rc::clone(&net), me, io, local, peer, Some(local_port))
            .with_binding(binding),
    )
}

fn send_syn(hs: Rc<Handshake>, rto: Duration) {
    let net = Rc::clone(&hs.net);
    // The client retransmits until it hears an answer or gives up, as Linux
    // does whether the SYN or the SYN-ACK was lost.
    // Checked: a connect that never times out retransmits until the next
    // retransmission would fall past the end of the clock.
    let next = net.kernel.now().checked_add(rto);
    if next.is_some_and(|next| hs.give_up.is_none_or(|give_up| next < give_up)) {
        let hs_retry = Rc::clone(&hs);
        let retransmission = net.kernel.schedule_cancellable_after(rto, move || {
            let hs = hs_retry;
            hs.attempt.retransmission.set(None);
            if !hs.attempt.is_done() {
                let millis = i64::try_from(rto.as_millis()).unwrap_or(i64::MAX);
                let link = hs.net.link_id(hs.client, hs.server);
                hs.net.kernel.trace(link, "syn retransmit", millis);
                send_syn(hs, rto.saturating_mul(2));
            }
        });
        hs.attempt.retransmission.set(Some(retransmission));
    }
    let delay = net.transit(hs.client, hs.server, 0);
    let (client, server) = (hs.client, hs.server);
    net.carry(client, server, delay, move |passes| {
        if hs.attempt.is_done() {
            return;
        }
        let net = Rc::clone(&hs.net);
        if !passes {
            let link = net.link_id(hs.client, hs.server);
            net.kernel
                .trace(link, "syn lost", i64::from(hs.peer.port()));
            return;
        }
        let Some(listener) = net.listener(hs.server, hs.peer.port()) else {
            net.kernel
                .trace(net.host_id(hs.server), "rst", i64::from(hs.peer.port()));
            reply(
                &hs,
                Err(io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    format!("connection refused: nothing listens on {}", hs.peer),
                )),
            );
            return;
        };
        if hs.ends.borrow().is_some() {
            // A retransmitted SYN for a connection the server already has:
            // it answers again (its SYN-ACK was lost).
            reply(&hs, Ok(()));
            return;
        }
        if !listener.has_room() {
            // A full backlog drops the SYN; the client retries.
            net.kernel
                .trace(net.host_id(hs.server), "syn dropped (backlog)", 0);
            return;
        }
        let (client_end, server_end) = stream_pair(StreamConfig {
            kind: "tcp",
            capacity: net.config.borrow().tcp_buffer_bytes,
            tcp: true,
            link_ab: net.stream_link(hs.client, hs.server),
            link_ba: net.stream_link(hs.server, hs.client),
        });
        maybe_slow_down(&net, &client_end);
        *hs.ends.borrow_mut() = Some((client_end, server_end, listener));
        reply(&hs, Ok(()));
    });
}

/// Sends the server's answer (SYN-ACK, or RST for `Err`) back to the client.
/// A lost answer is not resent by the server: the client's SYN
/// retransmission asks for it again. A held link keeps it until released.
fn reply(hs: &Rc<Handshake>, answer: io::Result<()>) {
    let delay = hs.net.transit(hs.server, hs.client, 0);
    let hs = Rc::clone(hs);
    let net = Rc::clone(&hs.net);
    net.carry(hs.server, hs.client, delay, move |passes| {
        if !passes {
            hs.net.kernel.trace(
                hs.net.link_id(hs.server, hs.client),
                "syn-ack lost",
                i64::from(hs.peer.port()),
            );
            return;
        }
        if hs.attempt.is_done() {
            // Too late: the client's RST closes the server's half-open
            // connection, which never reaches the accept queue.
            drop(hs.ends.borrow_mut().take());
            return;
        }
        match answer {
            Err(refused) => hs.attempt.finish(Err(refused)),
            Ok(()) => {
                let Some((client_end, server_end, listener)) = hs.ends.borrow_mut().take() else {
                    return;
                };
                let link = hs.net.link_id(hs.server, hs.client);
                hs.net
                    .kernel
                    .trace(link, "syn-ack", i64::from(hs.peer.port()));
                hs.attempt.finish(Ok(client_end));
                ack(&hs, server_end, listener);
            }
        }
    });
}

/// The client's ACK completes the handshake at the server: the connection
/// joins the accept queue, unless the listener closed meanwhile (then the
/// server answers RST). The ACK waits behind a partition or a held link
/// and is retransmitted, as data would carry it again; one that never gets
/// through leaves the connection half-open at the server until it is
/// reset.
fn ack(hs: &Rc<Handshake>, server_end: StreamEnd, listener: Rc<ListenerShared>) {
    let delay = hs.net.transit(hs.client, hs.server, 0);
    let hs = Rc::clone(hs);
    let net = Rc::clone(&hs.net);
    net.carry_reliably(hs.client, hs.server, delay, move |arrived| {
        let bound = arrived
            && hs
                .net
                .listener(hs.server, hs.peer.port())
                .is_some_and(|l| Rc::ptr_eq(&l, &listener));
        if bound && hs.net.is_up(hs.server) {
            listener.push(Pending {
                io: server_end,
                peer: hs.local,
            });
        } else {
            server_end.reset();
        }
    });
}
