//! Reads, writes, fsyncs and truncations as the device performs them at
//! completion time: where the data faults strike.

use std::io;

use sim_core::FaultKind;
use sim_core::kernel::KernelHandle;

use crate::disk::DiskState;
use crate::error;
use crate::inode::{Ino, InodeKind};
use crate::limits::{self, MAX_FILE_BYTES};

/// How far a misdirected write can land from its target, in sectors.
const MISDIRECT_MAX_SECTORS: u64 = 8;

impl DiskState {
    /// Reads up to `out.len()` bytes at `offset` of file `ino`.
    pub(crate) fn read_file(
        &mut self,
        disk: sim_core::kernel::ResourceId,
        ino: Ino,
        offset: u64,
        out: &mut [u8],
    ) -> io::Result<usize> {
        limits::off_t("read offset", offset)?;
        let kernel = KernelHandle::current();
        let sector = self.config.sector_size_bytes;
        if kernel.fault(FaultKind::DiskReadError, disk) {
            return Err(error::eio());
        }
        let f = self.inode(ino).file().expect("read_file on a file");
        let len = f.cache.len() as u64;
        if offset >= len {
            return Ok(0);
        }
        let n = (out.len() as u64).min(len - offset) as usize;
        let sectors = offset / sector..(offset + n as u64).div_ceil(sector);
        if let Some(&bad) = f.bad_sectors.range(sectors).next() {
            kernel.trace(disk, "read of bad sector", bad as i64);
            return Err(error::eio());
        }
        out[..n].copy_from_slice(&f.cache[offset as usize..offset as usize + n]);
        if n > 0 && kernel.fault(FaultKind::BitFlip, disk) {
            let bit = kernel.fault_pick(FaultKind::BitFlip, n as u64 * 8);
            out[(bit / 8) as usize] ^= 1 << (bit % 8);
        }
        Ok(n)
    }

    /// Writes `data` at `offset` of file `ino` (at its end if `append`)
    /// into the page cache, logging it for the next fsync. Returns the
    /// bytes written: all of `data`, or those below the file-size limit.
    pub(crate) fn write_file(
        &mut self,
        disk: sim_core::kernel::ResourceId,
        ino: Ino,
        offset: u64,
        append: bool,
        data: &[u8],
    ) -> io::Result<usize> {
        // Linux checks the offset before anything else, even for an
        // append and for an empty write.
        limits::off_t("write offset", offset)?;
        if data.is_empty() {
            return Ok(0);
        }
        let current = self
            .inode(ino)
            .file()
            .expect("write_file on a file")
            .cache
            .len() as u64;
        let mut at = if append { current } else { offset };
        let n = limits::write_len(at, data.len())?;
        let data = &data[..n];
        let kernel = KernelHandle::current();
        let sector = self.config.sector_size_bytes;
        if kernel.fault(FaultKind::DiskWriteError, disk) {
            return Err(error::eio());
        }
        if kernel.fault(FaultKind::MisdirectedWrite, disk) {
            at = misdirect(&kernel, at, n as u64, sector);
            kernel.trace(disk, "misdirected write lands at", at as i64);
        }
        self.reserve(current, at + n as u64)?;
        let f = self.inode_mut(ino).file_mut().expect("a file");
        f.write(at, data, sector);
        if kernel.fault(FaultKind::LatentSectorError, disk) {
            let first = at / sector;
            let count = (at + n as u64).div_ceil(sector) - first;
            let bad = first + kernel.fault_pick(FaultKind::LatentSectorError, count);
            f.bad_sectors.insert(bad);
            kernel.trace(disk, "sector goes bad", bad as i64);
        }
        Ok(n)
    }

    /// Truncates or extends file `ino` to `len`.
    pub(crate) fn set_file_len(&mut self, ino: Ino, len: u64) -> io::Result<()> {
        limits::file_len(len)?;
        let current = self.inode(ino).file().expect("a file").cache.len() as u64;
        self.reserve(current, len)?;
        let f = self.inode_mut(ino).file_mut().expect("a file");
        if len != current {
            f.set_len(len);
        }
        Ok(())
    }

    /// Fails with `StorageFull` if growing a file from `current` to `new`
    /// bytes would pass the capacity. A failed operation changes nothing.
    fn reserve(&self, current: u64, new: u64) -> io::Result<()> {
        let grow = new.saturating_sub(current);
        let need = self.used_bytes() + grow;
        if grow > 0 && need > self.config.capacity_bytes {
            return Err(error::storage_full(need, self.config.capacity_bytes));
        }
        Ok(())
    }

    /// fsync of `ino`: a file's logged changes, or the directory
    /// journal up to `ino`'s last entry, become durable. On an injected
    /// `EIO`, a file's changes are dropped instead: never durable, and no
    /// later fsync reports it (Linux since "fsyncgate"); a directory's
    /// stay pending (a crash keeps a prefix of the journal, so dropping
    /// an operation from its middle would let later ones survive it).
    pub(crate) fn fsync(&mut self, disk: sim_core::kernel::ResourceId, ino: Ino) -> io::Result<()> {
        let kernel = KernelHandle::current();
        let is_dir = self.inode(ino).is_dir();
        if kernel.fault(FaultKind::FsyncError, disk) {
            if is_dir {
                kernel.trace(disk, "dir fsync error, ops stay pending", 0);
            } else {
                let f = self.inode_mut(ino).file_mut().expect("a file");
                let dropped = std::mem::take(&mut f.log).len();
                kernel.trace(disk, "fsync error drops pending changes", dropped as i64);
            }
            return Err(error::eio());
        }
        if is_dir {
            self.sync_dir(ino);
        } else if let InodeKind::File(f) = &mut self.inode_mut(ino).kind {
            f.make_durable();
        }
        Ok(())
    }
}

/// Where a misdirected write of `len` bytes aimed at `at` lands: 1 to
/// `MISDIRECT_MAX_SECTORS` sectors below or above, drawn from the fault's
/// magnitude stream; never below 0 or past the file-size limit (it stays
/// at `at` if neither side has room).
fn misdirect(kernel: &KernelHandle, at: u64, len: u64, sector: u64) -> u64 {
    let sectors = 1 + kernel.fault_pick(FaultKind::MisdirectedWrite, MISDIRECT_MAX_SECTORS);
    let shift = sector.saturating_mul(sectors);
    let down = kernel.fault_pick(FaultKind::MisdirectedWrite, 2) == 0;
    let below = at.checked_sub(shift);
    let above = at.checked_add(shift).filter(|&a| a <= MAX_FILE_BYTES - len);
    match (down, below, above) {
        (true, Some(b), _) | (false, Some(b), None) => b,
        (_, _, Some(a)) => a,
        (_, None, None) => at,
    }
}
