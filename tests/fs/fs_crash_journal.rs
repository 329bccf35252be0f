//! Directory operations commit as one ordered journal: a crash leaves a
//! namespace the operations passed through, never one that mixes a newer
//! operation with an older one replayed after it. And the crash outcome is
//! its own knob: `Faults::none()` crashes the same way on every seed.

use detsim::fs::{self, File, OpenOptions};
use detsim::{Config, Faults, Probability, Runtime};

fn runtime(seed: u64, faults: Faults) -> Runtime {
    let mut config = Config::default();
    config.faults = faults;
    Runtime::with_config(seed, config)
}

/// Seeded crashes (lost and torn unsynced changes), no IO errors.
fn seeded_crashes() -> Faults {
    let mut faults = Faults::default();
    faults.disk.read_error = Probability::NEVER;
    faults.disk.write_error = Probability::NEVER;
    faults.disk.fsync_error = Probability::NEVER;
    faults
}

async fn fsynced_file(path: &str, data: &[u8]) {
    let f = File::create(path).await.unwrap();
    f.write_all_at(data.to_vec(), 0).await.0.unwrap();
    f.sync_all().await.unwrap();
}

#[test]
fn a_file_renamed_into_a_synced_directory_is_never_also_left_at_its_old_name() {
    for plan in [Faults::none(), seeded_crashes()] {
        for seed in 0..200 {
            runtime(seed, plan.clone()).block_on(async {
                fs::create_dir("/a").await.unwrap();
                fs::create_dir("/b").await.unwrap();
                fs::sync_dir("/").await.unwrap();
                fsynced_file("/a/f", b"data").await;
                fs::rename("/a/f", "/b/f").await.unwrap();
                // Commits the rename, and the create before it.
                fs::sync_dir("/b").await.unwrap();
                fs::crash();
                assert_eq!(
                    fs::read("/b/f").await.unwrap(),
                    b"data",
                    "seed {seed}: the renamed, dir-synced file"
                );
                assert!(
                    !fs::try_exists("/a/f").await.unwrap(),
                    "seed {seed}: /a/f came back as a second name of /b/f"
                );
            });
        }
    }
}

#[test]
fn a_synced_rename_over_a_file_is_never_undone_by_the_replaced_files_create() {
    for plan in [Faults::none(), seeded_crashes()] {
        for seed in 0..200 {
            runtime(seed, plan.clone()).block_on(async {
                fs::create_dir("/d").await.unwrap();
                fs::sync_dir("/").await.unwrap();
                // /d/x's data is durable, its name is not yet.
                fsynced_file("/d/x", b"old").await;
                fsynced_file("/new", b"new").await;
                fs::rename("/new", "/d/x").await.unwrap();
                // The rename touches / and /d: syncing / commits it, and the
                // create of the old /d/x before it.
                fs::sync_dir("/").await.unwrap();
                fs::crash();
                assert_eq!(
                    fs::read("/d/x").await.unwrap(),
                    b"new",
                    "seed {seed}: the replaced file came back over the fsynced new one"
                );
                assert!(!fs::try_exists("/new").await.unwrap());
            });
        }
    }
}

#[test]
fn syncing_a_directory_commits_every_earlier_directory_operation() {
    for plan in [Faults::none(), seeded_crashes()] {
        let mut later_kept = 0;
        for seed in 0..100 {
            later_kept += runtime(seed, plan.clone()).block_on(async {
                fs::create_dir("/early").await.unwrap();
                fs::create_dir("/d").await.unwrap();
                fs::write("/unrelated", b"").await.unwrap();
                fs::write("/d/f", b"").await.unwrap();
                fs::write("/later", b"").await.unwrap();
                fs::sync_dir("/d").await.unwrap();
                fs::crash();
                for path in ["/early", "/d", "/unrelated", "/d/f"] {
                    assert!(
                        fs::try_exists(path).await.unwrap(),
                        "seed {seed}: {path} came before /d's last change"
                    );
                }
                usize::from(fs::try_exists("/later").await.unwrap())
            });
        }
        if plan.is_none() {
            assert_eq!(later_kept, 0, "/later was never synced: lost on every seed");
        } else {
            assert!(
                later_kept > 10,
                "a seeded crash kept /later on {later_kept} seeds"
            );
        }
    }
}

#[test]
fn faults_none_injects_nothing_and_a_crash_loses_exactly_what_was_not_synced() {
    let plan = Faults::none();
    assert!(
        plan.is_none(),
        "Faults::none() turns on: {}",
        plan.describe()
    );
    assert_eq!(plan.describe(), "none");
    for seed in 0..50 {
        runtime(seed, Faults::none()).block_on(async {
            fs::write("/durable", b"v1").await.unwrap();
            File::open("/durable")
                .await
                .unwrap()
                .sync_all()
                .await
                .unwrap();
            fs::sync_dir("/").await.unwrap();
            let f = OpenOptions::new()
                .write(true)
                .open("/durable")
                .await
                .unwrap();
            f.write_all_at(b"v2".to_vec(), 0).await.0.unwrap();
            fs::write("/pending", b"x").await.unwrap();
            fs::crash();
            assert_eq!(fs::read("/durable").await.unwrap(), b"v1", "seed {seed}");
            assert!(!fs::try_exists("/pending").await.unwrap(), "seed {seed}");
        });
    }
}
