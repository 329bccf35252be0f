//! Disks used as if operations landed in submission order and a rename
//! were durable once it returned: a page write and a patch of the same
//! bytes submitted together, and an atomic file replace that never
//! fsyncs the directory.

use std::cell::Cell;
use std::io;
use std::rc::Rc;

use detsim::fs::{self, File};
use detsim::node;
use detsim::task::Builder;
use detsim::time::{Duration, sleep};

/// Rewrites a 512-byte page (version 1) and, without waiting for it,
/// patches the page's 8-byte header to version 2. io_uring and block
/// devices give no order among operations in flight together, and the
/// default plan's completion reorder window does the same; the fixed
/// code waits for the page before submitting the patch.
pub async fn completion_order(fixed: bool) {
    let f = File::create("/table").await.unwrap();
    let page = f.write_at(vec![1; 512], 0);
    if fixed {
        page.await.0.unwrap();
        f.write_at(vec![2; 8], 0).await.0.unwrap();
    } else {
        // BUG: the patch may complete before the page, which then
        // overwrites it.
        let patch = f.write_at(vec![2; 8], 0);
        page.await.0.unwrap();
        patch.await.0.unwrap();
    }
    // A short completion still writes the first byte.
    let header = fs::read("/table").await.unwrap()[0];
    assert_eq!(header, 2, "the patch landed before the page it patches");
}

/// Replaces `/config` atomically with `version`: write a temporary file,
/// fsync it, rename it over the old one, and (`fixed`) fsync the
/// directory, without which the rename is not durable.
async fn save_config(version: u64, fixed: bool) -> io::Result<()> {
    let tmp = File::create("/config.tmp").await?;
    tmp.write_all_at(version.to_le_bytes().to_vec(), 0)
        .await
        .0?;
    tmp.sync_all().await?;
    fs::rename("/config.tmp", "/config").await?;
    if fixed {
        fs::sync_dir("/").await?;
    }
    Ok(())
}

/// A task on node `db` saves config versions 1 to 10, noting each one
/// acknowledged; the test crashes the node at a seeded time (the crash is
/// the scenario; under the default plan it loses exactly what was not
/// fsynced) and requires the recovered `/config` to hold at least the
/// last acknowledged version.
pub async fn rename_without_dir_fsync(fixed: bool) {
    let db = node::create("db");
    let acked = Rc::new(Cell::new(None));
    let acks = Rc::clone(&acked);
    Builder::new().name("saver").node(db).spawn(async move {
        // Version 0, durable name and all, before anything is promised.
        if save_config(0, true).await.is_err() {
            return;
        }
        for version in 1..=10 {
            if save_config(version, fixed).await.is_err() {
                return;
            }
            acks.set(Some(version));
        }
    });
    sleep(Duration::from_micros(detsim::rand::random_range(0..20_000))).await;
    node::crash(db);
    let recovered = Builder::new()
        .name("recovery")
        .node(db)
        .spawn(async {
            let bytes = fs::read("/config").await.ok()?;
            Some(u64::from_le_bytes(bytes.try_into().ok()?))
        })
        .await
        .unwrap();
    if let Some(acked) = acked.get() {
        assert!(
            recovered.is_some_and(|v| v >= acked),
            "config version {acked} was acknowledged; after the crash /config holds {recovered:?}"
        );
    }
}
