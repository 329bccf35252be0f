//! The server settings the simulated path applies, with tonic's
//! defaults.

use std::time::Duration;

/// What [`Server`](super::Server)'s builder methods set, kept for the
/// simulated path (the real server keeps its own copy, private).
#[derive(Clone, Copy, Debug)]
pub(super) struct Settings {
    pub(super) concurrency_limit: Option<usize>,
    pub(super) load_shed: bool,
    pub(super) timeout: Option<Duration>,
    pub(super) init_stream_window_size: Option<u32>,
    pub(super) init_connection_window_size: Option<u32>,
    pub(super) max_concurrent_streams: Option<u32>,
    pub(super) tcp_nodelay: bool,
    pub(super) http2_keepalive_interval: Option<Duration>,
    pub(super) http2_keepalive_timeout: Duration,
    pub(super) http2_adaptive_window: Option<bool>,
    pub(super) http2_max_pending_accept_reset_streams: Option<usize>,
    pub(super) http2_max_local_error_reset_streams: Option<usize>,
    pub(super) http2_max_header_list_size: Option<u32>,
    pub(super) max_frame_size: Option<u32>,
    pub(super) accept_http1: bool,
    pub(super) max_connection_age: Option<Duration>,
    pub(super) max_connection_age_grace: Option<Duration>,
}

impl Default for Settings {
    fn default() -> Self {
        // tonic 0.14's defaults.
        Self {
            concurrency_limit: None,
            load_shed: false,
            timeout: None,
            init_stream_window_size: None,
            init_connection_window_size: None,
            max_concurrent_streams: None,
            tcp_nodelay: true,
            http2_keepalive_interval: None,
            http2_keepalive_timeout: Duration::from_secs(20),
            http2_adaptive_window: None,
            http2_max_pending_accept_reset_streams: None,
            http2_max_local_error_reset_streams: None,
            http2_max_header_list_size: None,
            max_frame_size: None,
            accept_http1: false,
            max_connection_age: None,
            max_connection_age_grace: None,
        }
    }
}
