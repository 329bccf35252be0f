//! A client that retries a non-idempotent request after a timeout.
//!
//! The server applies an increment, makes it durable (an fsync, 0.2 to
//! 2 ms on the default simulated disk) and answers. The client gives up
//! on an answer after 1 ms and sends the increment again on a new
//! connection; the first attempt was applied all the same, so the counter
//! counts it twice. No fault is needed: latency varies. The fixed client
//! sends an id with each increment, and the server applies an id once.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::rc::Rc;

use detsim::fs::File;
use detsim::net::{self, TcpListener, TcpStream};
use detsim::time::{Duration, timeout};
use futures::{AsyncReadExt, AsyncWriteExt};

/// Increments the client makes.
const INCREMENTS: u64 = 5;

/// The server's state: the counter, and the ids it applied.
#[derive(Default)]
struct Counter {
    value: Cell<u64>,
    applied: RefCell<BTreeSet<u64>>,
}

/// Serves one connection: reads an increment's id, applies it (the fixed
/// server once per id), fsyncs the counter, answers.
async fn serve(mut conn: TcpStream, counter: Rc<Counter>, file: Rc<File>, fixed: bool) {
    let mut id = [0; 8];
    if conn.read_exact(&mut id).await.is_err() {
        return;
    }
    let id = u64::from_be_bytes(id);
    // BUG (unless fixed): a retried increment is applied again.
    if !fixed || counter.applied.borrow_mut().insert(id) {
        counter.value.set(counter.value.get() + 1);
        let bytes = counter.value.get().to_le_bytes().to_vec();
        if file.write_all_at(bytes, 0).await.0.is_err() || file.sync_all().await.is_err() {
            return;
        }
    }
    // The client may have given up and closed: the answer then fails.
    let _ = conn.write_all(b"ok").await;
}

/// A client makes [`INCREMENTS`] increments, each retried on a new
/// connection after a 1 ms timeout; the counter must end at
/// [`INCREMENTS`].
pub async fn timeout_retry_applied_twice(fixed: bool) {
    let counter = Rc::new(Counter::default());
    let state = Rc::clone(&counter);
    net::host("counter", move || {
        let counter = Rc::clone(&state);
        async move {
            let listener = TcpListener::bind("0.0.0.0:80").await?;
            let file = Rc::new(File::create("/counter").await?);
            loop {
                let (conn, _) = listener.accept().await?;
                detsim::spawn(serve(conn, Rc::clone(&counter), Rc::clone(&file), fixed));
            }
            #[allow(unreachable_code)]
            std::io::Result::Ok(())
        }
    });
    for id in 0..INCREMENTS {
        loop {
            let mut conn = TcpStream::connect("counter:80").await.unwrap();
            conn.write_all(&id.to_be_bytes()).await.unwrap();
            let mut answer = [0; 2];
            if let Ok(Ok(())) =
                timeout(Duration::from_millis(1), conn.read_exact(&mut answer)).await
            {
                break;
            }
        }
    }
    assert_eq!(
        counter.value.get(),
        INCREMENTS,
        "an increment was applied twice"
    );
}
