//! What an idle simulated TCP connection keeps alive, both ends counted:
//! the live heap bytes of 1,000 connections, set up and left idle. Pins
//! the bytes per connection reached so far, so they cannot grow back
//! silently, without timing anything: the bytes asked of the allocator
//! are exact and repeatable. Issue 14 asks for at most 1 KiB; the bound
//! here is the one reached, to be lowered as the connection's state
//! shrinks.
//!
//! In a binary of its own, as its counting allocator is global: live
//! bytes go up on every allocation and down on every free, whoever makes
//! them (detsim's own state included, which `detsim::alloc` leaves out of
//! a task's charge on purpose).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[path = "../benches/support/idle_connections.rs"]
mod idle_streams;

use idle_streams::{Streams, open_idle};

/// The system allocator, counting the bytes it has out.
struct Live;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; the counter is
// only bookkeeping.
unsafe impl GlobalAlloc for Live {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static ALLOC: Live = Live;

const CONNECTIONS: usize = 1_000;
const HOSTS: usize = 10;
/// Bytes per connection, both ends: what is reached today (883 B
/// measured) with a little room; issue 14's goal, 1,024 B of RSS, is met
/// by the bench row (944 B at 100,000 connections).
const PER_CONNECTION: usize = 900;
/// What does not grow with the connections: the hosts, their tasks, the
/// listener, the collecting `Vec`s' doubling.
const SLACK: usize = 64 * 1024;

/// Live bytes grown while `CONNECTIONS` connections were set up and left
/// idle (their streams held in two `Vec`s sized beforehand).
fn idle_growth(seed: u64) -> usize {
    let mut config = detsim::Config::default();
    config.faults = detsim::Faults::none();
    detsim::Runtime::with_config(seed, config).block_on(async move {
        let mut net = detsim::net::NetConfig::default();
        net.listen_backlog = CONNECTIONS + 1;
        detsim::net::configure(net);
        let accepted: Streams = Rc::new(RefCell::new(Vec::with_capacity(CONNECTIONS)));
        let connected: Streams = Rc::new(RefCell::new(Vec::with_capacity(CONNECTIONS)));
        let before = LIVE.load(Ordering::Relaxed);
        open_idle(CONNECTIONS, HOSTS, &accepted, &connected).await;
        // Measured at once, as the bench row does.
        let grown = LIVE.load(Ordering::Relaxed).saturating_sub(before);
        assert_eq!(connected.borrow().len(), CONNECTIONS);
        grown
    })
}

#[test]
fn a_thousand_idle_connections_take_no_more_than_the_pinned_bytes_each() {
    let grown = idle_growth(1);
    println!(
        "{CONNECTIONS} idle connections: {grown} B live, {} B each",
        grown / CONNECTIONS
    );
    assert!(
        grown <= CONNECTIONS * PER_CONNECTION + SLACK,
        "{CONNECTIONS} idle connections hold {grown} B ({} B each, both ends): \
         more than {PER_CONNECTION} B each plus {SLACK} B",
        grown / CONNECTIONS
    );
}
