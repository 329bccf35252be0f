//! An echo server and its clients, correct under the default fault plan:
//! short reads, partial writes, spurious readiness and wakes, delayed
//! readiness, UDP loss. Every seed is a different interleaving and fault
//! pattern; the echo must come back byte for byte on all of them.
//!
//! ```text
//! cargo run --example echo                    # 200 seeds
//! cargo run --example echo -- --seeds 1000
//! cargo run --example echo -- --os 127.0.0.1:7007   # serve for real, until killed
//! ```
//!
//! With `--os ADDR` the very same `serve` function runs on the OS backend
//! (`Runtime::os()`: real epoll, real sockets) and answers any client,
//! e.g. `nc 127.0.0.1 7007`.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant as HostInstant;

use detsim::net::{self, TcpListener, TcpStream};
use detsim::trace::EventKind;
use detsim::{Config, Faults, Runtime, spawn};
use futures::{AsyncReadExt, AsyncWriteExt};

const CLIENTS: usize = 4;
const MESSAGES_PER_CLIENT: usize = 10;

/// The server: one task per connection, copying what it reads back.
async fn serve(listener: TcpListener) -> std::io::Result<()> {
    loop {
        let (conn, _) = listener.accept().await?;
        spawn(async move {
            let (mut r, mut w) = conn.into_split();
            futures::io::copy(&mut r, &mut w).await
        });
    }
}

/// One client: sends messages of random sizes, checks each echo, returns
/// how many it checked.
async fn client(id: usize) -> usize {
    let mut conn = TcpStream::connect("echo:7").await.expect("connect");
    for i in 0..MESSAGES_PER_CLIENT {
        let len = detsim::rand::random_range(1..4_000);
        let msg: Vec<u8> = (0..len).map(|j| (j + i + id) as u8).collect();
        conn.write_all(&msg).await.expect("write");
        let mut back = vec![0; len];
        conn.read_exact(&mut back).await.expect("read");
        assert_eq!(back, msg, "client {id}: message {i} came back different");
    }
    MESSAGES_PER_CLIENT
}

/// The whole simulation of one seed: returns the messages echoed.
async fn echo_world() -> usize {
    net::host("echo", || async {
        serve(TcpListener::bind("0.0.0.0:7").await?).await
    });
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| net::client(&format!("client-{c}"), client(c)))
        .collect();
    let mut echoed = 0;
    for c in clients {
        echoed += c.await.expect("client task");
    }
    echoed
}

/// Serves echo on a real socket until killed: the code tested above, on the
/// OS backend.
fn serve_on_os(addr: &str) -> ExitCode {
    let rt = match Runtime::os() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("echo: cannot start the OS runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        let listener = TcpListener::bind(addr).await?;
        println!(
            "echo: serving on {} (OS backend: real epoll and sockets); stop with Ctrl-C",
            listener.local_addr()?
        );
        use std::io::Write as _;
        std::io::stdout().flush()?;
        serve(listener).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("echo: {addr}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut seeds: u64 = 200;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--os" => {
                let Some(addr) = args.get(i + 1) else {
                    eprintln!("echo: --os needs an address to serve on, e.g. --os 127.0.0.1:7007");
                    return ExitCode::from(2);
                };
                return serve_on_os(addr);
            }
            "--seeds" => {
                seeds = args
                    .get(i + 1)
                    .and_then(|s| s.parse().ok())
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| {
                        eprintln!("echo: --seeds needs a positive number, e.g. --seeds 1000");
                        std::process::exit(2)
                    });
                i += 1;
            }
            other => {
                eprintln!("echo: unknown argument `{other}`; try --seeds N or --os ADDR");
                return ExitCode::from(2);
            }
        }
        i += 1;
    }

    println!(
        "echo: {CLIENTS} clients x {MESSAGES_PER_CLIENT} messages over simulated TCP, \
         default faults, {seeds} seeds"
    );
    let started = HostInstant::now();
    let mut faults: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut echoed = 0;
    let mut virtual_total = std::time::Duration::ZERO;
    for seed in 0..seeds {
        let mut config = Config::default();
        config.faults = Faults::default();
        config.record_all_events = true;
        let rt = Runtime::with_config(seed, config);
        match rt.try_block_on(echo_world()) {
            Ok(n) => echoed += n,
            Err(failure) => {
                eprintln!("{failure}");
                eprintln!("echo: seed {seed:#x} failed; the echo server or client is wrong");
                return ExitCode::FAILURE;
            }
        }
        virtual_total += rt.now() - detsim::time::Instant::ZERO;
        for event in rt.take_events().unwrap_or_default() {
            if let EventKind::Fault { kind, .. } = event.kind {
                *faults.entry(kind.name()).or_default() += 1;
            }
        }
    }
    let injected: u64 = faults.values().sum();
    println!("seeds run:        {seeds}");
    println!("messages echoed:  {echoed} (all byte for byte)");
    println!("faults injected:  {injected}");
    for (kind, n) in &faults {
        println!("    {kind:<20} {n}");
    }
    println!(
        "time:             {virtual_total:?} simulated, {:?} on the host",
        started.elapsed()
    );
    ExitCode::SUCCESS
}
