//! Deliberately empty: tokio's `io::unix` (`AsyncFd`, `AsyncFdReadyGuard`,
//! `TryIoError`) is not provided.
//!
//! `AsyncFd` waits for readiness of an arbitrary OS file descriptor.
//! Inside a simulation there is no such descriptor to wait on (simulated
//! sockets have none), and forwarding to tokio's would make the
//! simulation wait on a reactor it cannot see: a hang reported as a
//! deadlock. So using it is a compile error. Code that needs it outside
//! a simulation can name the real tokio crate for that part.
