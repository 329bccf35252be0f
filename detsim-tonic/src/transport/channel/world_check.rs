//! The channel settings that cannot work inside a run, refused with a
//! message saying why and what to do instead.

/// What an endpoint was configured with that tonic runs on the real
/// tokio's timer.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct TimerSettings {
    pub(super) timeout: bool,
    pub(super) rate_limit: bool,
    pub(super) keep_alive: bool,
}

impl TimerSettings {
    /// Panics, inside a run, if a setting needs the real tokio's timer.
    #[track_caller]
    pub(super) fn refuse_in_sim(self) {
        let refused = [
            (self.timeout, "Endpoint::timeout"),
            (self.rate_limit, "Endpoint::rate_limit"),
            (self.keep_alive, "Endpoint::http2_keep_alive_interval"),
        ];
        for (set, what) in refused {
            assert!(
                !set,
                "detsim-tonic: {what} inside a detsim run: tonic's Channel runs it on the \
                 real tokio's timer, which does not exist in the simulation. Leave it unset \
                 in simulation tests (bound calls with tokio::time::timeout instead)."
            );
        }
    }
}

/// Panics if a request carries a deadline inside a run (see
/// [`TimerSettings::refuse_in_sim`]).
#[track_caller]
pub(super) fn refuse_deadline_in_sim<B>(request: &http::Request<B>) {
    assert!(
        !request.headers().contains_key("grpc-timeout"),
        "detsim-tonic: a request with a deadline (grpc-timeout, from Request::set_timeout) \
         inside a detsim run: tonic's Channel times it on the real tokio's timer, which \
         does not exist in the simulation. Bound the call with tokio::time::timeout instead."
    );
}
