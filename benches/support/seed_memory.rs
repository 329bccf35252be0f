//! Memory per seed: does a long sweep in one process keep what its seeds
//! allocated? (issue 10, item 7)
//!
//! Runs `first` seeds of a small scenario that uses the network and the
//! disk (a TCP round trip, a UDP receive that times out, a fsynced write),
//! reads the resident set size, runs `more` seeds, reads it again and
//! divides the growth by `more`. A run whose memory is freed when it ends
//! grows by nothing per seed; a runtime kept alive by a reference cycle
//! grows by its whole size (tens of KB) per seed.

use std::io;
use std::time::Duration;

use detsim::net::{self, TcpListener, TcpStream, UdpSocket};
use detsim::time::timeout;
use futures::{AsyncReadExt, AsyncWriteExt};

/// What [`seed_memory`] measured.
pub struct SeedMemoryReport {
    /// Seeds run before the first reading.
    pub first: u64,
    /// Seeds run between the two readings.
    pub more: u64,
    /// Resident set size after `first` seeds, bytes.
    pub rss_first: u64,
    /// Resident set size after `first + more` seeds, bytes.
    pub rss_after: u64,
}

impl SeedMemoryReport {
    /// Growth between the readings, per seed run between them.
    pub fn bytes_per_seed(&self) -> f64 {
        self.rss_after.saturating_sub(self.rss_first) as f64 / self.more as f64
    }
}

/// One seed: a TCP echo over the simulated network, a fsynced file write,
/// and a UDP receive whose timeout fires (the body's last poll registered
/// interest in the socket).
async fn scenario() -> io::Result<()> {
    net::host("server", || async {
        let listener = TcpListener::bind("0.0.0.0:7").await?;
        let (mut conn, _) = listener.accept().await?;
        let mut buf = [0; 5];
        conn.read_exact(&mut buf).await?;
        conn.write_all(&buf).await?;
        io::Result::Ok(())
    });
    let mut conn = TcpStream::connect("server:7").await?;
    conn.write_all(b"hello").await?;
    let mut back = [0; 5];
    conn.read_exact(&mut back).await?;
    let file = detsim::fs::File::create("/data").await?;
    let (written, _) = file.write_all_at(b"abc".to_vec(), 0).await;
    written?;
    file.sync_all().await?;
    // Last: the body's final poll registers interest in the socket, then
    // returns Ready because the timeout fired.
    let udp = UdpSocket::bind("0.0.0.0:9").await?;
    let mut buf = [0; 16];
    let nothing = timeout(Duration::from_millis(1), udp.recv_from(&mut buf)).await;
    assert!(nothing.is_err(), "nobody sends to the UDP socket");
    Ok(())
}

/// Runs `range` seeds of the scenario in this process, on this thread.
fn sweep(range: std::ops::Range<u64>) {
    detsim::Sim::new()
        .seed_range(range)
        .jobs(1)
        .regressions(false)
        .long_poll_budget(Duration::ZERO)
        .run(scenario);
}

/// `first` seeds, a reading, `more` seeds, a reading. `rss` reads the
/// resident set size in bytes.
pub fn seed_memory(first: u64, more: u64, rss: fn() -> u64) -> SeedMemoryReport {
    sweep(0..first);
    let rss_first = rss();
    sweep(first..first + more);
    SeedMemoryReport {
        first,
        more,
        rss_first,
        rss_after: rss(),
    }
}
