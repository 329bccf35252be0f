//! The trace digest covers the disk: a disk workload under every fault is
//! a pure function of the seed.

use detsim::fs::{self, File, OpenOptions};
use detsim::task::spawn_blocking;
use detsim::{Faults, Runtime, Sim, spawn};

/// Concurrent writers, fsyncs, renames, a crash and a recovery read,
/// tolerating every injected error.
async fn disk_workload() -> Vec<u8> {
    fs::create_dir_all("/db").await.ok();
    let writers: Vec<_> = (0..8u8)
        .map(|i| {
            spawn(async move {
                let path = format!("/db/{i}");
                let Ok(f) = OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create(true)
                    .open(&path)
                    .await
                else {
                    return;
                };
                let _ = f.write_all_at(vec![i; 6000], u64::from(i) * 100).await;
                let _ = f.sync_all().await;
                let _ = fs::rename(&path, format!("/db/done-{i}")).await;
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }
    let _ = fs::sync_dir("/db").await;
    let checksum = spawn_blocking(|| 42u8).await.unwrap();
    fs::crash();
    let mut seen = vec![checksum];
    if let Ok(entries) = fs::read_dir("/db").await {
        for e in entries {
            let e = e.unwrap();
            if let Ok(f) = File::open(e.path()).await {
                let len = f.metadata().await.map(|m| m.len()).unwrap_or(0);
                seen.push(len as u8);
            }
        }
    }
    seen
}

fn digest(seed: u64) -> (u64, Vec<u8>) {
    let mut config = detsim::Config::default();
    config.faults = Faults::chaos();
    let rt = Runtime::with_config(seed, config);
    let seen = rt.block_on(disk_workload());
    (rt.digest(), seen)
}

#[test]
fn the_same_seed_gives_the_same_disk_digest_under_chaos() {
    for seed in [0, 1, 0x5eed] {
        assert_eq!(digest(seed), digest(seed), "seed {seed:#x}");
    }
    assert_ne!(digest(1).0, digest(2).0);
}

#[test]
fn the_determinism_check_passes_a_disk_workload_under_chaos() {
    Sim::new()
        .faults(Faults::chaos())
        .check_determinism(true)
        .seeds(50)
        .run(|| async {
            disk_workload().await;
        });
}
