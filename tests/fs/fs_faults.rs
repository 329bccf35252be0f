//! Storage faults: full disks, EIO (and fsyncgate), latent sector errors,
//! opt-in corruption.

use std::io::ErrorKind;

use detsim::faults::CrashOutcome;
use detsim::fs::{self, DiskConfig, File, OpenOptions};
use detsim::{Config, Faults, Probability, Runtime, Sim};

fn runtime(seed: u64, faults: Faults) -> Runtime {
    let mut config = Config::default();
    config.faults = faults;
    Runtime::with_config(seed, config)
}

#[test]
fn storage_full_at_capacity_and_nothing_durable_is_lost() {
    Sim::new().faults(Faults::none()).seeds(50).run(|| async {
        let mut config = DiskConfig::default();
        config.capacity_bytes = 10_000;
        fs::configure(config);
        let f = File::create("/a").await.unwrap();
        f.write_all_at(vec![1; 6_000], 0).await.0.unwrap();
        f.sync_all().await.unwrap();
        fs::sync_dir("/").await.unwrap();

        let g = File::create("/b").await.unwrap();
        let (res, _) = g.write_at(vec![2; 5_000], 0).await;
        assert_eq!(res.unwrap_err().kind(), ErrorKind::StorageFull);
        assert_eq!(
            g.metadata().await.unwrap().len(),
            0,
            "a failed write writes nothing"
        );
        // Exactly at capacity fits.
        g.write_all_at(vec![2; 4_000], 0).await.0.unwrap();
        let (res, _) = g.write_at(vec![2], 4_000).await;
        assert_eq!(res.unwrap_err().kind(), ErrorKind::StorageFull);
        assert_eq!(
            g.set_len(4_001).await.unwrap_err().kind(),
            ErrorKind::StorageFull
        );
        // Overwriting in place needs no space.
        f.write_all_at(vec![3; 6_000], 0).await.0.unwrap();
        // Removing frees space.
        drop(g);
        fs::remove_file("/b").await.unwrap();
        fs::write("/c", vec![4; 4_000]).await.unwrap();

        fs::crash();
        let a = fs::read("/a").await.unwrap();
        assert_eq!(a.len(), 6_000);
        assert!(a.iter().all(|&b| b == 1) || a.iter().all(|&b| b == 3));
    });
}

#[test]
fn an_fsync_eio_is_reported_once_and_the_data_is_then_not_durable() {
    // Unsynced writes always survive the crash here, so the only way to
    // lose the data is the failed fsync.
    let mut faults = Faults::none();
    faults.disk.fsync_error = Probability::new(0.5).unwrap();
    faults.disk.crash_outcome = CrashOutcome::KeepUnsynced;
    let mut checked = 0;
    for seed in 0..100 {
        let checked_here = runtime(seed, faults.clone()).block_on(async {
            // Make the file's name durable (or skip this seed).
            let f = File::create_new("/data").await.unwrap();
            if fs::sync_dir("/").await.is_err() {
                return false;
            }
            f.write_all_at(b"precious".to_vec(), 0).await.0.unwrap();
            let err = f.sync_all().await;
            if err.is_ok() {
                return false;
            }
            assert_eq!(err.unwrap_err().raw_os_error(), Some(5), "EIO");
            // Reported once: nothing is pending any more, so an fsync that
            // does not fault succeeds, although the data never got there.
            let mut second = f.sync_all().await;
            while second.is_err() {
                second = f.sync_all().await;
            }
            assert_eq!(
                fs::read("/data").await.unwrap(),
                b"precious",
                "still cached"
            );
            fs::crash();
            assert_eq!(
                fs::read("/data").await.unwrap(),
                b"",
                "the data of a failed fsync must not be durable"
            );
            true
        });
        checked += usize::from(checked_here);
    }
    assert!(checked > 10, "only {checked} seeds had a failing fsync");
}

#[test]
fn read_and_write_errors_are_eio() {
    let mut faults = Faults::none();
    faults.disk.read_error = Probability::ALWAYS;
    faults.disk.write_error = Probability::ALWAYS;
    runtime(1, faults).block_on(async {
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .open("/f")
            .await
            .unwrap();
        let (res, _) = f.write_at(b"x".to_vec(), 0).await;
        assert_eq!(res.unwrap_err().raw_os_error(), Some(5));
        let (res, _) = f.read_at(vec![0; 1], 0).await;
        assert_eq!(res.unwrap_err().raw_os_error(), Some(5));
    });
}

#[test]
fn a_latent_sector_error_fails_reads_of_that_sector_until_it_is_rewritten() {
    let mut faults = Faults::none();
    faults.disk.latent_sector_error = Probability::new(0.5).unwrap();
    let mut healed = 0;
    for seed in 0..60 {
        healed += runtime(seed, faults.clone()).block_on(async {
            let f = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .open("/f")
                .await
                .unwrap();
            f.write_all_at(vec![9; 2 * 4096], 0).await.0.unwrap();
            let first = f.read_at(vec![0; 4096], 0).await.0;
            let second = f.read_at(vec![0; 4096], 4096).await.0;
            let bad = match (first, second) {
                (Ok(_), Ok(_)) => return 0,
                (Err(e), Ok(_)) | (Ok(_), Err(e)) => {
                    assert_eq!(e.raw_os_error(), Some(5));
                    u64::from(f.read_at(vec![0; 4096], 0).await.0.is_ok()) * 4096
                }
                (Err(_), Err(_)) => panic!("seed {seed}: one write marks one sector bad"),
            };
            // Still bad on a second read; rewriting just that sector heals
            // it (unless the rewrite goes bad itself).
            assert!(f.read_at(vec![0; 10], bad).await.0.is_err());
            f.write_all_at(vec![8; 4096], bad).await.0.unwrap();
            usize::from(f.read_at(vec![0; 4096], bad).await.0.is_ok())
        });
    }
    assert!(healed > 5, "rewrites healed a bad sector on {healed} seeds");
}

#[test]
fn bit_flips_are_opt_in_and_flip_exactly_one_bit() {
    let mut faults = Faults::chaos();
    assert!(faults.disk.bit_flip.is_never(), "off in every preset");
    faults = Faults::none();
    faults.disk.bit_flip = Probability::ALWAYS;
    runtime(3, faults).block_on(async {
        fs::write("/f", vec![0u8; 100]).await.unwrap();
        let f = File::open("/f").await.unwrap();
        let (res, buf) = f.read_exact_at(vec![0; 100], 0).await;
        res.unwrap();
        let ones: u32 = buf.iter().map(|b| b.count_ones()).sum();
        assert_eq!(ones, 1, "one read, one flipped bit");
    });
}

#[test]
fn misdirected_writes_land_whole_sectors_away_and_report_success() {
    let mut faults = Faults::none();
    faults.disk.misdirected_write = Probability::ALWAYS;
    runtime(5, faults).block_on(async {
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .open("/f")
            .await
            .unwrap();
        let (res, _) = f.write_at(vec![1; 10], 0).await;
        assert_eq!(res.unwrap(), 10);
        let content = fs::read("/f").await.unwrap();
        let at = content
            .iter()
            .position(|&b| b == 1)
            .expect("landed somewhere");
        assert!(at > 0 && at % 4096 == 0, "landed at {at}");
    });
}
