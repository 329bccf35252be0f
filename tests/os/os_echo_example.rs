//! `cargo run --example echo -- --os ADDR` serves real clients: the code
//! tested under the simulation answers `std::net` and, where installed,
//! `nc`, which nobody here wrote.

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The example's binary, next to the test binaries. `cargo test` builds
/// examples, but `cargo test --test os` does not, so build it when it is
/// missing or older than this test binary.
fn example_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let profile_dir = exe.parent().and_then(|d| d.parent()).expect("target dir");
    let bin = profile_dir.join("examples").join(name);
    let modified = |p: &std::path::Path| p.metadata().and_then(|m| m.modified()).ok();
    if modified(&bin) < modified(&exe) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let target_dir = profile_dir.parent().expect("target dir");
        let status = Command::new(cargo)
            .args(["build", "--example", name, "--profile", "test"])
            .env("CARGO_TARGET_DIR", target_dir)
            .status()
            .expect("run cargo build");
        assert!(status.success(), "building the {name} example failed");
    }
    bin
}

/// Kills the server even if an assertion fails.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the example on an ephemeral port and returns it with the address
/// it printed.
fn start_echo() -> (Server, String) {
    let bin = example_binary("echo");
    assert!(
        bin.exists(),
        "{} is missing: cargo test builds examples",
        bin.display()
    );
    let mut child = Command::new(bin)
        .args(["--os", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the echo example");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split_whitespace()
        .find(|w| w.starts_with("127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    (Server(child), addr)
}

#[test]
fn the_echo_example_serves_a_std_client_on_the_os_backend() {
    let (_server, addr) = start_echo();
    let mut conn = TcpStream::connect(&addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let message: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    conn.write_all(&message).unwrap();
    let mut back = vec![0; message.len()];
    conn.read_exact(&mut back).unwrap();
    assert_eq!(back, message);
    // A second client at the same time.
    let mut other = TcpStream::connect(&addr).unwrap();
    other
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    other.write_all(b"hello").unwrap();
    let mut five = [0u8; 5];
    other.read_exact(&mut five).unwrap();
    assert_eq!(&five, b"hello");
}

#[test]
fn the_echo_example_answers_nc_when_nc_is_installed() {
    let Some(nc) = ["/usr/bin/nc", "/bin/nc", "/usr/bin/ncat", "/usr/bin/netcat"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        eprintln!(
            "skipped: no nc, ncat or netcat on this machine (the std::net client test still ran)"
        );
        return;
    };
    let (_server, addr) = start_echo();
    let (host, port) = addr.rsplit_once(':').unwrap();
    // `-q 1` (Debian netcat) / `-N` would close after stdin ends; the
    // portable way is a timeout on the read side, so use -w.
    let out = Command::new(nc)
        .args(["-w", "2", host, port])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(b"ping from nc\n")?;
            child.wait_with_output()
        })
        .expect("run nc");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ping from nc\n");
}
