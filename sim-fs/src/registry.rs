//! One disk per node: [`Disks`], the simulation's file system, installed
//! in the runtime's kernel on the first use of `detsim::fs` (the OS runtime
//! has its real one from the start). [`configure`] and [`crash`] act on
//! the current node's disk, and a node crash crashes its disk through the
//! hook registered when the disks are installed.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use sim_core::kernel::KernelHandle;
use sim_core::kernel::fs::FileSystem;
use sim_core::node::{self, NodeId};

use crate::config::DiskConfig;
use crate::disk::Disk;

/// The runtime's simulated disks, by node: the simulation's
/// [`FileSystem`] (`kernel_fs.rs`). Holds no `KernelHandle`: the runtime
/// owns it, so a handle here would keep the runtime alive forever.
pub(crate) struct Disks {
    by_node: RefCell<BTreeMap<NodeId, Rc<Disk>>>,
}

impl Disks {
    /// Empty, with the hook that crashes a node's disk with the node.
    fn install() -> Disks {
        KernelHandle::current().on_node_crash(|node| {
            let kernel = KernelHandle::current();
            let disks = kernel.file_system_as(Disks::install);
            let disk = disks.and_then(|d| d.by_node.borrow().get(&node).cloned());
            if let Some(disk) = disk {
                disk.state.borrow_mut().crash(&kernel, disk.id);
            }
        });
        Disks {
            by_node: RefCell::new(BTreeMap::new()),
        }
    }

    /// The current node's disk, created with the default config on first
    /// use.
    #[track_caller]
    pub(crate) fn current(&self) -> Rc<Disk> {
        let node = node::current();
        let mut by_node = self.by_node.borrow_mut();
        Rc::clone(
            by_node.entry(node).or_insert_with(|| {
                Rc::new(Disk::new(&KernelHandle::current(), DiskConfig::default()))
            }),
        )
    }
}

/// The current runtime's file system, behind the kernel's contract
/// ([`detsim::kernel::fs`](sim_core::kernel::fs)): the simulated disks
/// (installed now, if this is the first use of `detsim::fs` in the run),
/// or on the OS runtime (`detsim::Runtime::os()`) the real one. Every
/// function and type of this crate is written over it; it is public for
/// tests of the contract and for file types of your own.
///
/// ```
/// use detsim::kernel::fs::OpenFlags;
///
/// detsim::Runtime::sim(4).block_on(async {
///     let fs = detsim::fs::file_system();
///     let flags = OpenFlags { write: true, create: true, ..OpenFlags::default() };
///     let file = fs.open("/raw".as_ref(), &flags).await.unwrap();
///     let (res, _) = file.pwrite(b"abc".to_vec(), 0).await;
///     assert_eq!(res.unwrap(), 3);
///     assert_eq!(fs.stat("/raw".as_ref()).await.unwrap().len, 3);
/// });
/// ```
///
/// # Panics
///
/// Outside a detsim runtime.
#[track_caller]
pub fn file_system() -> Rc<dyn FileSystem> {
    KernelHandle::current().file_system(Disks::install)
}

/// The current runtime's simulated disks.
///
/// # Panics
///
/// On the OS runtime, whose disks are the machine's: `what` exists only in
/// the simulation, and doing nothing there would hide that from the test.
#[track_caller]
fn simulated_disks(what: &str, instead: &str) -> Rc<Disks> {
    KernelHandle::current()
        .file_system_as(Disks::install)
        .unwrap_or_else(|| {
            panic!(
                "detsim::fs::{what} only exists in the simulation; on the OS runtime \
                 (detsim::Runtime::os) files are real. {instead}"
            )
        })
}

/// Configures the current node's disk: call it before the node's first
/// file operation (later, the new capacity and speeds apply to later
/// operations and the content stays).
///
/// ```
/// use detsim::fs::{self, DiskConfig};
///
/// detsim::Runtime::sim(1).block_on(async {
///     let mut config = DiskConfig::default();
///     config.capacity_bytes = 8;
///     fs::configure(config);
///     let err = fs::write("/big", vec![0; 9]).await.unwrap_err();
///     assert_eq!(err.kind(), std::io::ErrorKind::StorageFull);
/// });
/// ```
///
/// # Panics
///
/// If the config is unusable (a zero sector size, queue depth or
/// bandwidth, a minimum latency above its maximum), outside a detsim
/// runtime, or on the OS runtime (`detsim::Runtime::os`), whose disk is
/// the machine's: a test that relies on a capacity or a latency must not
/// pass there with the config silently ignored.
#[track_caller]
pub fn configure(config: DiskConfig) {
    let disks = simulated_disks(
        "configure",
        "Configure simulated disks only in runs of detsim::Runtime::sim or detsim::Sim.",
    );
    config.validate();
    let node = node::current();
    let mut by_node = disks.by_node.borrow_mut();
    match by_node.get(&node) {
        Some(disk) => disk.state.borrow_mut().reconfigure(config),
        None => {
            by_node.insert(node, Rc::new(Disk::new(&KernelHandle::current(), config)));
        }
    }
}

/// Crashes the current node's disk as a power loss would, while its tasks
/// keep running: what was not made durable is lost, kept or torn as the
/// seed decides (see the crate docs, "Durability model"), the page cache
/// becomes what survived, and every open [`File`](crate::File) and
/// operation in flight on the disk fails from now on (reopen files to
/// recover). For single-node tests; `detsim::node::crash` does the same
/// to a node's disk, and stops its tasks.
///
/// ```
/// use detsim::fs;
///
/// detsim::Runtime::sim(1).block_on(async {
///     fs::write("/kept", b"synced").await.unwrap();
///     fs::File::open("/kept").await.unwrap().sync_all().await.unwrap();
///     fs::sync_dir("/").await.unwrap();
///     fs::crash();
///     assert_eq!(fs::read("/kept").await.unwrap(), b"synced");
/// });
/// ```
///
/// # Panics
///
/// Outside a detsim runtime, and on the OS runtime (`detsim::Runtime::os`):
/// a real disk cannot be crashed from inside the process, and doing
/// nothing would let a crash test pass without testing anything.
///
/// ```should_panic
/// detsim::Runtime::os().unwrap().block_on(async {
///     detsim::fs::crash(); // panics: "fs::crash only exists in the simulation; ..."
/// });
/// ```
#[track_caller]
pub fn crash() {
    let disks = simulated_disks(
        "crash",
        "Run crash tests under detsim::Runtime::sim or detsim::Sim, or crash the real machine.",
    );
    let disk = disks.current();
    disk.state
        .borrow_mut()
        .crash(&KernelHandle::current(), disk.id);
}
