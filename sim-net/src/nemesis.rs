//! The fault plan's nemesis: random partitions and host crashes, drawn per
//! tick from their own fault streams, until `nemesis_until` or the end of
//! faults of a liveness phase, whichever comes first; and the repairs at
//! that end ([`repair`]): every cut link heals and every crashed host with
//! a body restarts.

use std::rc::Rc;

use sim_core::FaultKind;
use sim_core::kernel::ResourceId;
use sim_core::node;
use sim_core::time::Instant;

use crate::network::Net;

/// Starts ticking if the plan asks for partitions or crashes.
pub(crate) fn start(net: &Rc<Net>) {
    let plan = net.kernel.fault_plan().net.clone();
    if plan.partition.is_never() && plan.host_crash.is_never() {
        return;
    }
    schedule_tick(Rc::downgrade(net));
}

fn schedule_tick(net: std::rc::Weak<Net>) {
    let Some(strong) = net.upgrade() else { return };
    if strong.kernel.faults_ended() {
        return;
    }
    let plan = strong.kernel.fault_plan().net.clone();
    // Checked: a plan's durations are validated, but a clock near its end
    // must stop the nemesis, not overflow.
    let until = Instant::ZERO.checked_add(plan.nemesis_until);
    let Some(next) = strong.kernel.now().checked_add(plan.nemesis_tick) else {
        return;
    };
    if until.is_none_or(|until| next > until) {
        return;
    }
    strong.kernel.schedule_at(next, move || {
        if let Some(n) = net.upgrade() {
            // A tick due at the end instant runs after it: it draws nothing.
            if n.kernel.faults_ended() {
                return;
            }
            tick(&n);
        }
        schedule_tick(net);
    });
}

/// The end of faults (a liveness phase, registered with
/// `KernelHandle::on_faults_end`): heals every cut link, the nemesis's and
/// the test's own, then restarts every crashed host that has a body to
/// rerun, in creation order, whoever crashed it. Draws nothing. The
/// nemesis's pending heals and restarts still fire later and find the
/// link healed and the host up (unless the test cut or crashed them
/// again since).
pub(crate) fn repair(net: &Rc<Net>) {
    net.heal_all();
    for host in 0..net.host_count() as u32 {
        if !net.is_up(host) && net.can_restart(host) {
            crate::host::restart_ix(net, host);
        }
    }
}

fn tick(net: &Rc<Net>) {
    let hosts = net.host_count() as u64;
    let plan = net.kernel.fault_plan().net.clone();
    if hosts >= 2 && net.kernel.fault(FaultKind::Partition, ResourceId::NONE) {
        let a = net.kernel.fault_pick(FaultKind::Partition, hosts) as u32;
        let b =
            (a + 1 + net.kernel.fault_pick(FaultKind::Partition, hosts - 1) as u32) % hosts as u32;
        net.set_cut(a, b, true);
        net.set_cut(b, a, true);
        let nanos = u64::try_from(plan.partition_duration_max.as_nanos()).unwrap_or(u64::MAX);
        let heal_after =
            std::time::Duration::from_nanos(1 + net.kernel.fault_pick(FaultKind::Partition, nanos));
        let weak = Rc::downgrade(net);
        net.kernel.schedule_after(heal_after, move || {
            if let Some(n) = weak.upgrade() {
                n.set_cut(a, b, false);
                n.set_cut(b, a, false);
            }
        });
    }
    // Only hosts with a body to rerun (not `main`, not clients) crash.
    let restartable: Vec<u32> = (0..hosts as u32)
        .filter(|&h| net.can_restart(h) && net.is_up(h))
        .collect();
    if !restartable.is_empty() && net.kernel.fault(FaultKind::HostCrash, ResourceId::NONE) {
        let victim = restartable[net
            .kernel
            .fault_pick(FaultKind::HostCrash, restartable.len() as u64)
            as usize];
        node::crash(net.node_of(victim));
        let nanos = u64::try_from(plan.crash_downtime_max.as_nanos()).unwrap_or(u64::MAX);
        let down =
            std::time::Duration::from_nanos(1 + net.kernel.fault_pick(FaultKind::HostCrash, nanos));
        let weak = Rc::downgrade(net);
        net.kernel.schedule_after(down, move || {
            if let Some(n) = weak.upgrade() {
                crate::host::restart_ix(&n, victim);
            }
        });
    }
}
