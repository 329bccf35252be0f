//! A broadcast chat server with many idle clients: 100 client hosts with
//! 100 connections each (10,000 connections) by default, then one speaker
//! whose lines reach every client. Reports memory per connection,
//! simulated time and host time.
//!
//! ```text
//! cargo run --release --example chat
//! cargo run --release --example chat -- --clients 100000
//! ```
//!
//! Idle connections cost memory but no work: nothing is scheduled for a
//! connection that has nothing in flight.

use std::cell::{Cell, RefCell};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Instant as HostInstant;

use detsim::net::{self, NetConfig, OwnedWriteHalf, TcpListener, TcpStream};
use detsim::time::{Duration, Instant, sleep};
use detsim::{Config, Runtime, spawn};
use futures::{AsyncBufReadExt, AsyncWriteExt, io::BufReader};

const CLIENT_HOSTS: usize = 100;
const LINES: usize = 3;
/// Each reader's line buffer: small, so memory measures connections rather
/// than `BufReader`'s default 8 KiB.
const LINE_BUFFER: usize = 128;

/// The server: every line a client sends goes to every other client.
async fn chat_server(accepted: Rc<Cell<usize>>) -> std::io::Result<()> {
    let listener = TcpListener::bind("0.0.0.0:6667").await?;
    let writers: Rc<RefCell<Vec<Option<OwnedWriteHalf>>>> = Rc::default();
    loop {
        let (conn, _) = listener.accept().await?;
        let (r, w) = conn.into_split();
        let me = {
            let mut ws = writers.borrow_mut();
            ws.push(Some(w));
            ws.len() - 1
        };
        accepted.set(accepted.get() + 1);
        let writers = Rc::clone(&writers);
        spawn(async move {
            let mut lines = BufReader::with_capacity(LINE_BUFFER, r).lines();
            while let Some(Ok(line)) = futures::StreamExt::next(&mut lines).await {
                let msg = format!("{line}\n");
                let count = writers.borrow().len();
                for i in 0..count {
                    if i == me {
                        continue;
                    }
                    // Take the writer out while writing: no borrow across an await.
                    let Some(mut w) = writers.borrow_mut()[i].take() else {
                        continue;
                    };
                    if w.write_all(msg.as_bytes()).await.is_ok() {
                        writers.borrow_mut()[i] = Some(w);
                    }
                }
            }
        });
    }
}

/// A client host with `conns` idle connections, each counting the lines
/// it receives into `received`.
async fn client_host(conns: usize, received: Rc<Cell<usize>>) {
    let mut readers = Vec::with_capacity(conns);
    for _ in 0..conns {
        let conn = TcpStream::connect("chat:6667").await.expect("connect");
        let received = Rc::clone(&received);
        readers.push(spawn(async move {
            let mut lines = BufReader::with_capacity(LINE_BUFFER, conn).lines();
            while let Some(Ok(_)) = futures::StreamExt::next(&mut lines).await {
                received.set(received.get() + 1);
            }
        }));
    }
    for r in readers {
        let _ = r.await;
    }
}

/// Resident memory of this process, from /proc (Linux); 0 elsewhere.
fn vm_rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let clients = match args.as_slice() {
        [] => 10_000,
        [flag, n] if flag == "--clients" => match n.parse::<usize>() {
            Ok(n) if n >= CLIENT_HOSTS => n,
            _ => {
                eprintln!("chat: --clients needs a number of at least {CLIENT_HOSTS}");
                return ExitCode::from(2);
            }
        },
        _ => {
            eprintln!("chat: usage: chat [--clients N]");
            return ExitCode::from(2);
        }
    };
    let per_host = clients / CLIENT_HOSTS;
    let clients = per_host * CLIENT_HOSTS;
    println!("chat: {CLIENT_HOSTS} client hosts x {per_host} connections = {clients} idle clients");

    let mut config = Config::default();
    // Setting up thousands of connections is one long stretch of work.
    config.long_poll_budget = std::time::Duration::ZERO;
    let rt = Runtime::with_config(1, config);
    rt.block_on(async move {
        let mut net_config = NetConfig::default();
        net_config.listen_backlog = clients + 1;
        net::configure(net_config);
        let accepted = Rc::new(Cell::new(0));
        let received = Rc::new(Cell::new(0));
        {
            let accepted = Rc::clone(&accepted);
            net::host("chat", move || chat_server(Rc::clone(&accepted)));
        }

        let rss_before = vm_rss_bytes();
        let (host_start, sim_start) = (HostInstant::now(), Instant::now());
        for h in 0..CLIENT_HOSTS {
            net::client(
                &format!("client-{h}"),
                client_host(per_host, Rc::clone(&received)),
            );
        }
        while accepted.get() < clients {
            sleep(Duration::from_millis(1)).await;
        }
        let (setup_host, setup_sim) = (host_start.elapsed(), sim_start.elapsed());
        let rss_after = vm_rss_bytes();
        let per_conn = rss_after.saturating_sub(rss_before) as f64 / clients as f64;
        println!(
            "set-up:    {clients} connections in {setup_sim:?} simulated, {setup_host:?} on \
             the host"
        );
        println!(
            "memory:    VmRSS {:.1} MiB -> {:.1} MiB: {per_conn:.0} bytes per connection \
             (both ends, a reader task on each side, buffers empty)",
            rss_before as f64 / 1048576.0,
            rss_after as f64 / 1048576.0
        );

        // Idle: a simulated minute passes at no cost per connection.
        let idle_host = HostInstant::now();
        sleep(Duration::from_secs(60)).await;
        println!(
            "idle:      60 s simulated in {:?} on the host",
            idle_host.elapsed()
        );

        let (host_start, sim_start) = (HostInstant::now(), Instant::now());
        net::client("speaker", async {
            let mut conn = TcpStream::connect("chat:6667").await.expect("connect");
            for i in 0..LINES {
                conn.write_all(format!("speaker says hello #{i}\n").as_bytes())
                    .await
                    .expect("write");
            }
            std::future::pending::<()>().await;
        });
        let want = clients * LINES;
        while received.get() < want {
            sleep(Duration::from_micros(100)).await;
        }
        println!(
            "broadcast: {LINES} lines to {clients} clients ({want} deliveries) in {:?} \
             simulated, {:?} on the host",
            sim_start.elapsed(),
            host_start.elapsed()
        );
    });
    ExitCode::SUCCESS
}
