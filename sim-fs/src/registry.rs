//! One disk per node, kept in a per-runtime extension: [`configure`] and
//! [`crash`] act on the current node's disk, and a node crash crashes its
//! disk through the hook registered when the registry is created.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use sim_core::kernel::KernelHandle;
use sim_core::node::{self, NodeId};

use crate::config::DiskConfig;
use crate::disk::Disk;

/// The runtime's disks. Holds no `KernelHandle`: the runtime owns this
/// registry, so a handle here would keep the runtime alive forever.
struct Disks {
    by_node: RefCell<BTreeMap<NodeId, Rc<Disk>>>,
}

fn disks(kernel: &KernelHandle) -> Rc<Disks> {
    kernel.extension(|| {
        node::on_crash(|node| {
            let kernel = KernelHandle::current();
            let disk = disks(&kernel).by_node.borrow().get(&node).cloned();
            if let Some(disk) = disk {
                disk.state.borrow_mut().crash(&kernel, disk.id);
            }
        });
        Disks {
            by_node: RefCell::new(BTreeMap::new()),
        }
    })
}

/// Whether the current runtime is the OS one, where files are real.
///
/// # Panics
///
/// Outside a detsim runtime.
#[track_caller]
pub(crate) fn is_os() -> bool {
    KernelHandle::current().is_os()
}

/// Panics if the current runtime is the OS one: `what` exists only in the
/// simulation, and doing nothing there would hide that from the test.
#[track_caller]
fn simulation_only(what: &str, instead: &str) {
    if is_os() {
        panic!(
            "detsim::fs::{what} only exists in the simulation; on the OS runtime \
             (detsim::Runtime::os) files are real. {instead}"
        );
    }
}

/// The current node's disk, created with the default config on first use.
#[track_caller]
pub(crate) fn current_disk() -> Rc<Disk> {
    let kernel = KernelHandle::current();
    let node = node::current();
    let disks = disks(&kernel);
    let mut by_node = disks.by_node.borrow_mut();
    Rc::clone(
        by_node
            .entry(node)
            .or_insert_with(|| Rc::new(Disk::new(&kernel, DiskConfig::default()))),
    )
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
    simulation_only(
        "configure",
        "Configure simulated disks only when KernelHandle::current().is_os() is false.",
    );
    config.validate();
    let kernel = KernelHandle::current();
    let node = node::current();
    let disks = disks(&kernel);
    let mut by_node = disks.by_node.borrow_mut();
    match by_node.get(&node) {
        Some(disk) => disk.state.borrow_mut().reconfigure(config),
        None => {
            by_node.insert(node, Rc::new(Disk::new(&kernel, config)));
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
    simulation_only(
        "crash",
        "Run crash tests under detsim::Runtime::sim or detsim::Sim, or crash the real machine.",
    );
    let kernel = KernelHandle::current();
    let disk = current_disk();
    disk.state.borrow_mut().crash(&kernel, disk.id);
}
