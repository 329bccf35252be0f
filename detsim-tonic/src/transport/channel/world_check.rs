//! The channel settings that cannot work inside a run, refused with a
//! message saying why and what to do instead.

/// What an endpoint was configured with that tonic runs on the real
/// tokio's timer.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct TimerSettings {
    pub(super) rate_limit: bool,
    pub(super) keep_alive: bool,
}

impl TimerSettings {
    /// Panics, inside a run, if a setting needs the real tokio's timer.
    #[track_caller]
    pub(super) fn refuse_in_sim(self) {
        let refused = [
            (self.rate_limit, "Endpoint::rate_limit"),
            (self.keep_alive, "Endpoint::http2_keep_alive_interval"),
        ];
        for (set, what) in refused {
            assert!(
                !set,
                "detsim-tonic: {what} inside a detsim run: tonic's Channel runs it on the \
                 real tokio's timer, which does not exist in the simulation. Leave it unset \
                 in simulation tests."
            );
        }
    }
}
