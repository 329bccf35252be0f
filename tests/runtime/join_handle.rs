//! `JoinHandle`: awaiting, aborting, detaching, and `is_finished`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use detsim::task::{self, JoinHandle, yield_now};
use detsim::time::{Duration, Instant, sleep};
use detsim::{Sim, spawn};

/// Sets its flag when dropped: shows whether a task's future was dropped.
struct SetOnDrop(Rc<Cell<bool>>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[test]
fn aborting_a_sleeping_task_drops_its_future_and_awaiting_reports_cancelled() {
    Sim::new().seeds(20).run(|| async {
        let dropped = Rc::new(Cell::new(false));
        let reached_end = Rc::new(Cell::new(false));
        let task = spawn({
            let guard = SetOnDrop(Rc::clone(&dropped));
            let reached_end = Rc::clone(&reached_end);
            async move {
                let _guard = guard;
                sleep(Duration::from_secs(1)).await;
                reached_end.set(true);
            }
        });
        sleep(Duration::from_millis(1)).await;
        assert!(!task.is_finished());
        task.abort();
        assert!(dropped.get(), "abort drops the future at once");
        assert!(task.is_finished(), "an aborted task is finished");
        let err = task.await.unwrap_err();
        assert!(err.is_cancelled());
        assert_eq!(err.to_string(), "task was cancelled");
        sleep(Duration::from_secs(2)).await;
        assert!(!reached_end.get(), "an aborted task never runs again");
    });
}

#[test]
fn aborting_a_finished_task_keeps_its_output() {
    Sim::new().seeds(20).run(|| async {
        let task = spawn(async { 7 });
        while !task.is_finished() {
            yield_now().await;
        }
        task.abort();
        assert_eq!(task.await, Ok(7));
    });
}

#[test]
fn is_finished_turns_true_only_when_the_task_completes() {
    Sim::new().seeds(20).run(|| async {
        let task = spawn(sleep(Duration::from_millis(10)));
        assert!(!task.is_finished(), "not even polled yet");
        sleep(Duration::from_millis(9)).await;
        assert!(!task.is_finished(), "1 ms before its deadline");
        sleep(Duration::from_millis(1)).await;
        // Both timers fire at t=10ms; the seed picks who runs first.
        while !task.is_finished() {
            yield_now().await;
        }
        assert_eq!(Instant::now().since_start(), Duration::from_millis(10));
        task.await.unwrap();
    });
}

#[test]
fn dropping_a_join_handle_detaches_the_task_which_keeps_running() {
    Sim::new().seeds(20).run(|| async {
        let done_at = Rc::new(Cell::new(None));
        drop(spawn({
            let done_at = Rc::clone(&done_at);
            async move {
                sleep(Duration::from_millis(5)).await;
                done_at.set(Some(Instant::now()));
            }
        }));
        sleep(Duration::from_millis(6)).await;
        assert_eq!(
            done_at.get().map(Instant::since_start),
            Some(Duration::from_millis(5))
        );
    });
}

#[test]
fn a_task_that_aborts_itself_stops_at_its_next_await() {
    Sim::new().seeds(20).run(|| async {
        let own: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
        let steps = Rc::new(Cell::new(0));
        let task = spawn({
            let (own, steps) = (Rc::clone(&own), Rc::clone(&steps));
            async move {
                yield_now().await;
                steps.set(1);
                own.borrow().as_ref().expect("handle stored").abort();
                yield_now().await;
                steps.set(2);
            }
        });
        *own.borrow_mut() = Some(task);
        sleep(Duration::from_millis(1)).await;
        assert_eq!(steps.get(), 1, "the task ran until its abort, then no more");
        let task = own.borrow_mut().take().unwrap();
        assert!(task.is_finished());
        assert!(task.await.unwrap_err().is_cancelled());
    });
}

#[test]
fn tasks_spawned_by_tasks_run_and_report_their_ids_in_spawn_order() {
    Sim::new().seeds(20).run(|| async {
        let outer = spawn(async {
            let me = task::id();
            let inner = spawn(async { task::id() });
            let inner_id = inner.id();
            assert_eq!(inner.await.unwrap(), inner_id);
            (me, inner_id)
        });
        let outer_id = outer.id();
        let (me, inner_id) = outer.await.unwrap();
        assert_eq!(me, outer_id);
        assert_eq!(inner_id.as_u64(), outer_id.as_u64() + 1);
    });
}

/// Notes the thread it is dropped on.
struct NoteDropThread(Arc<Mutex<Vec<std::thread::ThreadId>>>);

impl Drop for NoteDropThread {
    fn drop(&mut self) {
        self.0.lock().unwrap().push(std::thread::current().id());
    }
}

#[test]
fn a_join_handle_dropped_on_another_thread_leaves_the_output_to_the_runtime_thread() {
    let drops = Arc::new(Mutex::new(Vec::new()));
    let runtime_thread = std::thread::current().id();
    detsim::Runtime::sim(3).block_on({
        let drops = Arc::clone(&drops);
        async move {
            // Dropped before the task completes, and (the second) after.
            let early = spawn({
                let drops = Arc::clone(&drops);
                async move {
                    sleep(Duration::from_millis(2)).await;
                    NoteDropThread(drops)
                }
            });
            let late = spawn({
                let drops = Arc::clone(&drops);
                async move { NoteDropThread(drops) }
            });
            sleep(Duration::from_millis(1)).await;
            assert!(late.is_finished());
            std::thread::spawn(move || drop((early, late)))
                .join()
                .unwrap();
            sleep(Duration::from_millis(5)).await;
        }
    });
    assert_eq!(*drops.lock().unwrap(), vec![runtime_thread; 2]);
}
