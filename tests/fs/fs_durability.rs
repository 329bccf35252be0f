//! What survives a crash: fsynced data and fsynced directory entries
//! always; everything else as the seed decides.

use detsim::faults::CrashOutcome;
use detsim::fs::{self, DiskConfig, File, OpenOptions};
use detsim::node;
use detsim::task::Builder;
use detsim::{Config, Faults, Probability, Runtime, Sim};

fn runtime(seed: u64, faults: Faults) -> Runtime {
    let mut config = Config::default();
    config.faults = faults;
    Runtime::with_config(seed, config)
}

/// No faults, but a crash that decides each unsynced change from the seed
/// (lost with chance 1/2): the tests below count how often each happens.
fn seeded_crash() -> Faults {
    let mut faults = Faults::none();
    faults.disk.crash_outcome = CrashOutcome::Seeded;
    faults.disk.crash_loss = Probability::new(0.5).unwrap();
    faults
}

/// Creates `path` with `data`, all of it durable (data, name, parents).
async fn durable_file(path: &str, data: &[u8]) {
    fs::write(path, data).await.unwrap();
    File::open(path).await.unwrap().sync_all().await.unwrap();
    fs::sync_dir("/").await.unwrap();
}

#[test]
fn write_then_fsync_then_crash_keeps_the_data() {
    // Everything but IO errors: short and reordered completions, torn
    // and lost writes at the crash.
    let mut faults = Faults::default();
    faults.disk.read_error = Probability::NEVER;
    faults.disk.write_error = Probability::NEVER;
    faults.disk.fsync_error = Probability::NEVER;
    Sim::new().faults(faults).seeds(200).run(|| async {
        let f = File::create("/data").await.unwrap();
        let (res, _) = f.write_all_at(vec![7; 10_000], 0).await;
        res.unwrap();
        f.sync_all().await.unwrap();
        fs::sync_dir("/").await.unwrap();
        fs::crash();
        assert_eq!(fs::read("/data").await.unwrap(), vec![7; 10_000]);
    });
}

#[test]
fn write_without_fsync_then_crash_is_lost_on_some_seeds_and_kept_on_others() {
    let (mut lost, mut kept) = (0, 0);
    for seed in 0..100 {
        let survived = runtime(seed, seeded_crash()).block_on(async {
            durable_file("/data", b"old!").await;
            let f = OpenOptions::new().write(true).open("/data").await.unwrap();
            let (res, _) = f.write_all_at(b"new!".to_vec(), 0).await;
            res.unwrap();
            assert_eq!(
                fs::read("/data").await.unwrap(),
                b"new!",
                "reads see the page cache"
            );
            fs::crash();
            fs::read("/data").await.unwrap()
        });
        match &survived[..] {
            b"old!" => lost += 1,
            b"new!" => kept += 1,
            other => panic!("seed {seed}: a 4-byte write in one sector came back as {other:?}"),
        }
    }
    assert!(lost > 10, "lost on only {lost} of 100 seeds");
    assert!(kept > 10, "kept on only {kept} of 100 seeds");
}

#[test]
fn a_new_file_without_a_directory_fsync_can_vanish_after_a_crash() {
    let mut vanished = 0;
    for seed in 0..50 {
        let exists = runtime(seed, seeded_crash()).block_on(async {
            let f = File::create("/new").await.unwrap();
            f.write_all_at(b"data".to_vec(), 0).await.0.unwrap();
            // The data is durable; the name is not.
            f.sync_all().await.unwrap();
            fs::crash();
            fs::try_exists("/new").await.unwrap()
        });
        vanished += usize::from(!exists);
    }
    assert!(
        vanished > 5,
        "the unsynced name vanished on {vanished} of 50 seeds"
    );
}

#[test]
fn rename_without_a_directory_fsync_can_revert_after_a_crash() {
    let mut reverted = 0;
    for seed in 0..50 {
        let content = runtime(seed, seeded_crash()).block_on(async {
            durable_file("/current", b"v1").await;
            durable_file("/next", b"v2").await;
            fs::rename("/next", "/current").await.unwrap();
            assert_eq!(fs::read("/current").await.unwrap(), b"v2");
            fs::crash();
            let after = fs::read("/current").await.unwrap();
            // Atomic: the old file with the old name, or the new one.
            let next_exists = fs::try_exists("/next").await.unwrap();
            assert_eq!(
                next_exists,
                after == b"v1",
                "seed {seed}: rename half-applied"
            );
            after
        });
        reverted += usize::from(content == b"v1");
    }
    assert!(
        reverted > 5,
        "the rename reverted on {reverted} of 50 seeds"
    );
}

