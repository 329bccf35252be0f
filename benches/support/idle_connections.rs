//! Idle simulated TCP connections, opened for a memory measurement: the
//! `idle_connections` bench row (issue 14, item 6) and the test that pins
//! its level (`tests/idle_memory.rs`) open them the same way.
//!
//! `count` connections go from `hosts` client hosts to one server host
//! listening on port 80; every stream, both ends, is pushed into the
//! caller's vectors, so the caller decides what is measured around the
//! call (and whether the vectors were sized beforehand).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use detsim::net::{self, TcpListener, TcpStream};

/// The streams of both ends, shared with the tasks that push them.
pub type Streams = Rc<RefCell<Vec<TcpStream>>>;

/// Opens `count / hosts * hosts` connections and returns once the server
/// has accepted every one; call it inside a simulated runtime whose
/// listen backlog is at least `count`. The handshakes leave nothing
/// scheduled behind (their SYN retransmissions are cancelled).
pub async fn open_idle(count: usize, hosts: usize, accepted: &Streams, connected: &Streams) {
    let per_host = count / hosts;
    let server_accepted = Rc::clone(accepted);
    net::host("server", move || {
        let accepted = Rc::clone(&server_accepted);
        async move {
            let listener = TcpListener::bind("0.0.0.0:80").await?;
            loop {
                let (conn, _) = listener.accept().await?;
                accepted.borrow_mut().push(conn);
            }
            #[allow(unreachable_code)]
            std::io::Result::Ok(())
        }
    });
    let clients: Vec<_> = (0..hosts)
        .map(|h| {
            let connected = Rc::clone(connected);
            net::client(&format!("client-{h}"), async move {
                for _ in 0..per_host {
                    let conn = TcpStream::connect("server:80").await.unwrap();
                    connected.borrow_mut().push(conn);
                }
            })
        })
        .collect();
    for c in clients {
        c.await.unwrap();
    }
    while accepted.borrow().len() < per_host * hosts {
        detsim::time::sleep(Duration::from_millis(1)).await;
    }
}
