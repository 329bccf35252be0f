//! The reference model: what sim-fs promises, written as plainly as
//! possible. The namespace is a map from path to entry; every directory
//! operation appends the namespace it produced to `history`, whose first
//! element is the last state a directory fsync committed. A crash must
//! leave one of those states (a prefix of the operations), and the data
//! the model knows to be durable.

use std::collections::BTreeMap;
use std::io::ErrorKind;

use detsim::faults::CrashOutcome;

/// What a path names: a directory or a file, by model id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entry {
    Dir(u64),
    File(u64),
}

/// A namespace: every path that exists, the root included.
pub type Ns = BTreeMap<String, Entry>;

/// What the model knows about one file's content.
#[derive(Clone, Debug, Default)]
pub struct FileModel {
    /// What reads see; `None` once a failed write left it unknown.
    pub cache: Option<Vec<u8>>,
    /// What is on the media; `None` when the model cannot tell.
    pub durable: Option<Vec<u8>>,
    /// Changes since the last fsync.
    pub dirty: bool,
    /// An fsync failed since the last crash: its changes never reach the
    /// media, so the cache no longer predicts it.
    pub diverged: bool,
}

pub struct Model {
    next_id: u64,
    /// `history[0]` is committed; `history[i]` follows the `i`th pending
    /// directory operation; the last is the namespace now.
    pub history: Vec<Ns>,
    /// The directories each pending operation touches.
    touched: Vec<Vec<u64>>,
    pub files: BTreeMap<u64, FileModel>,
}

pub fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => "/",
    }
}

impl Model {
    pub fn new() -> Model {
        let mut ns = Ns::new();
        ns.insert("/".to_string(), Entry::Dir(0));
        Model {
            next_id: 1,
            history: vec![ns],
            touched: Vec::new(),
            files: BTreeMap::new(),
        }
    }

    pub fn ns(&self) -> &Ns {
        self.history.last().expect("history is never empty")
    }

    fn dir_id(&self, path: &str) -> Option<u64> {
        match self.ns().get(path) {
            Some(Entry::Dir(d)) => Some(*d),
            _ => None,
        }
    }

    /// The file at `path`.
    pub fn file(&self, path: &str) -> Result<u64, ErrorKind> {
        match self.ns().get(path) {
            Some(Entry::File(f)) => Ok(*f),
            _ => Err(ErrorKind::NotFound),
        }
    }

    fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    fn push(&mut self, ns: Ns, touched: Vec<u64>) {
        self.history.push(ns);
        self.touched.push(touched);
    }

    /// Opening `path` with write + create: the file, created if missing.
    pub fn open_create(&mut self, path: &str) -> Result<u64, ErrorKind> {
        if let Ok(f) = self.file(path) {
            return Ok(f);
        }
        let dir = self.dir_id(parent(path)).ok_or(ErrorKind::NotFound)?;
        let f = self.new_id();
        let mut ns = self.ns().clone();
        ns.insert(path.to_string(), Entry::File(f));
        self.push(ns, vec![dir]);
        self.files.insert(
            f,
            FileModel {
                cache: Some(Vec::new()),
                durable: Some(Vec::new()),
                ..FileModel::default()
            },
        );
        Ok(f)
    }

    pub fn rename(&mut self, from: &str, to: &str) -> Result<(), ErrorKind> {
        let f = self.file(from)?;
        let to_dir = self.dir_id(parent(to)).ok_or(ErrorKind::NotFound)?;
        if from == to {
            return Ok(());
        }
        let from_dir = self.dir_id(parent(from)).expect("a file's parent exists");
        let mut ns = self.ns().clone();
        ns.remove(from);
        ns.insert(to.to_string(), Entry::File(f));
        self.push(ns, vec![from_dir, to_dir]);
        Ok(())
    }

    pub fn unlink(&mut self, path: &str) -> Result<(), ErrorKind> {
        self.file(path)?;
        let dir = self.dir_id(parent(path)).expect("a file's parent exists");
        let mut ns = self.ns().clone();
        ns.remove(path);
        self.push(ns, vec![dir]);
        Ok(())
    }

    pub fn mkdir(&mut self, path: &str) -> Result<(), ErrorKind> {
        let dir = self.dir_id(parent(path)).ok_or(ErrorKind::NotFound)?;
        if self.ns().contains_key(path) {
            return Err(ErrorKind::AlreadyExists);
        }
        let d = self.new_id();
        let mut ns = self.ns().clone();
        ns.insert(path.to_string(), Entry::Dir(d));
        self.push(ns, vec![dir]);
        Ok(())
    }

