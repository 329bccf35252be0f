//! The runtime's one file system: a slot in the runtime that the OS
//! runtime fills when it is built and the simulation fills on first use
//! (sim-fs installs its disks), so the file types above ask the kernel for
//! "the file system" and never which one it is.

use std::any::Any;
use std::rc::Rc;

use crate::kernel::fs::FileSystem;
use crate::runtime::RuntimeInner;

/// The installed file system, seen as the contract and as itself (for
/// code that owns that implementation, such as sim-fs's `crash`).
pub(crate) struct Installed {
    fs: Rc<dyn FileSystem>,
    any: Rc<dyn Any>,
}

impl Installed {
    fn new<F: FileSystem + 'static>(fs: F) -> Installed {
        let fs = Rc::new(fs);
        Installed {
            fs: Rc::clone(&fs) as Rc<dyn FileSystem>,
            any: fs,
        }
    }

    /// The file system, through the contract.
    pub(crate) fn file_system(&self) -> Rc<dyn FileSystem> {
        Rc::clone(&self.fs)
    }

    /// The file system, if it is an `F`.
    pub(crate) fn downcast<F: 'static>(&self) -> Option<Rc<F>> {
        Rc::clone(&self.any).downcast().ok()
    }
}

/// `rt`'s file system, installing `install()` if it has none yet. Kept as
/// a runtime extension: one per runtime, dropped with it.
pub(crate) fn installed<F: FileSystem + 'static>(
    rt: &RuntimeInner,
    install: impl FnOnce() -> F,
) -> Rc<Installed> {
    rt.extension(|| Installed::new(install()))
}
