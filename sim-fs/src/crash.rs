//! The crash model: what a power loss leaves on the media.
//!
//! Applied by a node's crash hook and by [`crash`](crate::crash). The plan's
//! [`CrashOutcome`] decides what happens to what was not durable: all of
//! it lost, all of it kept, or each change decided from the seed. Seeded
//! choices are drawn from the fault streams named below, in a fixed order
//! (directory operations first, then files by inode number, each log
//! oldest first), so a seed always loses the same things.

use std::collections::BTreeSet;

use sim_core::FaultKind;
use sim_core::faults::CrashOutcome;
use sim_core::kernel::{KernelHandle, ResourceId};

use crate::disk::DiskState;
use crate::inode::{FileData, Ino, InodeKind, Pending, ROOT, sector_pieces, write_into};

impl DiskState {
    /// Crashes the disk: decides which unsynced changes reached the media,
    /// resets the page cache to the media, forgets unreachable inodes and
    /// invalidates every handle and operation in flight.
    pub(crate) fn crash(&mut self, kernel: &KernelHandle, disk: sim_core::kernel::ResourceId) {
        self.generation += 1;
        kernel.trace(disk, "disk crash", self.generation as i64);
        let outcome = kernel.fault_plan().disk.crash_outcome;

        // Directory operations form one journal that commits in order: the
        // crash keeps a prefix of the pending ones, so the namespace after
        // it is one the operations passed through.
        let ops = std::mem::take(&mut self.dir_log);
        let total = ops.len();
        let mut kept = 0;
        for op in ops {
            let lost = match outcome {
                CrashOutcome::LoseUnsynced => true,
                CrashOutcome::KeepUnsynced => false,
                _ => kernel.fault(FaultKind::CrashLoss, disk),
            };
            if lost {
                break;
            }
            op.make_durable(self);
            kept += 1;
        }
        kernel.trace(disk, "dir ops kept", kept);
        kernel.trace(disk, "dir ops lost", (total as i64) - kept);

        let sector = self.config.sector_size_bytes;
        for file in self.inodes.values_mut() {
            let InodeKind::File(f) = &mut file.kind else {
                continue;
            };
            match outcome {
                CrashOutcome::LoseUnsynced => f.log.clear(),
                CrashOutcome::KeepUnsynced => f.make_durable(),
                _ => seeded_file_crash(kernel, disk, f, sector),
            }
            f.cache = f.durable.clone();
        }

        // The tree after reboot is the durable one; inodes nothing durable
        // names are gone (their space is free again).
        let mut reachable = BTreeSet::new();
        let mut stack = vec![ROOT];
        while let Some(ino) = stack.pop() {
            if !reachable.insert(ino) {
                continue;
            }
            if let Some(d) = self.inode(ino).dir() {
                stack.extend(d.durable.values().copied());
            }
        }
        self.inodes.retain(|ino: &Ino, _| reachable.contains(ino));
        for inode in self.inodes.values_mut() {
            inode.linked = true;
            inode.open = 0;
            if let InodeKind::Dir(d) = &mut inode.kind {
                d.cache = d.durable.clone();
            }
        }
    }
}

/// A seeded crash of one file: each unsynced write independently reached
/// the media, did not, or was torn (some of its sectors did); each
/// truncation reached it or did not.
fn seeded_file_crash(kernel: &KernelHandle, disk: ResourceId, f: &mut FileData, sector: u64) {
    for pending in std::mem::take(&mut f.log) {
        match &pending {
            Pending::Write { offset, data } => {
                let pieces = sector_pieces(*offset, data.len() as u64, sector);
                if pieces.len() > 1 && kernel.fault(FaultKind::TornWrite, disk) {
                    let keep = torn_subset(kernel, pieces.len());
                    kernel.trace(disk, "torn write sectors kept", keep.len() as i64);
                    for i in keep {
                        let (at, n) = pieces[i];
                        let start = (at - offset) as usize;
                        write_into(&mut f.durable, at, &data[start..start + n as usize]);
                    }
                } else if !kernel.fault(FaultKind::CrashLoss, disk) {
                    pending.apply(&mut f.durable);
                }
            }
            Pending::SetLen(_) => {
                if !kernel.fault(FaultKind::CrashLoss, disk) {
                    pending.apply(&mut f.durable);
                }
            }
        }
    }
}

/// Which of a torn write's `n` sector pieces (`n >= 2`) reached the
/// media, from the torn_write stream: half the time a prefix (the device
/// wrote in order and stopped), half the time any proper subset (it
/// reordered). Never all of them, and never part of one.
fn torn_subset(kernel: &KernelHandle, n: usize) -> Vec<usize> {
    let pick = |m: u64| kernel.fault_pick(FaultKind::TornWrite, m);
    if pick(2) == 0 {
        return (0..pick(n as u64) as usize).collect();
    }
    let mut keep: Vec<usize> = (0..n).filter(|_| pick(2) == 1).collect();
    if keep.len() == n {
        keep.remove(pick(n as u64) as usize);
    }
    keep
}