    pub fn rmdir(&mut self, path: &str) -> Result<(), ErrorKind> {
        let parent_dir = self.dir_id(parent(path)).ok_or(ErrorKind::NotFound)?;
        self.dir_id(path).ok_or(ErrorKind::NotFound)?;
        let inside = format!("{path}/");
        if self.ns().keys().any(|p| p.starts_with(&inside)) {
            return Err(ErrorKind::DirectoryNotEmpty);
        }
        let mut ns = self.ns().clone();
        ns.remove(path);
        self.push(ns, vec![parent_dir]);
        Ok(())
    }

    /// The directory a `sync_dir(path)` opens.
    pub fn open_dir(&self, path: &str) -> Result<u64, ErrorKind> {
        self.dir_id(path).ok_or(ErrorKind::NotFound)
    }

    /// A successful fsync of directory `dir`: the journal commits up to
    /// and including the last operation that touches it.
    pub fn dir_synced(&mut self, dir: u64) {
        if let Some(last) = self.touched.iter().rposition(|t| t.contains(&dir)) {
            self.history.drain(..=last);
            self.touched.drain(..=last);
        }
    }

    pub fn wrote(&mut self, f: u64, offset: u64, data: &[u8]) {
        let m = self.files.get_mut(&f).expect("a modelled file");
        if let Some(cache) = &mut m.cache {
            let (start, end) = (offset as usize, offset as usize + data.len());
            if cache.len() < end {
                cache.resize(end, 0);
            }
            cache[start..end].copy_from_slice(data);
        }
        m.dirty = true;
    }

    /// An append: `data` at the end of the cache.
    pub fn appended(&mut self, f: u64, data: &[u8]) {
        let end = self.files[&f].cache.as_ref().map(Vec::len);
        match end {
            Some(end) => self.wrote(f, end as u64, data),
            None => self.write_failed(f),
        }
    }

    /// A write failed part way: some of it may be in the cache.
    pub fn write_failed(&mut self, f: u64) {
        let m = self.files.get_mut(&f).expect("a modelled file");
        m.cache = None;
        m.dirty = true;
    }

    pub fn set_len(&mut self, f: u64, len: u64) {
        let m = self.files.get_mut(&f).expect("a modelled file");
        if let Some(cache) = &mut m.cache {
            cache.resize(len as usize, 0);
        }
        m.dirty = true;
    }

    pub fn fsynced(&mut self, f: u64, ok: bool) {
        let m = self.files.get_mut(&f).expect("a modelled file");
        if ok {
            m.durable = if m.diverged { None } else { m.cache.clone() };
        } else {
            // fsyncgate: the changes are dropped; the media keeps what it had.
            m.diverged = true;
        }
        m.dirty = false;
    }

    /// The namespaces a crash may leave under `outcome`, as indices into
    /// `history`.
    pub fn allowed_states(&self, outcome: CrashOutcome) -> Vec<usize> {
        match outcome {
            CrashOutcome::LoseUnsynced => vec![0],
            CrashOutcome::KeepUnsynced => vec![self.history.len() - 1],
            _ => (0..self.history.len()).collect(),
        }
    }

    /// The content file `f` must have after a crash, if the model knows.
    pub fn after_crash(&self, f: u64, outcome: CrashOutcome) -> Option<&[u8]> {
        let m = &self.files[&f];
        match outcome {
            CrashOutcome::LoseUnsynced => m.durable.as_deref(),
            CrashOutcome::KeepUnsynced if !m.diverged => m.cache.as_deref(),
            CrashOutcome::KeepUnsynced => None,
            _ if m.dirty => None,
            _ => m.durable.as_deref(),
        }
    }

    /// After a crash that left `history[k]`: that is the committed
    /// namespace now, and each file holds what was read back from it
    /// (`None` if it could not be read).
    pub fn rebase(&mut self, k: usize, contents: BTreeMap<u64, Option<Vec<u8>>>) {
        let ns = self.history.swap_remove(k);
        self.history = vec![ns];
        self.touched.clear();
        self.files = contents
            .into_iter()
            .map(|(f, data)| {
                let m = FileModel {
                    cache: data.clone(),
                    durable: data,
                    ..FileModel::default()
                };
                (f, m)
            })
            .collect();
    }
}
