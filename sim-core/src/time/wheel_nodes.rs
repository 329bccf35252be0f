//! [`Nodes`]: the slab under the [`Wheel`](super::wheel::Wheel), which
//! holds each entry's value at an index its key names, with the sequence
//! number that tells a live key from a stale one. Free nodes form a list
//! threaded through them, the last freed reused first.
//!
//! When the wheel empties, it [resets](Nodes::reset) the slab to none
//! (keeping its room), so a queue that fills and drains, like a million
//! timers set and fired, writes its nodes in order every time: reusing
//! them in the order the previous round freed them would read a node
//! anywhere in the slab, a cache miss, at every insert.

/// No node: the end of the free list.
const NIL: u32 = u32::MAX;

struct Node<T> {
    seq: u64,
    /// The next free node, while free.
    next_free: u32,
    /// `None` while free.
    value: Option<T>,
}

/// The slab; see the module docs.
pub(crate) struct Nodes<T> {
    nodes: Vec<Node<T>>,
    free: u32,
}

impl<T> Default for Nodes<T> {
    fn default() -> Self {
        Nodes {
            nodes: Vec::new(),
            free: NIL,
        }
    }
}

impl<T> Nodes<T> {
    /// Stores `value` under `seq`; returns its index.
    #[inline]
    pub(crate) fn insert(&mut self, seq: u64, value: T) -> u32 {
        let node = Node {
            seq,
            next_free: NIL,
            value: Some(value),
        };
        if self.free == NIL {
            self.nodes.push(node);
            u32::try_from(self.nodes.len() - 1)
                .ok()
                .filter(|&i| i != NIL)
                .expect("more than 4 billion pending deadlines")
        } else {
            let index = self.free;
            self.free = self.nodes[index as usize].next_free;
            self.nodes[index as usize] = node;
            index
        }
    }

    /// The value at `index`, if it is still the one stored under `seq`.
    #[inline]
    pub(crate) fn get_mut(&mut self, index: u32, seq: u64) -> Option<&mut T> {
        self.nodes
            .get_mut(index as usize)
            .filter(|n| n.seq == seq)?
            .value
            .as_mut()
    }

    /// Whether the value stored under `seq` at `index` is still there.
    #[inline]
    pub(crate) fn is_live(&self, index: u32, seq: u64) -> bool {
        self.nodes
            .get(index as usize)
            .is_some_and(|n| n.seq == seq && n.value.is_some())
    }

    /// Frees a live node, returning its value.
    #[inline]
    pub(crate) fn take(&mut self, index: u32) -> T {
        let node = &mut self.nodes[index as usize];
        node.next_free = self.free;
        self.free = index;
        node.value.take().expect("a live entry has its value")
    }

    /// Back to no nodes, keeping the room; every node must be free.
    pub(crate) fn reset(&mut self) {
        debug_assert!(self.nodes.iter().all(|n| n.value.is_none()));
        self.nodes.clear();
        self.free = NIL;
    }

    /// Nodes in the slab, free ones included.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Reads the node at `index`, soon to be popped, so that its cache
    /// line is on its way while other work goes on: the reads of a batch
    /// of nodes overlap, where a pop each would wait for its own. (A
    /// prefetch hint did not do it: measured on this project's machine,
    /// the hints were dropped, likely on TLB misses, and every pop still
    /// missed.)
    #[inline]
    pub(crate) fn touch(&self, index: u32) {
        if let Some(node) = self.nodes.get(index as usize) {
            std::hint::black_box(node.seq);
        }
    }

    /// Takes every live value, in index order, and empties the slab.
    pub(crate) fn drain(&mut self) -> Vec<T> {
        self.free = NIL;
        self.nodes.drain(..).filter_map(|n| n.value).collect()
    }
}