#[test]
fn rename_with_a_directory_fsync_survives_every_crash() {
    Sim::new().faults(Faults::none()).seeds(100).run(|| async {
        fs::create_dir("/d").await.unwrap();
        fs::sync_dir("/").await.unwrap();
        durable_file("/d/tmp", b"v2").await;
        fs::sync_dir("/d").await.unwrap();
        fs::rename("/d/tmp", "/d/final").await.unwrap();
        fs::sync_dir("/d").await.unwrap();
        fs::crash();
        assert_eq!(fs::read("/d/final").await.unwrap(), b"v2");
        assert!(!fs::try_exists("/d/tmp").await.unwrap());
    });
}

#[test]
fn unsynced_directory_operations_survive_as_a_prefix() {
    for seed in 0..60 {
        let present = runtime(seed, seeded_crash()).block_on(async {
            for i in 0..5 {
                fs::create_dir(format!("/{i}")).await.unwrap();
            }
            fs::crash();
            let mut present = Vec::new();
            for i in 0..5 {
                present.push(fs::try_exists(format!("/{i}")).await.unwrap());
            }
            present
        });
        let kept = present.iter().take_while(|&&p| p).count();
        assert!(
            present[kept..].iter().all(|&p| !p),
            "seed {seed}: a later create survived an earlier lost one: {present:?}"
        );
    }
}

#[test]
fn torn_writes_happen_only_at_sector_boundaries() {
    const SECTOR: usize = 512;
    let mut faults = seeded_crash();
    faults.disk.torn_write = Probability::new(0.7).unwrap();
    let mut torn = 0;
    for seed in 0..100 {
        let after = runtime(seed, faults.clone()).block_on(async {
            let mut config = DiskConfig::default();
            config.sector_size_bytes = SECTOR as u64;
            fs::configure(config);
            durable_file("/data", &[b'o'; 8 * SECTOR]).await;
            let f = OpenOptions::new().write(true).open("/data").await.unwrap();
            // Unaligned on purpose: pieces are [100, 512), then whole
            // sectors, then [3584, 3700).
            f.write_all_at(vec![b'n'; 3600], 100).await.0.unwrap();
            fs::crash();
            fs::read("/data").await.unwrap()
        });
        assert_eq!(after.len(), 8 * SECTOR, "seed {seed}: the length changed");
        let mut mixed = false;
        for (i, sector) in after.chunks(SECTOR).enumerate() {
            let (lo, hi) = (i * SECTOR, (i + 1) * SECTOR);
            let written = lo.max(100)..hi.min(3700);
            let new_part = &sector[written.start - lo..written.end.max(written.start) - lo];
            assert!(
                new_part.iter().all(|&b| b == b'n') || new_part.iter().all(|&b| b == b'o'),
                "seed {seed}: sector {i} is partly written"
            );
            assert!(
                sector[..written.start - lo].iter().all(|&b| b == b'o'),
                "seed {seed}: bytes before the write changed in sector {i}"
            );
            mixed |= new_part.first() != after[100..101].first();
        }
        torn += usize::from(mixed);
    }
    assert!(torn > 10, "only {torn} of 100 seeds tore the write");
}

#[test]
fn a_node_crash_applies_the_crash_model_to_that_nodes_disk_only() {
    let mut faults = Faults::none();
    faults.disk.crash_outcome = CrashOutcome::LoseUnsynced;
    Sim::new().faults(faults).seeds(20).run(|| async {
        fs::write("/main-file", b"main").await.unwrap(); // main node, unsynced
        let db = node::create("db");
        Builder::new()
            .node(db)
            .spawn(async {
                durable_file("/acked", b"synced").await;
                fs::write("/pending", b"unsynced").await.unwrap();
            })
            .await
            .unwrap();
        let sleeper = Builder::new().node(db).spawn(async {
            detsim::time::sleep(detsim::time::Duration::from_secs(60)).await;
        });
        assert_eq!(node::crash(db), 1);
        assert!(sleeper.await.unwrap_err().is_cancelled());
        let (acked, pending) = Builder::new()
            .node(db)
            .spawn(async {
                (
                    fs::read("/acked").await.unwrap(),
                    fs::try_exists("/pending").await.unwrap(),
                )
            })
            .await
            .unwrap();
        assert_eq!(acked, b"synced");
        assert!(
            !pending,
            "the crash loses everything unsynced: the unsynced file is gone"
        );
        assert_eq!(fs::read("/main-file").await.unwrap(), b"main");
        assert!(
            !fs::try_exists("/acked").await.unwrap(),
            "disks are per node"
        );
    });
}
