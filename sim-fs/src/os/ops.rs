//! Opening files, and the whole-file and directory operations, on the
//! real file system: each one `std::fs` call on the blocking pool.

use std::io;
use std::path::{Path, PathBuf};

use crate::dir::{DirEntry, ReadDir};
use crate::metadata::Metadata;
use crate::open_options::OpenOptions;
use crate::os::{OsFile, blocking};

/// `open(2)` with `opts`, as `std::fs::OpenOptions` would (its own checks
/// of the option set, its errors).
pub(crate) async fn open(opts: &OpenOptions, path: &Path) -> io::Result<OsFile> {
    let mut std_opts = std::fs::OpenOptions::new();
    std_opts
        .read(opts.read)
        .write(opts.write)
        .append(opts.append)
        .truncate(opts.truncate)
        .create(opts.create)
        .create_new(opts.create_new);
    let p = path.to_path_buf();
    let file = blocking(move || std_opts.open(p)).await?;
    Ok(OsFile::new(file, path.to_path_buf(), opts.append))
}

pub(crate) async fn read(path: PathBuf) -> io::Result<Vec<u8>> {
    blocking(move || std::fs::read(path)).await
}

pub(crate) async fn write(path: PathBuf, contents: Vec<u8>) -> io::Result<()> {
    blocking(move || std::fs::write(path, contents)).await
}

pub(crate) async fn create_dir(path: PathBuf) -> io::Result<()> {
    blocking(move || std::fs::create_dir(path)).await
}

pub(crate) async fn create_dir_all(path: PathBuf) -> io::Result<()> {
    blocking(move || std::fs::create_dir_all(path)).await
}

pub(crate) async fn remove_dir(path: PathBuf) -> io::Result<()> {
    blocking(move || std::fs::remove_dir(path)).await
}

pub(crate) async fn remove_file(path: PathBuf) -> io::Result<()> {
    blocking(move || std::fs::remove_file(path)).await
}

pub(crate) async fn rename(from: PathBuf, to: PathBuf) -> io::Result<()> {
    blocking(move || std::fs::rename(from, to)).await
}

pub(crate) async fn metadata(path: PathBuf) -> io::Result<Metadata> {
    let m = blocking(move || std::fs::metadata(path)).await?;
    Ok(Metadata::new(m.len(), m.is_dir()))
}

/// The directory's entries, read in one job and sorted by name.
pub(crate) async fn read_dir(path: PathBuf) -> io::Result<ReadDir> {
    let entries = blocking(move || -> io::Result<Vec<DirEntry>> {
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(&path)? {
            let entry = entry?;
            let is_dir = entry.file_type()?.is_dir();
            entries.push(DirEntry::new(&path, entry.file_name(), is_dir));
        }
        Ok(entries)
    })
    .await?;
    Ok(ReadDir::sorted(entries))
}
