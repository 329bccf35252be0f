//! The liveness phase, as in TigerBeetle's VOPR: faults end at a virtual
//! instant, the world is repaired, and the run must then recover within a
//! deadline.
//!
//! Safety checks (a panic, an assertion, a deadlock) say that nothing bad
//! happened; they cannot say that something good eventually does. Under a
//! nemesis that crashes and partitions hosts until the end of a run, a
//! client stuck on a lost reply is rescued by the next crash, which turns
//! its wait into an EOF it tolerates: the hang is masked. A liveness phase
//! ends the faults at a given instant and then asks the system to make
//! progress; a system that does not is a [`FailureKind::Liveness`] failure
//! that says when the faults ended, the deadline, and what each task
//! waits on.
//!
//! Turn it on with [`Sim::liveness`](crate::Sim::liveness), the
//! `DETSIM_LIVENESS` variable (`10s:20s`: faults end at 10 s, 20 s to
//! recover; `10s` gives the default 30 s; `off` removes a phase the test
//! sets) or `#[detsim::test(liveness = "10s:20s")]`.
//!
//! ```
//! use std::time::Duration;
//! use detsim::liveness::{self, Liveness};
//! use detsim::net::{self, TcpListener, TcpStream};
//! use detsim::time::{sleep, timeout};
//! use detsim::{Faults, Sim};
//! use futures::{AsyncReadExt, AsyncWriteExt};
//!
//! /// One echo on a fresh connection, within a second.
//! async fn echo() -> bool {
//!     let attempt = async {
//!         let mut conn = TcpStream::connect("server:7").await?;
//!         conn.write_all(b"ping").await?;
//!         let mut buf = [0; 4];
//!         conn.read_exact(&mut buf).await?;
//!         std::io::Result::Ok(())
//!     };
//!     matches!(timeout(Duration::from_secs(1), attempt).await, Ok(Ok(())))
//! }
//!
//! Sim::new()
//!     .faults(Faults::chaos())
//!     .liveness(Liveness::after(Duration::from_secs(5)).within(Duration::from_secs(10)))
//!     .seeds(3)
//!     .run(|| async {
//!         net::host("server", || async {
//!             let listener = TcpListener::bind("0.0.0.0:7").await?;
//!             loop {
//!                 let (mut conn, _) = listener.accept().await?;
//!                 detsim::spawn(async move {
//!                     let mut buf = [0; 4];
//!                     if conn.read_exact(&mut buf).await.is_ok() {
//!                         let _ = conn.write_all(&buf).await;
//!                     }
//!                 });
//!             }
//!             #[allow(unreachable_code)]
//!             std::io::Result::Ok(())
//!         });
//!         // The nemesis crashes and partitions the server for 5 s...
//!         liveness::faults_ended().await;
//!         // ...then the service must answer again within 10 s.
//!         while !echo().await {
//!             sleep(Duration::from_millis(100)).await;
//!         }
//!     });
//! ```
//!
//! A run that cannot get there fails at the deadline instead of running
//! for ever:
//!
//! ```
//! use std::time::Duration;
//! use detsim::liveness::Liveness;
//! use detsim::time::sleep;
//! use detsim::{FailureKind, Sim};
//!
//! let failure = Sim::new()
//!     .liveness(Liveness::after(Duration::from_secs(1)).within(Duration::from_secs(5)))
//!     .try_run(|| async {
//!         detsim::spawn(async { loop { sleep(Duration::from_secs(1)).await } });
//!         std::future::pending::<()>().await; // waits for nothing that comes
//!     })
//!     .unwrap_err();
//! let FailureKind::Liveness { deadline, stuck, .. } = &failure.failure.kind else {
//!     panic!("{}", failure.failure.kind)
//! };
//! assert_eq!(deadline.since_start(), Duration::from_secs(6));
//! assert!(stuck[1].waits_on.starts_with("a timer at"), "{}", stuck[1].waits_on);
//! ```
//!
//! # What happens when the faults end
//!
//! At the end instant exactly, before the kernel actions and timers due
//! then, and in this order:
//!
//! 1. **Environment faults stop** ([`FaultGroup::Environment`]): no more
//!    packet loss or duplication, resets, partitions, host crashes, disk
//!    read, write or fsync errors, latent sectors or corruption; a crash
//!    the test itself causes later loses and tears nothing under a seeded
//!    [`CrashOutcome`](crate::faults::CrashOutcome) (its draws are
//!    environment faults too), so it keeps every unsynced change, one of
//!    the outcomes a real crash allows. What the faults did stays done:
//!    bad sectors, flipped bits, lost writes and reset connections are
//!    what recovery has to cope with, as TigerBeetle's faulty storage
//!    stays faulty.
//! 2. **The world is repaired**, by the hooks subsystems register with
//!    [`KernelHandle::on_faults_end`](crate::kernel::KernelHandle::on_faults_end),
//!    in registration order: `detsim::net` heals every cut link (the
//!    nemesis's partitions and the test's own) and restarts every crashed
//!    host that has a body to rerun, in creation order, whoever crashed
//!    it; links held with `net::hold` stay held (an ordering tool, not a
//!    fault). `detsim::fs` registers nothing: its faults stop with the
//!    rolls.
//!
//! **Legal behaviour goes on** ([`FaultGroup::Legal`]: spurious wakes and
//! readiness, short reads, partial writes, late, short and reordered
//! completions). It is what the OS contract allows at every moment, so a
//! system recovered on a kernel that never surprises has only shown that
//! it recovers on a kernel that does not exist; and none of it can stop
//! progress: each is bounded (a short read returns at least a byte, a
//! late completion comes at most the plan's delay late). VOPR likewise
//! keeps network delays in its liveness mode while it stops losses.
//!
//! **`buggify!` sites stop firing** ([`FaultGroup::User`]). A site is
//! whatever its author made it, often a fault of the environment seen
//! from the inside (a dropped message, a failed request, a slow disk
//! stalling for ever): one that keeps firing can keep a correct system
//! from converging, and then the phase would test the site, not the
//! system. FoundationDB guards many of its `BUGGIFY` points with
//! `!speedUpSimulation` for this reason, the flag it raises while waiting
//! for a quiet database.
//!
//! No random number is drawn for any of this: the end is not a scheduled
//! kernel action (which would draw a tie-break from the delivery stream),
//! and the stopped kinds draw nothing from their own streams. Every other
//! stream goes on as it would have; replay strings and the shrinker pin
//! the occurrences of faults, and after the end only legal kinds occur.
//! When the phase comes from `DETSIM_LIVENESS`, replay lines start with
//! it.
//!
//! # The verdict
//!
//! The run passes when its body returns (before or after the end), or
//! once any task calls [`recovered`] after the end: from then on it is an
//! ordinary run (a later deadlock is a plain deadlock). It fails with
//! [`FailureKind::Liveness`]:
//!
//! - when the clock would move past the deadline (`faults_end +
//!   recovery`): the report is made at the deadline, with every task and
//!   what it waits on;
//! - when nothing can ever happen again after the end (no runnable task,
//!   timer or kernel event): a deadlock after the end is a liveness
//!   failure with `deadlocked: true`, reported when it became certain
//!   (not before the end), rather than a [`FailureKind::Deadlock`]. To
//!   the question the phase asks, a deadlock is the clearest "no"; and a
//!   hang that keeps a retry timer ticking and one that does not are
//!   then one bug to the shrinker, which suppressing a fault may turn one
//!   into the other. A run stuck before the end waits for it: the end
//!   instant is a pending event, and the repairs may free it.
//!
//! On the OS runtime there is no phase: [`faults_ended`] returns at once
//! and [`recovered`] does nothing.
//!
//! [`FailureKind::Liveness`]: crate::FailureKind::Liveness
//! [`FailureKind::Deadlock`]: crate::FailureKind::Deadlock
//! [`FaultGroup::Environment`]: crate::faults::FaultGroup::Environment
//! [`FaultGroup::Legal`]: crate::faults::FaultGroup::Legal
//! [`FaultGroup::User`]: crate::faults::FaultGroup::User

