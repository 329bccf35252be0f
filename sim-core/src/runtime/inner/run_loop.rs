//! The executor loop: run a `block_on` future and the tasks it spawns,
//! one poll at a time, until it completes or the run fails; which runnable
//! task goes next (seeded or FIFO); and the scheduling faults injected
//! after a poll.

use std::future::Future;
use std::panic::Location;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::{Context, Poll};

use super::watch::PollWatch;
use crate::failure::{Failure, FailureKind};
use crate::faults::FaultKind;
use crate::runtime::TaskKey;
use crate::runtime::{RuntimeInner, panic};
use crate::task::TaskId;
use crate::trace::EventKind;

/// A caught panic: its message and location.
type Caught = (String, Option<String>);

impl RuntimeInner {
    /// Runs `future` and every task it spawns until `future` completes or
    /// the run fails.
    pub(crate) fn run<F: Future>(
        self: &Rc<Self>,
        future: F,
        location: &'static Location<'static>,
    ) -> Result<F::Output, Box<Failure>> {
        let future = pin!(future);
        let (main_id, _) = self.exec.register_main(location);
        self.record(EventKind::Spawned { task: main_id });
        let _capture = panic::capture();
        if let Some(heartbeat) = &self.config.heartbeat {
            heartbeat.running(self.seed, true);
        }
        #[allow(clippy::result_large_err)] // see `run_loop`
        let result = self.run_loop(future);
        self.watchdog.end_run();
        if let Some(heartbeat) = &self.config.heartbeat {
            heartbeat.running(self.seed, false);
        }
        self.warn_long_polls();
        let result = match result {
            Ok(result) => result,
            // A kernel event or detsim itself panicked, outside any poll.
            Err((message, location)) => Err(FailureKind::Panic {
                task: self.task_desc(self.exec.current_id().unwrap_or(main_id)),
                message: format!("panic outside a task poll (in a kernel event): {message}"),
                location,
            }),
        };
        // Snapshot the report before the main future drops: its Drop impls
        // would add events that did not lead to the failure.
        let result = result.map_err(|kind| Box::new(self.failure(kind)));
        self.exec.unregister_main();
        result
    }

    /// The executor loop, [`RuntimeInner::run_polls`], with its panics
    /// caught: a poll's (the task being polled fails the run, and the
    /// loop goes on to stop), or one outside any poll (a kernel event or
    /// detsim itself: returned as `Err` for `run` to report). Caught here,
    /// around the loop, rather than around each poll: the common poll
    /// pays for no catch and no wrapped result.
    #[allow(clippy::result_large_err)]
    fn run_loop<F: Future>(
        &self,
        mut future: Pin<&mut F>,
    ) -> Result<Result<F::Output, FailureKind>, Caught> {
        // Where the `block_on` future's output lands: a poll's outcome is
        // then the same small value for every task, tested as cheaply.
        let mut output = None;
        loop {
            match panic::catch_captured(|| self.run_polls(future.as_mut(), &mut output)) {
                Ok(result) => return Ok(result),
                Err(caught) => {
                    // A poll is under way from `begin_poll` to `end_poll_*`:
                    // the panic came from it.
                    let Some(key) = self.exec.polled_key() else {
                        return Err(caught);
                    };
                    self.poll_panicked(key, caught);
                }
            }
        }
    }

    /// A poll of task `key` panicked: the task leaves (its future dropped,
    /// a second panic contained) and the run fails with the panic.
    #[cold]
    fn poll_panicked(&self, key: TaskKey, (message, location): Caught) {
        let id = self.exec.current_id();
        if let Some(id) = id {
            self.close_poll(None, false, key, id);
        }
        self.watchdog.excuse_panicked_poll();
        let task = self.exec.end_poll_ready(key);
        // The future may panic again while dropped: contain it.
        let _ = panic::catch_captured(move || {
            if let Some(task) = task {
                task.drop_future();
            }
        });
        self.fail(FailureKind::Panic {
            task: self.task_desc(id.unwrap_or(TaskId(0))),
            message,
            location,
        });
    }

