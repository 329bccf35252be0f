//! Packets outside a stream: the handshake's SYN, SYN-ACK and ACK, and
//! the RST refusing a connect. They cross the same links as stream
//! segments, so they take the link's latency and wait behind a held link;
//! across a cut one, a SYN, SYN-ACK or refusal is lost (the client's SYN
//! retransmission asks again), while the last ACK is resent as the
//! client's data would carry it.

use std::rc::Rc;
use std::time::Duration;

use sim_core::kernel::stream::Link;
use sim_core::time::Instant;

use crate::link::{NetLink, give_up_after};
use crate::network::{HostIx, Net};

impl Net {
    /// Carries one packet that is not part of a stream (a SYN, SYN-ACK or
    /// the RST refusing a connect) from `from` to `to`, due after `delay`:
    /// then `arrive(true)` if it gets through, `arrive(false)` if it is
    /// lost (a cut link, a crashed destination). A held link keeps it
    /// until released, as it keeps stream segments, and for no longer
    /// than they wait: a packet still held after Linux's give-up time is
    /// lost (held packets are checked every millisecond, so one held for
    /// good must not keep the run from ending in a deadlock report).
    pub(crate) fn carry(
        self: &Rc<Self>,
        from: HostIx,
        to: HostIx,
        delay: Duration,
        arrive: impl FnOnce(bool) + 'static,
    ) {
        let deadline = self.give_up_deadline(delay);
        carry_after(Rc::clone(self), from, to, delay, deadline, arrive);
    }

    /// Carries a packet that TCP retransmits until acknowledged (the
    /// handshake's last ACK, which the client's data would carry again):
    /// due after `delay`, it is sent again while the path is cut or held,
    /// as a stream segment is; `arrive(true)` once it gets through,
    /// `arrive(false)` if it still has not after Linux's give-up time.
    pub(crate) fn carry_reliably(
        self: &Rc<Self>,
        from: HostIx,
        to: HostIx,
        delay: Duration,
        arrive: impl FnOnce(bool) + 'static,
    ) {
        let deadline = self.give_up_deadline(delay);
        let link = self.net_link(from, to);
        resend_after(Rc::clone(self), link, delay, deadline, arrive);
    }

    /// When a packet sent now, due after `delay`, stops being
    /// retransmitted or held: after the links' give-up time.
    /// `None` past the end of the clock (a link latency of centuries):
    /// never. Checked, as a stream segment's deadline saturates
    /// (`wire.rs`), rather than overflowing inside detsim.
    fn give_up_deadline(&self, delay: Duration) -> Option<Instant> {
        delay
            .checked_add(give_up_after())
            .and_then(|d| self.kernel.now().checked_add(d))
    }
}

/// One delivery check of a packet: `arrive` is moved into the scheduled
/// event itself (one allocation per attempt, not a second box for it).
fn carry_after(
    net: Rc<Net>,
    from: HostIx,
    to: HostIx,
    delay: Duration,
    deadline: Option<Instant>,
    arrive: impl FnOnce(bool) + 'static,
) {
    let kernel = net.kernel.clone();
    kernel.schedule_after(delay, move || {
        if net.is_held(from, to) {
            if deadline.is_some_and(|d| net.kernel.now() >= d) {
                arrive(false);
                return;
            }
            // Checked again as often as a held stream segment is.
            let again = Duration::from_millis(1);
            carry_after(net, from, to, again, deadline, arrive);
        } else {
            let passes = net.passes(from, to);
            arrive(passes);
        }
    });
}

/// One transmission attempt of a packet TCP retransmits, `arrive` moved
/// into the scheduled event as in [`carry_after`].
fn resend_after(
    net: Rc<Net>,
    link: Rc<NetLink>,
    delay: Duration,
    deadline: Option<Instant>,
    arrive: impl FnOnce(bool) + 'static,
) {
    let kernel = net.kernel.clone();
    kernel.schedule_after(delay, move || {
        if link.is_up() {
            arrive(true);
        } else if deadline.is_some_and(|d| net.kernel.now() >= d) {
            arrive(false);
        } else {
            let retry = link.retransmit_after();
            resend_after(net, link, retry, deadline, arrive);
        }
    });
}
