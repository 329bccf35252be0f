//! [`Metadata`] and [`FileType`]: what a file is, in either world.
//!
//! # Divergence from tokio
//!
//! tokio returns `std::fs::Metadata`, which only the OS can make; the
//! stand-in has its own types with the questions the simulated disk can
//! answer (length and kind). Timestamps and permissions are not provided
//! (compile errors), since simulated files have neither; code that names
//! `std::fs::Metadata` for tokio's result does not compile either.

use crate::either::Either;

/// Metadata of a file or directory, as `std::fs::Metadata` (what tokio's
/// `fs::metadata` returns) for the questions both worlds can answer.
#[derive(Clone, Debug)]
pub struct Metadata(pub(crate) Either<std::fs::Metadata, detsim::fs::Metadata>);

/// The kind of a file: regular, directory, or (outside the simulation,
/// which has none) symbolic link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileType(pub(crate) Either<std::fs::FileType, detsim::fs::FileType>);

impl Metadata {
    /// The length in bytes.
    #[allow(clippy::len_without_is_empty)] // std's Metadata has no is_empty
    pub fn len(&self) -> u64 {
        crate::either::both!(&self.0, |m| m.len())
    }

    /// Whether this is a directory.
    pub fn is_dir(&self) -> bool {
        crate::either::both!(&self.0, |m| m.is_dir())
    }

    /// Whether this is a regular file.
    pub fn is_file(&self) -> bool {
        crate::either::both!(&self.0, |m| m.is_file())
    }

    /// Whether this is a symbolic link (never in the simulation).
    pub fn is_symlink(&self) -> bool {
        match &self.0 {
            Either::Tokio(m) => m.is_symlink(),
            Either::Sim(_) => false,
        }
    }

    /// The kind of file.
    pub fn file_type(&self) -> FileType {
        match &self.0 {
            Either::Tokio(m) => FileType(Either::Tokio(m.file_type())),
            Either::Sim(m) => FileType(Either::Sim(m.file_type())),
        }
    }
}

impl FileType {
    /// Whether this is a directory.
    pub fn is_dir(&self) -> bool {
        crate::either::both!(&self.0, |t| t.is_dir())
    }

    /// Whether this is a regular file.
    pub fn is_file(&self) -> bool {
        crate::either::both!(&self.0, |t| t.is_file())
    }

    /// Whether this is a symbolic link (never in the simulation).
    pub fn is_symlink(&self) -> bool {
        crate::either::both!(&self.0, |t| t.is_symlink())
    }
}
