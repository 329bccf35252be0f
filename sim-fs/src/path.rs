//! Path resolution: absolute paths, or paths relative to `/`.

use std::ffi::OsString;
use std::io;
use std::path::{Component, Path};

use crate::error;

/// `path` as its components below the root, with `.` dropped and `..`
/// resolved lexically (exact here: the simulated disk has no symlinks).
pub(crate) fn components(path: &Path) -> io::Result<Vec<OsString>> {
    if path.as_os_str().is_empty() {
        return Err(error::not_found(path));
    }
    let mut out = Vec::new();
    for c in path.components() {
        match c {
            Component::Prefix(_) => {
                return Err(error::invalid(
                    "detsim::fs paths are Unix paths: a Windows prefix is not supported",
                ));
            }
            Component::RootDir | Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => out.push(name.to_os_string()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_relative_to_the_root() {
        assert_eq!(
            components(Path::new("a/./b/../c")).unwrap(),
            components(Path::new("/a/c")).unwrap()
        );
        assert!(components(Path::new("/..")).unwrap().is_empty());
        assert_eq!(
            components(Path::new("")).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
    }
}
