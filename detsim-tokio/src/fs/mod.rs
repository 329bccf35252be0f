//! tokio's `fs`: files and directories on detsim's simulated disks inside
//! a simulation, and tokio's (std's, on its blocking pool) everywhere else.
//!
//! Inside a detsim runtime each call goes to the calling node's simulated
//! disk (`detsim::fs`): a page cache over durable media, crashes that lose
//! what was not synced, storage faults from the fault plan, and a
//! seeded order of completions. A [`File`] opened in one world and used
//! in the other fails with an `io::Error` that says so.
//!
//! # Divergence from tokio and Linux
//!
//! - [`Metadata`] and [`FileType`] are the stand-in's own (tokio returns
//!   `std::fs::Metadata`, which only the OS can make): length and kind,
//!   no timestamps or permissions.
//! - [`read_dir`] lists a snapshot sorted by name inside a simulation.
//! - [`copy`] copies contents only; [`remove_dir_all`] is a walk of
//!   single operations (so a crash can leave part of the tree, as on
//!   Linux); [`symlink_metadata`] is [`metadata`] (no symbolic links).
//! - Not provided, since the simulated disk cannot do them and a
//!   forward-only item would be a surprise at run time inside a
//!   simulation (so they are compile errors): `canonicalize`,
//!   `hard_link`, `read_link`, `symlink`/`symlink_*`,
//!   `set_permissions`, `File::{try_clone, into_std, try_into_std,
//!   from_std, set_permissions, set_max_buf_size, max_buf_size}`,
//!   `DirEntry::ino`, `OpenOptions`'s Unix `mode`/`custom_flags`,
//!   `DirBuilder::mode`.

mod dir;
mod file;
mod metadata;
mod ops;
mod sim_file;

pub use dir::{DirBuilder, DirEntry, ReadDir, read_dir, remove_dir_all};
pub use file::{File, OpenOptions};
pub use metadata::{FileType, Metadata};
pub use ops::{
    copy, create_dir, create_dir_all, metadata, read, read_to_string, remove_dir, remove_file,
    rename, symlink_metadata, try_exists, write,
};
