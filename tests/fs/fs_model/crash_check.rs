//! The check after a crash: the namespace is an allowed prefix state and
//! the files hold what the model knows to be durable.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use detsim::fs;

use super::model::Entry;
use super::ops::{Case, first_difference, is_eio};
use super::plans::STATS;

impl Case {
    /// Crashes the disk and checks what it kept.
    pub async fn crash(&mut self) -> Result<(), String> {
        STATS.crashes.fetch_add(1, Ordering::Relaxed);
        fs::crash();
        let observed = namespace().await?;
        let mut reasons = Vec::new();
        for k in self.model.allowed_states(self.outcome) {
            let ns = &self.model.history[k];
            let paths: BTreeMap<String, bool> = ns
                .iter()
                .map(|(p, e)| (p.clone(), matches!(e, Entry::Dir(_))))
                .collect();
            if paths != observed {
                continue;
            }
            match self.contents_match(k).await {
                Ok(contents) => {
                    self.model.rebase(k, contents);
                    return Ok(());
                }
                Err(why) => reasons.push(format!("state {k}: {why}")),
            }
        }
        Err(format!(
            "after the crash ({:?}) the disk holds {observed:?}, which is no allowed prefix \
             state (committed: {:?}; pending: {}){}",
            self.outcome,
            self.model.history[0].keys().collect::<Vec<_>>(),
            self.model.history.len() - 1,
            if reasons.is_empty() {
                String::new()
            } else {
                format!("; {}", reasons.join("; "))
            }
        ))
    }

    /// Reads every file of `history[k]` back and checks what the model
    /// knows of it; returns what was read.
    async fn contents_match(&self, k: usize) -> Result<BTreeMap<u64, Option<Vec<u8>>>, String> {
        let mut contents = BTreeMap::new();
        for (path, entry) in &self.model.history[k] {
            let Entry::File(id) = *entry else { continue };
            let data = match fs::read(path).await {
                Ok(data) => Some(data),
                Err(e) if is_eio(&e) && self.eio_allowed => None,
                Err(e) => return Err(format!("{path}: {e}")),
            };
            if let (Some(data), Some(want)) = (&data, self.model.after_crash(id, self.outcome)) {
                if data != want {
                    return Err(format!(
                        "{path} holds {} bytes, fsynced data says {}: {}",
                        data.len(),
                        want.len(),
                        first_difference(data, want)
                    ));
                }
            }
            contents.insert(id, data);
        }
        Ok(contents)
    }
}

/// What the disk's namespace is: every path, and whether it is a directory.
async fn namespace() -> Result<BTreeMap<String, bool>, String> {
    let mut out = BTreeMap::new();
    out.insert("/".to_string(), true);
    let mut stack = vec!["/".to_string()];
    while let Some(dir) = stack.pop() {
        let entries = fs::read_dir(&dir)
            .await
            .map_err(|e| format!("read_dir {dir}: {e}"))?;
        for entry in entries {
            let entry = entry.map_err(|e| e.to_string())?;
            let path = entry.path().to_string_lossy().into_owned();
            let is_dir = entry.file_type().is_dir();
            if is_dir {
                stack.push(path.clone());
            }
            out.insert(path, is_dir);
        }
    }
    Ok(out)
}
