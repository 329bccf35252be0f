//! The stand-in's `fs` in both worlds: the same body over a temporary
//! directory on a tokio runtime and over a simulated disk, the
//! wrong-world error, and determinism under the default faults.

use std::io::SeekFrom;
use std::path::{Path, PathBuf};

use detsim::{Faults, Probability, Sim};
use detsim_tokio::fs::{self, DirBuilder, File, OpenOptions};
use detsim_tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// Exercises tokio's fs API under `root` (which exists and is empty).
async fn body(root: PathBuf) -> std::io::Result<()> {
    let dir = root.join("a/b");
    fs::create_dir_all(&dir).await?;
    fs::write(dir.join("f"), b"hello").await?;
    assert_eq!(fs::read_to_string(dir.join("f")).await?, "hello");
    assert_eq!(fs::copy(dir.join("f"), dir.join("g")).await?, 5);
    assert_eq!(fs::read(dir.join("g")).await?, b"hello");
    let meta = fs::metadata(dir.join("g")).await?;
    assert!(meta.is_file() && !meta.is_dir() && !meta.is_symlink());
    assert_eq!(meta.len(), 5);
    assert!(fs::symlink_metadata(&dir).await?.file_type().is_dir());

    let mut file = File::create(root.join("log")).await?;
    file.write_all(b"0123456789").await?;
    file.sync_all().await?;
    drop(file);
    let mut file = OpenOptions::new()
        .append(true)
        .open(root.join("log"))
        .await?;
    file.write_all(b"ab").await?;
    drop(file);
    let mut file = File::open(root.join("log")).await?;
    file.seek(SeekFrom::Start(8)).await?;
    let mut tail = String::new();
    file.read_to_string(&mut tail).await?;
    assert_eq!(tail, "89ab");
    assert_eq!(file.metadata().await?.len(), 12);
    let err = File::create_new(root.join("log")).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);

    fs::rename(dir.join("g"), root.join("moved")).await?;
    assert!(!fs::try_exists(dir.join("g")).await?);
    fs::remove_file(root.join("moved")).await?;
    DirBuilder::new()
        .recursive(true)
        .create(root.join("x/y"))
        .await?;
    fs::create_dir(root.join("x/y/z")).await?;
    fs::remove_dir(root.join("x/y/z")).await?;

    let mut names = Vec::new();
    let mut entries = fs::read_dir(&root).await?;
    while let Some(entry) = entries.next_entry().await? {
        assert_eq!(entry.path(), root.join(entry.file_name()));
        let is_dir = entry.file_type().await?.is_dir();
        assert_eq!(entry.metadata().await?.is_dir(), is_dir);
        names.push((entry.file_name().into_string().unwrap(), is_dir));
    }
    names.sort();
    let expected = [("a", true), ("log", false), ("x", true)];
    assert_eq!(names, expected.map(|(n, d)| (n.to_string(), d)));

    fs::remove_dir_all(root.join("a")).await?;
    assert!(!fs::try_exists(root.join("a")).await?);
    assert!(fs::try_exists(root.join("x/y")).await?);
    Ok(())
}

/// A fresh directory under the system's temporary directory.
fn temp_root(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("detsim-tokio-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    root
}

#[test]
fn fs_api_runs_on_real_tokio_in_a_temporary_directory() {
    let root = temp_root("fs");
    let rt = tokio::runtime::Builder::new_multi_thread().build().unwrap();
    rt.block_on(body(root.clone())).unwrap();
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn fs_api_runs_on_the_simulated_disk_under_default_faults() {
    // The body is the API tour real tokio runs above, which does not retry
    // on EIO: the disk's IO errors are off (seed 0x16 would draw a read
    // error), every other default fault stays on.
    let mut faults = Faults::default();
    faults.disk.read_error = Probability::NEVER;
    faults.disk.write_error = Probability::NEVER;
    faults.disk.fsync_error = Probability::NEVER;
    Sim::new()
        .faults(faults)
        .seeds(50)
        .check_determinism(true)
        .run(|| async {
            detsim_tokio::fs::create_dir("/srv").await?;
            body(Path::new("/srv").to_path_buf()).await
        });
}

#[test]
fn a_file_opened_by_tokio_fails_inside_a_simulation() {
    let root = temp_root("wrong-world");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let file = rt.block_on(File::create(root.join("f"))).unwrap();
    let err = detsim::Runtime::sim(0)
        .block_on(async { file.sync_all().await })
        .unwrap_err();
    assert!(
        err.to_string().contains("made outside a detsim runtime"),
        "{err}"
    );
    drop(file);
    std::fs::remove_dir_all(root).unwrap();
}
