//! The OS network stack: real non-blocking sockets registered with the OS
//! kernel's epoll, behind the socket contract of
//! [`kernel::net`](crate::kernel::net).
//!
//! Every operation is one syscall through rustix, so every errno is the
//! one Linux gives; nothing here waits except [`OsNet`]'s connect, which
//! runs Linux's three steps (`connect` says `EINPROGRESS`, wait until
//! writable, read `SO_ERROR`) through the same try-then-wait loop as the
//! sockets' users. Names resolve with the system resolver on the blocking
//! pool, not with simulated host names.
//!
//! # Divergence from the simulated stack
//!
//! No fault is injected and nothing is seeded. A connect has no timeout
//! of its own: the kernel gives up after its SYN retries
//! (`tcp_syn_retries = 6`, about 127 s), where the simulation's
//! `NetConfig::connect_timeout` defaults to 5 s.

mod socket;
mod stack;
mod stream_reads;
mod unconnected;

pub(crate) use stack::OsNet;
