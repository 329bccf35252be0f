//! `DETSIM_TRACE=path.json`: a run as Chrome Trace Event JSON, for Perfetto
//! (ui.perfetto.dev) or `chrome://tracing`.
//!
//! Layout: one process per node (`main` and every host `detsim::net`
//! creates), one thread track per task, named `task#3 `name``; plus a
//! `kernel` process whose single track holds what happens between polls
//! (timers firing, device and network events, faults injected outside a
//! poll). Each poll is a slice on its task's track; kernel events and
//! faults during a poll are instants on that track, and wakes, spawns and
//! finishes are instants on the track of the task they concern.
//!
//! Time: virtual time does not move during a poll, and many events share
//! one instant. So that the viewer shows their order, the displayed clock
//! is virtual time stretched by 1 ns per event within an instant: an
//! event's timestamp is `max(virtual time, previous timestamp + 1 ns)`. It
//! never runs behind virtual time; each event's exact virtual time is in its
//! `args.t`. A poll's slice lasts until the next poll, timer or clock jump,
//! so its length is the number of events it caused, in nanoseconds.

use std::fmt::Write as _;

use crate::runner::exec::TaskTrack;
use crate::task::TaskId;
use crate::trace::{Event, EventKind};

/// The JSON document for `events` (every event of one run).
pub(crate) fn render(events: &[Event], tracks: &[TaskTrack], title: &str) -> String {
    let mut nodes: Vec<&str> = vec!["main"];
    for t in tracks {
        if !nodes.contains(&t.node.as_str()) {
            nodes.push(&t.node);
        }
    }
    // pid 0 is the kernel's; nodes from 1.
    let place = |task: TaskId| -> (usize, u64) {
        let pid = tracks
            .iter()
            .find(|t| t.id == task)
            .and_then(|t| nodes.iter().position(|n| *n == t.node))
            .unwrap_or(0);
        (pid + 1, task.as_u64() + 1)
    };
    let mut out = Vec::new();
    out.push(format!(
        r#"{{"name":"process_name","ph":"M","pid":0,"tid":0,"args":{{"name":{}}}}}"#,
        json_str("kernel (timers, devices, network)")
    ));
    out.push(
        r#"{"name":"thread_name","ph":"M","pid":0,"tid":0,"args":{"name":"kernel"}}"#.to_string(),
    );
    for (i, node) in nodes.iter().enumerate() {
        out.push(format!(
            r#"{{"name":"process_name","ph":"M","pid":{},"tid":0,"args":{{"name":{}}}}}"#,
            i + 1,
            json_str(&format!("node {node}"))
        ));
    }
    for t in tracks {
        let (pid, tid) = place(t.id);
        out.push(format!(
            r#"{{"name":"thread_name","ph":"M","pid":{pid},"tid":{tid},"args":{{"name":{}}}}}"#,
            json_str(&t.label)
        ));
    }
    let mut clock = 0u64;
    let stamps: Vec<u64> = events
        .iter()
        .map(|e| {
            clock = e.at.as_nanos().max(clock + 1);
            clock
        })
        .collect();
    let mut polling: Option<(TaskId, usize)> = None;
    let close = |out: &mut Vec<String>, poll: Option<(TaskId, usize)>, end: u64| {
        if let Some((task, start)) = poll {
            let (pid, tid) = place(task);
            let begin = stamps[start];
            out.push(format!(
                r#"{{"name":"poll","cat":"poll","ph":"X","pid":{pid},"tid":{tid},"ts":{},"dur":{},"args":{{"t":{}}}}}"#,
                micros(begin),
                micros(end.saturating_sub(begin).max(1)),
                json_str(&events[start].at.to_string())
            ));
        }
    };
    for (i, event) in events.iter().enumerate() {
        let ts = stamps[i];
        let t = json_str(&event.at.to_string());
        let instant = |(pid, tid): (usize, u64), name: &str, cat: &str, args: String| {
            format!(
                r#"{{"name":{},"cat":"{cat}","ph":"i","s":"t","pid":{pid},"tid":{tid},"ts":{},"args":{{"t":{t}{args}}}}}"#,
                json_str(name),
                micros(ts)
            )
        };
        let here = polling.map_or((0, 0), |(task, _)| place(task));
        match &event.kind {
            EventKind::Polled { task } => {
                close(&mut out, polling.take(), ts);
                polling = Some((*task, i));
            }
            EventKind::ClockAdvanced => {
                close(&mut out, polling.take(), ts);
            }
            EventKind::TimerFired { timer } => {
                close(&mut out, polling.take(), ts);
                out.push(instant(
                    (0, 0),
                    "timer fired",
                    "timer",
                    format!(r#","timer":{timer}"#),
                ));
            }
            EventKind::Spawned { task } => {
                out.push(instant(place(*task), "spawn", "task", String::new()))
            }
            EventKind::Woken { task } => {
                out.push(instant(place(*task), "wake", "task", String::new()))
            }
            EventKind::Finished { task } => {
                out.push(instant(place(*task), "finish", "task", String::new()))
            }
            EventKind::Aborted { task } => {
                out.push(instant(place(*task), "abort", "task", String::new()))
            }
            EventKind::Kernel {
                resource,
                what,
                value,
            } => out.push(instant(
                here,
                what,
                "kernel",
                format!(r#","resource":{},"value":{value}"#, resource.as_u64()),
            )),
            EventKind::Fault {
                kind,
                target,
                value,
                ..
            } => out.push(instant(
                here,
                &format!("FAULT {kind}"),
                "fault",
                format!(r#","target":{target},"value":{value}"#),
            )),
        }
    }
    let end = stamps.last().map_or(0, |&s| s + 1);
    close(&mut out, polling.take(), end);
    let mut json = String::new();
    let _ = writeln!(
        json,
        "{{\"displayTimeUnit\":\"ns\",\"otherData\":{{\"run\":{}}},\"traceEvents\":[",
        json_str(title)
    );
    json.push_str(&out.join(",\n"));
    json.push_str("\n]}\n");
    json
}

/// Nanoseconds as the format's microseconds.
fn micros(nanos: u64) -> String {
    format!("{}.{:03}", nanos / 1_000, nanos % 1_000)
}

/// `s` as a JSON string literal.
fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
