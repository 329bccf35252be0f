//! The fault side of [`KernelHandle`]: how a device rolls the run's
//! faults against its resources, draws their magnitudes and delays, and
//! learns when a liveness phase ends them.

use std::time::Duration;

use crate::faults::FaultKind;
use crate::kernel::{KernelHandle, ResourceId};

impl KernelHandle {
    /// Rolls fault `kind` against `target`; a hit is traced.
    #[inline]
    pub fn fault(&self, kind: FaultKind, target: ResourceId) -> bool {
        self.rt.inject(kind, target)
    }

    /// Rolls fault `kind` against `target` as [`KernelHandle::fault`] does;
    /// on a hit, `draw` draws the fault's magnitudes first (through
    /// [`KernelHandle::fault_pick`]) and returns them with the number the
    /// hit's trace event carries as its value (a size, a bound). `None`
    /// on a miss, when nothing is drawn.
    pub fn fault_with<T>(
        &self,
        kind: FaultKind,
        target: ResourceId,
        draw: impl FnOnce(&KernelHandle) -> (T, i64),
    ) -> Option<T> {
        self.rt.check_current(|| self.rt.io_name(target));
        if !self.rt.faults.roll(kind) {
            return None;
        }
        let (magnitude, value) = draw(self);
        self.rt.record_fault(kind, target.as_u64(), value);
        Some(magnitude)
    }

    /// A number in `0..n` from fault `kind`'s stream (a fault's magnitude).
    pub fn fault_pick(&self, kind: FaultKind, n: u64) -> u64 {
        self.rt.faults.pick(kind, n)
    }

    /// The fault plan's delay for a delayed readiness or completion event:
    /// zero, or (when the fault hits) up to the plan's maximum.
    #[inline]
    pub fn fault_delay(&self, kind: FaultKind, target: ResourceId) -> Duration {
        let max = match kind {
            FaultKind::DelayedCompletion => self.rt.config.faults.completion_delay_max,
            _ => self.rt.config.faults.readiness_delay_max,
        };
        if max.is_zero() || !self.rt.faults.roll(kind) {
            return Duration::ZERO;
        }
        self.fault_delay_hit(kind, target, max)
    }

    /// [`KernelHandle::fault_delay`] once the fault hit: draws the delay.
    #[inline(never)]
    fn fault_delay_hit(&self, kind: FaultKind, target: ResourceId, max: Duration) -> Duration {
        let nanos = 1 + self
            .rt
            .faults
            .pick(kind, u64::try_from(max.as_nanos()).unwrap_or(u64::MAX));
        self.rt.record_fault(kind, target.as_u64(), nanos as i64);
        Duration::from_nanos(nanos)
    }

    /// Registers `hook` to run once when the run's faults end (a
    /// liveness phase, see [`crate::liveness`]): where a device repairs
    /// what its faults broke (the network heals its partitions and
    /// restarts crashed hosts). Hooks run at the end instant, after the
    /// environment fault rolls stopped and before anything else due then,
    /// in the order they were registered. Without a phase, or once the
    /// faults have ended, the hook is dropped unused.
    ///
    /// ```
    /// use std::{cell::Cell, rc::Rc, time::Duration};
    /// use detsim::kernel::KernelHandle;
    /// use detsim::liveness::{self, Liveness};
    ///
    /// detsim::Sim::new().liveness(Liveness::after(Duration::from_secs(2))).run(|| async {
    ///     let repaired = Rc::new(Cell::new(false));
    ///     let r = Rc::clone(&repaired);
    ///     let kernel = KernelHandle::current();
    ///     kernel.on_faults_end(move || r.set(true));
    ///     assert!(!kernel.faults_ended());
    ///     liveness::faults_ended().await;
    ///     assert!(repaired.get() && kernel.faults_ended());
    /// });
    /// ```
    pub fn on_faults_end(&self, hook: impl FnOnce() + 'static) {
        self.rt.on_faults_end(Box::new(hook));
    }

    /// Whether the run's faults have ended (a liveness phase passed its
    /// end instant): environment faults roll nothing any more, and a
    /// device's own fault schedule (the nemesis) stops. Always `false`
    /// without a phase.
    pub fn faults_ended(&self) -> bool {
        self.rt.faults_have_ended()
    }

    /// The run's fault plan.
    pub fn fault_plan(&self) -> &crate::faults::Faults {
        &self.rt.config.faults
    }
}
