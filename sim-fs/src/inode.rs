//! Inodes: a file's two versions (page cache and durable media) and the
//! log of unsynced changes between them, or a directory's two entry maps.

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;

/// An inode number: allocation order within the disk's life.
pub(crate) type Ino = u64;

/// The root directory's inode.
pub(crate) const ROOT: Ino = 1;

pub(crate) struct Inode {
    pub(crate) kind: InodeKind,
    /// Whether a directory entry names it in the page cache.
    pub(crate) linked: bool,
    /// Open handles. An unlinked file keeps its space while open, as on
    /// Linux.
    pub(crate) open: u32,
}

pub(crate) enum InodeKind {
    File(FileData),
    Dir(DirData),
}

/// A file. Invariant: `cache` equals `durable` with `log` applied in
/// order, except after an fsync error, which drops the log but leaves the
/// cache (fsyncgate: the page cache still shows data the media never got).
#[derive(Default)]
pub(crate) struct FileData {
    /// What reads see.
    pub(crate) cache: Vec<u8>,
    /// What survives a crash.
    pub(crate) durable: Vec<u8>,
    /// Changes since the last fsync, oldest first.
    pub(crate) log: Vec<Pending>,
    /// Sectors (file offset / sector size) whose reads fail with EIO
    /// until rewritten.
    pub(crate) bad_sectors: BTreeSet<u64>,
}

/// An unsynced change to a file.
pub(crate) enum Pending {
    Write { offset: u64, data: Vec<u8> },
    SetLen(u64),
}

/// A directory: its entries in the page cache and on the media.
#[derive(Default)]
pub(crate) struct DirData {
    pub(crate) cache: BTreeMap<OsString, Ino>,
    pub(crate) durable: BTreeMap<OsString, Ino>,
}

impl Inode {
    pub(crate) fn new_file() -> Inode {
        Inode {
            kind: InodeKind::File(FileData::default()),
            linked: true,
            open: 0,
        }
    }

    pub(crate) fn new_dir() -> Inode {
        Inode {
            kind: InodeKind::Dir(DirData::default()),
            linked: true,
            open: 0,
        }
    }

    pub(crate) fn is_dir(&self) -> bool {
        matches!(self.kind, InodeKind::Dir(_))
    }

    pub(crate) fn file(&self) -> Option<&FileData> {
        match &self.kind {
            InodeKind::File(f) => Some(f),
            InodeKind::Dir(_) => None,
        }
    }

    pub(crate) fn file_mut(&mut self) -> Option<&mut FileData> {
        match &mut self.kind {
            InodeKind::File(f) => Some(f),
            InodeKind::Dir(_) => None,
        }
    }

    pub(crate) fn dir(&self) -> Option<&DirData> {
        match &self.kind {
            InodeKind::Dir(d) => Some(d),
            InodeKind::File(_) => None,
        }
    }

    pub(crate) fn dir_mut(&mut self) -> Option<&mut DirData> {
        match &mut self.kind {
            InodeKind::Dir(d) => Some(d),
            InodeKind::File(_) => None,
        }
    }

    /// Bytes this inode occupies: a file's cached length while it is
    /// linked or open (no sparse files: holes count), nothing otherwise.
    pub(crate) fn used_bytes(&self) -> u64 {
        match &self.kind {
            InodeKind::File(f) if self.linked || self.open > 0 => f.cache.len() as u64,
            _ => 0,
        }
    }
}

impl FileData {
    /// Writes `data` at `offset` into the page cache and logs it.
    pub(crate) fn write(&mut self, offset: u64, data: &[u8], sector: u64) {
        let first = offset / sector;
        let end = (offset + data.len() as u64).div_ceil(sector);
        // Rewriting a sector remaps it: a latent error goes away.
        let healed: Vec<u64> = self.bad_sectors.range(first..end).copied().collect();
        for s in healed {
            self.bad_sectors.remove(&s);
        }
        write_into(&mut self.cache, offset, data);
        self.log.push(Pending::Write {
            offset,
            data: data.to_vec(),
        });
    }

    /// Resizes the page cache's file and logs it.
    pub(crate) fn set_len(&mut self, len: u64) {
        self.cache.resize(len as usize, 0);
        self.log.push(Pending::SetLen(len));
    }

    /// Makes every logged change durable (a successful fsync).
    pub(crate) fn make_durable(&mut self) {
        for p in std::mem::take(&mut self.log) {
            p.apply(&mut self.durable);
        }
    }
}

impl Pending {
    pub(crate) fn apply(&self, content: &mut Vec<u8>) {
        match self {
            Pending::Write { offset, data } => write_into(content, *offset, data),
            Pending::SetLen(len) => content.resize(*len as usize, 0),
        }
    }
}

/// Copies `data` to `offset` of `content`, zero-filling any gap.
pub(crate) fn write_into(content: &mut Vec<u8>, offset: u64, data: &[u8]) {
    let start = offset as usize;
    let end = start + data.len();
    if content.len() < end {
        content.resize(end, 0);
    }
    content[start..end].copy_from_slice(data);
}

/// Splits `[offset, offset + len)` at sector boundaries: the pieces a
/// crash may keep or lose independently. Yields `(offset, len)`.
pub(crate) fn sector_pieces(offset: u64, len: u64, sector: u64) -> Vec<(u64, u64)> {
    let mut pieces = Vec::new();
    let mut pos = offset;
    let end = offset + len;
    while pos < end {
        let n = (sector - pos % sector).min(end - pos);
        pieces.push((pos, n));
        pos += n;
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_split_only_at_sector_boundaries() {
        assert_eq!(
            sector_pieces(100, 5000, 4096),
            vec![(100, 3996), (4096, 1004)]
        );
        assert_eq!(sector_pieces(0, 4096, 4096), vec![(0, 4096)]);
        assert!(sector_pieces(7, 0, 512).is_empty());
    }

    #[test]
    fn make_durable_applies_the_log_in_order() {
        let mut f = FileData::default();
        f.write(0, b"hello", 4096);
        f.set_len(2);
        f.write(4, b"!", 4096);
        assert_eq!(f.durable, b"");
        f.make_durable();
        assert_eq!(f.durable, b"he\0\0!");
        assert_eq!(f.durable, f.cache);
        assert!(f.log.is_empty());
    }
}
