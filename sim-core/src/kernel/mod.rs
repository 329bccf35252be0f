//! The kernel boundary: everything the executor needs from the world.
//!
//! The executor owns tasks and a run set and knows nothing of sockets or
//! files. When no task is runnable it asks the kernel to *park*: make
//! progress possible, or say that nothing ever will. The simulated kernel
//! parks by jumping the virtual clock to its next event; the OS kernel (a
//! later backend) by calling `epoll_wait`.
//!
//! # The contract
//!
//! A kernel provides:
//! - **the clock**: monotonic, never backwards;
//! - **scheduled events**: actions that run at a future instant and change
//!   resource state (a segment lands in a receive buffer, a write completes);
//! - **parking**: deliver every event due up to a deadline, waking the
//!   wakers registered for what changed.
//!
//! A kernel must never poll a task, never run user code other than wakers
//! while delivering, and never deliver an event before its time. Under the
//! simulation it must also take every choice from the run's seed: events
//! due at the same instant are delivered in a seeded order.

mod sim;

pub(crate) use sim::SimKernel;
