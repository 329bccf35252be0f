//! The directory tree: path lookup, the operations that change it, and
//! the journal that makes those changes durable, in order, when a
//! directory is fsynced.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io;
use std::path::Path;

use sim_core::kernel::fs::OpenFlags;

use crate::disk::DiskState;
use crate::error;
use crate::inode::{Ino, Inode, ROOT};

use crate::path::components;

/// A directory change not yet durable. Each records the inodes it names,
/// so applying it to the durable entries later does not depend on the
/// state of the tree then.
#[derive(Clone, Debug)]
pub(crate) enum DirOp {
    /// `name` in `dir` now refers to `ino` (a create).
    Link { dir: Ino, name: OsString, ino: Ino },
    /// `name` in `dir` is gone (a remove).
    Unlink { dir: Ino, name: OsString },
    /// `ino` moved from `from/from_name` to `to/to_name`, replacing what
    /// was there: one atomic change to two directories.
    Rename {
        from: Ino,
        from_name: OsString,
        to: Ino,
        to_name: OsString,
        ino: Ino,
    },
}

impl DirOp {
    /// Whether this changes directory `dir`: an fsync of `dir` commits
    /// the journal up to the last operation that does.
    pub(crate) fn touches(&self, dir: Ino) -> bool {
        match self {
            DirOp::Link { dir: d, .. } | DirOp::Unlink { dir: d, .. } => *d == dir,
            DirOp::Rename { from, to, .. } => *from == dir || *to == dir,
        }
    }

    /// Applies the change to the durable entries.
    pub(crate) fn make_durable(&self, st: &mut DiskState) {
        let entries = durable_entries;
        match self {
            DirOp::Link { dir, name, ino } => {
                entries(st, *dir).insert(name.clone(), *ino);
            }
            DirOp::Unlink { dir, name } => {
                entries(st, *dir).remove(name);
            }
            DirOp::Rename {
                from,
                from_name,
                to,
                to_name,
                ino,
            } => {
                entries(st, *from).remove(from_name);
                entries(st, *to).insert(to_name.clone(), *ino);
            }
        }
    }
}

fn durable_entries(st: &mut DiskState, dir: Ino) -> &mut BTreeMap<OsString, Ino> {
    &mut st
        .inode_mut(dir)
        .dir_mut()
        .expect("directory operations name directories")
        .durable
}

/// What a path names.
pub(crate) struct Stat {
    pub(crate) ino: Ino,
    pub(crate) is_dir: bool,
    pub(crate) len: u64,
}

impl DiskState {
    /// The inode `path` names in the page cache.
    pub(crate) fn lookup(&self, path: &Path) -> io::Result<Ino> {
        let comps = components(path)?;
        self.walk(&comps, path)
    }

    fn walk(&self, comps: &[OsString], path: &Path) -> io::Result<Ino> {
        let mut ino = ROOT;
        for name in comps {
            let dir = self
                .inode(ino)
                .dir()
                .ok_or_else(|| error::not_a_directory(path))?;
            ino = *dir.cache.get(name).ok_or_else(|| error::not_found(path))?;
        }
        Ok(ino)
    }

    /// The directory that holds `path`'s last component, and that
    /// component; `None` for the root itself.
    fn parent(&self, path: &Path) -> io::Result<Option<(Ino, OsString)>> {
        let mut comps = components(path)?;
        let Some(name) = comps.pop() else {
            return Ok(None);
        };
        let dir = self.walk(&comps, path)?;
        if !self.inode(dir).is_dir() {
            return Err(error::not_a_directory(path));
        }
        Ok(Some((dir, name)))
    }

    fn entry(&self, dir: Ino, name: &OsString) -> Option<Ino> {
        self.inode(dir)
            .dir()
            .and_then(|d| d.cache.get(name).copied())
    }

    fn link(&mut self, dir: Ino, name: OsString, inode: Inode) -> Ino {
        let ino = self.allocate(inode);
        let d = self
            .inode_mut(dir)
            .dir_mut()
            .expect("parent is a directory");
        d.cache.insert(name.clone(), ino);
        self.dir_log.push(DirOp::Link { dir, name, ino });
        ino
    }

    fn unlink(&mut self, dir: Ino, name: &OsString) {
        let d = self
            .inode_mut(dir)
            .dir_mut()
            .expect("parent is a directory");
        if let Some(ino) = d.cache.remove(name) {
            self.inode_mut(ino).linked = false;
        }
        self.dir_log.push(DirOp::Unlink {
            dir,
            name: name.clone(),
        });
    }

    pub(crate) fn stat(&self, path: &Path) -> io::Result<Stat> {
        let ino = self.lookup(path)?;
        Ok(self.stat_ino(ino))
    }

    pub(crate) fn stat_ino(&self, ino: Ino) -> Stat {
        let inode = self.inode(ino);
        Stat {
            ino,
            is_dir: inode.is_dir(),
            len: inode.file().map_or(0, |f| f.cache.len() as u64),
        }
    }

    /// Opens (and maybe creates or truncates) `path`; the options are
    /// already checked for consistency. Returns what was opened.
    pub(crate) fn open(&mut self, path: &Path, opts: &OpenFlags) -> io::Result<Stat> {
        let writes = opts.writes();
        let ino = match self.parent(path)? {
            None if writes => return Err(error::is_a_directory(path)),
            None => ROOT,
            Some((dir, name)) => self.open_entry(path, dir, name, opts)?,
        };
        self.inode_mut(ino).open += 1;
        Ok(self.stat_ino(ino))
    }

