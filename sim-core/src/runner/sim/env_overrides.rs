//! What the `DETSIM_*` variables change in a sweep's settings, and the
//! pins they add to every replay line: a variable that decides a verdict
//! must be in the line that replays it.

use crate::runner::env::Env;
use crate::runner::replay_line::Origin;
use crate::runner::sim::Sim;
use crate::runtime::Scheduling;

impl Sim {
    /// Applies `env`'s overrides to the builder's settings, pinning each
    /// in `origin`. PCT's strategy is pinned later, with its horizon.
    pub(super) fn apply_env(&mut self, env: &Env, origin: &mut Origin) {
        if env.legal == Some(false) {
            // Every run of this sweep (regression entries, replays, the
            // shrinker's re-runs) uses the plan without its legal group,
            // and every replay line says so.
            self.config.faults = self.config.faults.clone().without_legal();
            origin.pin("DETSIM_LEGAL=0");
        }
        if let Some(on) = env.swarm {
            self.swarm = on;
            // The builder's choice replays with the test; the variable's
            // must be in the line.
            origin.pin(if on {
                "DETSIM_SWARM=1"
            } else {
                "DETSIM_SWARM=0"
            });
        }
        if let Some(phase) = env.liveness {
            // Decides the verdict: every replay line must carry it.
            self.config.liveness = phase;
            match phase {
                Some(phase) => origin.pin(&format!("DETSIM_LIVENESS={phase}")),
                None => origin.pin("DETSIM_LIVENESS=off"),
            }
        }
        if let Some(strategy) = env.strategy {
            self.config.scheduling = strategy;
            // PCT's is pinned below, with its horizon.
            if !matches!(strategy, Scheduling::Pct { .. }) {
                origin.pin(&format!("DETSIM_STRATEGY={}", strategy.env_value()));
            }
        }
        if let Some(cap) = env.alloc_cap.filter(|_| crate::alloc::installed()) {
            // A binary without the tracker ignores it: the variable is
            // set for a whole `cargo test`, whose other binaries count
            // nothing.
            self.config.allocation_cap = (cap > 0).then_some(cap);
            origin.pin(&format!(
                "DETSIM_ALLOC_CAP={}",
                crate::alloc::size::compact(cap)
            ));
        }
        if self.config.allocation_cap.is_some() && !crate::alloc::installed() {
            panic!(
                "detsim: Sim::allocation_cap needs the allocation tracker as this binary's \
                 global allocator: add `#[global_allocator] static ALLOC: \
                 detsim::alloc::Tracker = detsim::alloc::Tracker::system();` to the test \
                 binary, or remove the cap"
            );
        }
    }
}