mod phase;
mod setting;

pub(crate) use phase::Phase;
pub use setting::{Liveness, ParseLivenessError};

use crate::runtime::context;

/// Waits until the run's faults have ended (and the world was repaired):
/// the moment a test body switches from causing trouble to checking that
/// the system recovers. Resolves at once when they have, and when the run
/// has no liveness phase (faults never end, so there is nothing to wait
/// for: the same body runs with and without a phase).
///
/// ```
/// use std::time::Duration;
/// use detsim::liveness::{self, Liveness};
/// use detsim::time::Instant;
///
/// detsim::Sim::new()
///     .liveness(Liveness::after(Duration::from_secs(3)))
///     .run(|| async {
///         liveness::faults_ended().await;
///         assert_eq!(Instant::now().since_start(), Duration::from_secs(3));
///     });
/// detsim::Runtime::sim(0).block_on(liveness::faults_ended()); // no phase: at once
/// ```
///
/// # Panics
///
/// When polled outside a detsim runtime.
pub async fn faults_ended() {
    let end = context::with_runtime("detsim::liveness::faults_ended", |rt| rt.faults_end_due());
    if let Some(end) = end {
        // A timer at the end fires after the end's repairs, which run
        // first at that instant.
        crate::time::sleep_until(end).await;
    }
}

/// Says that the system has recovered: once the faults have ended, the
/// recovery deadline no longer applies and the run goes on as an ordinary
/// one (for as long as the body wants to check more). Before the end,
/// and without a phase, it does nothing, so a monitor task may call it
/// whenever it sees the system healthy: only health after the last fault
/// counts.
///
/// ```
/// use std::time::Duration;
/// use detsim::liveness::{self, Liveness};
/// use detsim::time::sleep;
///
/// detsim::Sim::new()
///     .liveness(Liveness::after(Duration::from_secs(1)).within(Duration::from_secs(2)))
///     .run(|| async {
///         liveness::faults_ended().await;
///         liveness::recovered();
///         // Past the deadline, and fine: recovery was declared in time.
///         sleep(Duration::from_secs(10)).await;
///     });
/// ```
///
/// # Panics
///
/// Outside a detsim runtime.
#[track_caller]
pub fn recovered() {
    context::with_runtime("detsim::liveness::recovered", |rt| rt.mark_recovered());
}