    fn open_entry(
        &mut self,
        path: &Path,
        dir: Ino,
        name: OsString,
        opts: &OpenFlags,
    ) -> io::Result<Ino> {
        let writes = opts.writes();
        Ok(match self.entry(dir, &name) {
            Some(_) if opts.create_new => return Err(error::already_exists(path)),
            Some(ino) if self.inode(ino).is_dir() => {
                if writes {
                    return Err(error::is_a_directory(path));
                }
                ino
            }
            Some(ino) => {
                if opts.truncate {
                    let f = self.inode_mut(ino).file_mut().expect("a file");
                    if !f.cache.is_empty() {
                        f.set_len(0);
                    }
                }
                ino
            }
            None if opts.create || opts.create_new => self.link(dir, name, Inode::new_file()),
            None => return Err(error::not_found(path)),
        })
    }

    pub(crate) fn create_dir(&mut self, path: &Path) -> io::Result<()> {
        let Some((dir, name)) = self.parent(path)? else {
            return Err(error::already_exists(path));
        };
        if self.entry(dir, &name).is_some() {
            return Err(error::already_exists(path));
        }
        self.link(dir, name, Inode::new_dir());
        Ok(())
    }

    pub(crate) fn create_dir_all(&mut self, path: &Path) -> io::Result<()> {
        let comps = components(path)?;
        let mut dir = ROOT;
        for (i, name) in comps.iter().enumerate() {
            dir = match self.entry(dir, name) {
                Some(ino) if self.inode(ino).is_dir() => ino,
                Some(_) if i + 1 == comps.len() => return Err(error::already_exists(path)),
                Some(_) => return Err(error::not_a_directory(path)),
                None => self.link(dir, name.clone(), Inode::new_dir()),
            };
        }
        Ok(())
    }

    /// The entries of directory `path`, sorted by name: `(name, is_dir)`.
    pub(crate) fn read_dir(&self, path: &Path) -> io::Result<Vec<(OsString, bool)>> {
        let ino = self.lookup(path)?;
        let dir = self
            .inode(ino)
            .dir()
            .ok_or_else(|| error::not_a_directory(path))?;
        Ok(dir
            .cache
            .iter()
            .map(|(name, &ino)| (name.clone(), self.inode(ino).is_dir()))
            .collect())
    }

    pub(crate) fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        let Some((dir, name)) = self.parent(path)? else {
            return Err(error::is_a_directory(path));
        };
        let ino = self
            .entry(dir, &name)
            .ok_or_else(|| error::not_found(path))?;
        if self.inode(ino).is_dir() {
            return Err(error::is_a_directory(path));
        }
        self.unlink(dir, &name);
        Ok(())
    }

    pub(crate) fn remove_dir(&mut self, path: &Path) -> io::Result<()> {
        let Some((dir, name)) = self.parent(path)? else {
            return Err(error::busy(path));
        };
        let ino = self
            .entry(dir, &name)
            .ok_or_else(|| error::not_found(path))?;
        match self.inode(ino).dir() {
            None => return Err(error::not_a_directory(path)),
            Some(d) if !d.cache.is_empty() => return Err(error::directory_not_empty(path)),
            Some(_) => {}
        }
        self.unlink(dir, &name);
        Ok(())
    }

    /// Renames `from` to `to`, atomically in the page cache: a reader sees
    /// the old name or the new one, never neither.
    pub(crate) fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        let (Some((from_dir, from_name)), Some((to_dir, to_name))) =
            (self.parent(from)?, self.parent(to)?)
        else {
            return Err(error::busy(from));
        };
        let ino = self
            .entry(from_dir, &from_name)
            .ok_or_else(|| error::not_found(from))?;
        let is_dir = self.inode(ino).is_dir();
        if is_dir {
            let (f, t) = (components(from)?, components(to)?);
            if t.len() > f.len() && t.starts_with(&f) {
                return Err(error::invalid(
                    "rename: cannot move a directory into itself (EINVAL)",
                ));
            }
        }
        if let Some(target) = self.entry(to_dir, &to_name) {
            if target == ino {
                return Ok(());
            }
            match (is_dir, self.inode(target).dir()) {
                (false, Some(_)) => return Err(error::is_a_directory(to)),
                (true, None) => return Err(error::not_a_directory(to)),
                (true, Some(d)) if !d.cache.is_empty() => {
                    return Err(error::directory_not_empty(to));
                }
                _ => {}
            }
            self.inode_mut(target).linked = false;
        }
        self.inode_mut(from_dir)
            .dir_mut()
            .expect("a directory")
            .cache
            .remove(&from_name);
        self.inode_mut(to_dir)
            .dir_mut()
            .expect("a directory")
            .cache
            .insert(to_name.clone(), ino);
        self.dir_log.push(DirOp::Rename {
            from: from_dir,
            from_name,
            to: to_dir,
            to_name,
            ino,
        });
        Ok(())
    }

    /// An fsync of directory `dir`: the journal commits in order, so
    /// every pending operation up to and including the last one that
    /// touches `dir` becomes durable, whatever directories the earlier
    /// ones touch (as ext4's journal commits everything before the
    /// directory's last change).
    pub(crate) fn sync_dir(&mut self, dir: Ino) {
        let Some(last) = self.dir_log.iter().rposition(|op| op.touches(dir)) else {
            return;
        };
        let now: Vec<DirOp> = self.dir_log.drain(..=last).collect();
        for op in &now {
            op.make_durable(self);
        }
    }
}
