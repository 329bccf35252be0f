//! [`ResourceId`]: what a kernel event or a fault is about.
//!
//! Three kinds of things have events: IO resources (a socket, a disk, a
//! stream end: allocated in order by the kernel and named by their kind,
//! `tcp#3`), nodes (a host goes down or up) and directed links between two
//! nodes (a partition, a lost SYN). Some events concern no single thing
//! ("heal all"). One id type covers them all, so a host's index can never be
//! mistaken for the socket that happens to have the same number, and an
//! event about no resource never prints as a resource called `none#0`.

use std::fmt;

use crate::node::NodeId;

/// Identifies the subject of a kernel event or an injected fault.
///
/// ```
/// use detsim::kernel::ResourceId;
/// use detsim::node::NodeId;
///
/// assert_eq!(ResourceId::node(NodeId::MAIN).to_string(), "node#0");
/// assert_eq!(ResourceId::NONE.to_string(), "-");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceId(u64);

/// The subject, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Subject {
    /// Nothing in particular.
    None,
    /// An IO resource allocated by the kernel (dense from 1).
    Io(u64),
    /// A node.
    Node(NodeId),
    /// The directed link `from -> to`.
    Link(NodeId, NodeId),
}

/// The top two bits say which kind of subject the rest names.
const TAG_SHIFT: u32 = 62;
const TAG_IO: u64 = 0;
const TAG_NODE: u64 = 1;
const TAG_LINK: u64 = 2;
/// Node ids in a link take 31 bits each (`node::create` stops below 2^31).
const LINK_BITS: u32 = 31;
const LINK_MASK: u64 = (1 << LINK_BITS) - 1;

impl ResourceId {
    /// No single resource: an event about the whole simulation.
    pub const NONE: ResourceId = ResourceId(0);

    /// The IO resource allocated `n`-th (from 1) by the kernel.
    pub(crate) fn io(n: u64) -> ResourceId {
        assert!(
            n >> TAG_SHIFT == 0,
            "detsim: more than 2^62 resources in one run"
        );
        ResourceId(n)
    }

    /// A node (for a simulated host: the node it runs on).
    pub fn node(node: NodeId) -> ResourceId {
        ResourceId(TAG_NODE << TAG_SHIFT | u64::from(node.as_u32()))
    }

    /// The directed link from node `from` to node `to`.
    pub fn link(from: NodeId, to: NodeId) -> ResourceId {
        let (a, b) = (u64::from(from.as_u32()), u64::from(to.as_u32()));
        debug_assert!(a <= LINK_MASK && b <= LINK_MASK, "node ids stay below 2^31");
        ResourceId(TAG_LINK << TAG_SHIFT | (b & LINK_MASK) << LINK_BITS | (a & LINK_MASK))
    }

    /// The id as one number (trace digests, epoll tokens): distinct ids
    /// give distinct numbers.
    pub fn as_u64(self) -> u64 {
        self.0
    }

    /// The id [`ResourceId::as_u64`] returned.
    pub(crate) fn from_u64(raw: u64) -> ResourceId {
        ResourceId(raw)
    }

    pub(crate) fn subject(self) -> Subject {
        let rest = self.0 & !(3 << TAG_SHIFT);
        match self.0 >> TAG_SHIFT {
            _ if self.0 == 0 => Subject::None,
            TAG_IO => Subject::Io(rest),
            TAG_NODE => Subject::Node(NodeId(rest as u32)),
            TAG_LINK => Subject::Link(
                NodeId((rest & LINK_MASK) as u32),
                NodeId((rest >> LINK_BITS & LINK_MASK) as u32),
            ),
            _ => Subject::None,
        }
    }
}

/// Without the run's names: `res#3`, `node#2`, `link node#1->node#2`, `-`.
/// Reports name resources by kind and nodes by name instead.
impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.subject() {
            Subject::None => f.write_str("-"),
            Subject::Io(n) => write!(f, "res#{n}"),
            Subject::Node(n) => write!(f, "{n}"),
            Subject::Link(a, b) => write!(f, "link {a}->{b}"),
        }
    }
}

impl fmt::Debug for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResourceId({self})")
    }
}