    /// The executor loop proper; see the module docs of `runtime`. A
    /// panic unwinds out of it (see [`RuntimeInner::run_loop`]).
    // The error is returned once per run, on the cold path: boxing it would
    // only add an allocation.
    #[allow(clippy::result_large_err)]
    fn run_polls<F: Future>(
        &self,
        mut future: Pin<&mut F>,
        output: &mut Option<F::Output>,
    ) -> Result<F::Output, FailureKind> {
        loop {
            // Tested, then reset: no store on the common path.
            if self.failed.get() {
                self.failed.set(false);
                let kind = self.failure.borrow_mut().take();
                return Err(kind.expect("`failed` is set together with the failure"));
            }
            self.kernel.begin_turn();
            self.deliver_due();
            if self.exec.queue.has_remote_work() {
                self.take_remote_work();
            }
            let Some(raw) = self.pick() else {
                if self.advance() {
                    continue;
                }
                return Err(self.deadlock());
            };
            let Some((key, polling)) = self.exec.begin_poll(raw) else {
                continue;
            };
            let id = polling.id;
            self.record_task(EventKind::Polled { task: id });
            let mut cx = Context::from_waker(polling.waker());
            // The watch mode is asked once: a plain run's poll is counted,
            // with no probe stored and no second test after the poll.
            let outcome = if self.poll_watch == PollWatch::Plain {
                self.watchdog.count_poll();
                match polling.poll_task(&mut cx) {
                    Some(poll) => poll,
                    None => future.as_mut().poll(&mut cx).map(|out| *output = Some(out)),
                }
            } else {
                let probe = self.open_poll(id);
                let outcome = match polling.poll_task(&mut cx) {
                    Some(poll) => poll,
                    None => future.as_mut().poll(&mut cx).map(|out| *output = Some(out)),
                };
                self.close_poll(probe, true, key, id);
                outcome
            };
            match outcome {
                Poll::Ready(()) => {
                    let task = self.exec.end_poll_ready(key);
                    self.scheduler.forget(key.raw());
                    self.record_task(EventKind::Finished { task: id });
                    if let Some(task) = task {
                        task.drop_future();
                    }
                    if let Some(out) = output.take() {
                        // The body's last poll may have failed the run too
                        // (a confirmed long poll): that failure stands.
                        if self.failed.replace(false) {
                            let kind = self.failure.borrow_mut().take();
                            return Err(kind.expect("`failed` is set together with the failure"));
                        }
                        return Ok(out);
                    }
                }
                Poll::Pending => {
                    if let Some(gone) = self.exec.end_poll_pending(key) {
                        self.record(EventKind::Aborted { task: id });
                        gone.drop_future();
                        self.inject_scheduling_faults(None);
                    } else if self.faults.scheduling_on() {
                        // Tested here, not only inside: the argument is then
                        // built on the rare path alone.
                        self.inject_scheduling_faults_now(Some((id, raw)));
                    }
                }
            }
        }
    }
    /// Wakes made on other threads join the run queue, then the releases
    /// deferred from other threads are carried out. Out of line: under
    /// the simulation there are none.
    #[cold]
    #[inline(never)]
    fn take_remote_work(&self) {
        self.exec.collect_wakes();
        self.run_deferred();
    }

    /// The next task to poll, chosen by the run's [`Scheduling`]. Also notes
    /// since when nothing has been runnable. Inlined into the loop: with
    /// one runnable task, a pop.
    #[inline(always)]
    fn pick(&self) -> Option<u64> {
        // SAFETY: the scheduler's choice and the prefetch hint read keys,
        // slots and the scheduler's stream only: neither wakes a task.
        let picked = unsafe {
            self.exec.with_run_queue(|runnable| match runnable.len() {
                0 => None,
                // The only key: taken by emptying the queue, which also
                // starts it over at the front of its ring.
                1 => {
                    let key = runnable.front();
                    runnable.clear();
                    key
                }
                _ => {
                    self.exec.prefetch_window(runnable);
                    self.scheduler.pick(runnable)
                }
            })
        };
        match picked {
            Some(_) => self.idle_since.set(None),
            None if self.idle_since.get().is_none() => {
                self.idle_since.set(Some(self.kernel.clock()));
            }
            None => {}
        }
        picked
    }

    /// After a poll that returned `Pending`, maybe wake or poll a task for
    /// no reason, as a real executor may: correct futures must tolerate
    /// both. `pending` is the task that just returned `Pending` (none if
    /// it was aborted meanwhile).
    #[inline]
    fn inject_scheduling_faults(&self, pending: Option<(TaskId, u64)>) {
        if self.faults.scheduling_on() {
            self.inject_scheduling_faults_now(pending);
        }
    }

    /// A spurious wake wakes any task, picked uniformly (`block_on`'s
    /// future included): a stale waker, cloned into something the task no
    /// longer waits on, fires at any time. A spurious poll polls again the
    /// task that has just returned `Pending`, as `join!` and `select!` poll
    /// every branch when one is woken: the second poll finds nothing new.
    /// Aimed there, every hit tests a future that has just registered
    /// interest, and costs no search among the tasks.
    #[cold]
    fn inject_scheduling_faults_now(&self, pending: Option<(TaskId, u64)>) {
        let targets = self.exec.fault_targets();
        if targets > 0 && self.faults.roll(FaultKind::SpuriousWake) {
            let nth = self.faults.pick(FaultKind::SpuriousWake, targets as u64) as usize;
            if let Some((id, waker)) = self.exec.fault_target(nth) {
                self.record_fault(FaultKind::SpuriousWake, id.0, 0);
                waker.wake();
            }
        }
        if let Some((id, raw)) = pending {
            if self.faults.roll(FaultKind::SpuriousPoll) {
                self.record_fault(FaultKind::SpuriousPoll, id.0, 0);
                // SAFETY: a push reaches nothing else.
                unsafe { self.exec.with_run_queue(|q| q.push_back(raw)) };
            }
        }
    }
}
