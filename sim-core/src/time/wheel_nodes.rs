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
//!
//! A value may name where in memory its owner lives (a timer's value
//! holds the address of the [`Sleep`](crate::time::Sleep) that set it):
//! when a batch of entries is about to become due, the wheel asks the CPU
//! to start loading those places too ([`Nodes::warm`]), so the task that
//! the timer wakes finds its future in cache, as it would if the timer
//! entry lived inside the future. Such an address is a hint, never
//! dereferenced: it may be stale (the owner moved or is gone) at no cost
//! but a wasted load.

/// No node: the end of the free list.
const NIL: u32 = u32::MAX;

/// A node's content. (An enum rather than a free-list link beside an
/// `Option`: the link fits in the value's room, and a timer's node is 32
/// bytes, two to a cache line.)
enum Slot<T> {
    /// Free; the next free node.
    Free(u32),
    Live(T),
}

struct Node<T> {
    seq: u64,
    slot: Slot<T>,
}

/// How to find a value's owner: its address (0: unknown), and how many
/// bytes past it the owner spans (see the module docs).
pub(crate) type OwnerHint<T> = (fn(&T) -> usize, usize);

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
    /// The size of one node.
    #[cfg(test)]
    pub(crate) const NODE_BYTES: usize = size_of::<Node<T>>();

    /// Stores `value` under `seq`; returns its index.
    #[inline]
    pub(crate) fn insert(&mut self, seq: u64, value: T) -> u32 {
        let node = Node {
            seq,
            slot: Slot::Live(value),
        };
        if self.free == NIL {
            self.nodes.push(node);
            u32::try_from(self.nodes.len() - 1)
                .ok()
                .filter(|&i| i != NIL)
                .expect("more than 4 billion pending deadlines")
        } else {
            let index = self.free;
            let free = &mut self.nodes[index as usize];
            self.free = match free.slot {
                Slot::Free(next) => next,
                Slot::Live(_) => unreachable!("the free list holds free nodes only"),
            };
            *free = node;
            index
        }
    }

    /// The value at `index`, if it is still the one stored under `seq`.
    #[inline]
    pub(crate) fn get_mut(&mut self, index: u32, seq: u64) -> Option<&mut T> {
        let node = self
            .nodes
            .get_mut(index as usize)
            .filter(|n| n.seq == seq)?;
        match &mut node.slot {
            Slot::Live(value) => Some(value),
            Slot::Free(_) => None,
        }
    }

    /// Whether the value stored under `seq` at `index` is still there.
    #[inline]
    pub(crate) fn is_live(&self, index: u32, seq: u64) -> bool {
        self.nodes
            .get(index as usize)
            .is_some_and(|n| n.seq == seq && matches!(n.slot, Slot::Live(_)))
    }

    /// Frees a live node, returning its value.
    #[inline]
    pub(crate) fn take(&mut self, index: u32) -> T {
        let node = &mut self.nodes[index as usize];
        let slot = std::mem::replace(&mut node.slot, Slot::Free(self.free));
        self.free = index;
        match slot {
            Slot::Live(value) => value,
            Slot::Free(_) => unreachable!("a live entry has its value"),
        }
    }

    /// Back to no nodes, keeping the room; every node must be free.
    ///
    /// The nodes are forgotten, not dropped one by one: a free node holds
    /// nothing to drop, and a walk over them all (a million timers' slab is
    /// 32 MiB) would read the whole slab back from memory for nothing.
    pub(crate) fn reset(&mut self) {
        debug_assert!(self.nodes.iter().all(|n| matches!(n.slot, Slot::Free(_))));
        // SAFETY: a length of 0 is within any capacity, and asks no element
        // to be initialized. The nodes' destructors are skipped, which is
        // always memory-safe; it leaks nothing since every node is free
        // (the wheel resets only once it holds no entry, checked above in
        // debug builds), and a free node's only content is a `u32` link.
        unsafe { self.nodes.set_len(0) };
        self.free = NIL;
    }

    /// Nodes the slab has room for: the most it ever held, about.
    pub(crate) fn capacity(&self) -> usize {
        self.nodes.capacity()
    }

    /// Nodes in the slab, free ones included.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Reads the node at `index`, soon to be popped, and asks for its
    /// owner's memory when `owner` says where it is, so that both are on
    /// their way while other work goes on: the reads of a batch of nodes
    /// overlap, where a pop each would wait for its own. (The node is
    /// read, not only prefetched: the owner's prefetch needs its hint. The
    /// wheel prefetches the nodes of the slot likely due next, so this
    /// read usually finds its node in cache.)
    #[inline]
    pub(crate) fn warm(&self, index: u32, owner: Option<OwnerHint<T>>) {
        let Some(node) = self.nodes.get(index as usize) else {
            return;
        };
        match (owner, &node.slot) {
            (Some((address_of, span)), Slot::Live(value)) => {
                let address = address_of(value);
                if address != 0 {
                    prefetch(address);
                    prefetch(address.wrapping_add(span));
                }
            }
            _ => {
                std::hint::black_box(node.seq);
            }
        }
    }

    /// Asks for the node at `index`, wanted soon.
    #[inline]
    pub(crate) fn prefetch(&self, index: u32) {
        if let Some(node) = self.nodes.get(index as usize) {
            prefetch(std::ptr::from_ref(node).addr());
        }
    }

    /// Takes every live value, in index order, and empties the slab.
    pub(crate) fn drain(&mut self) -> Vec<T> {
        self.free = NIL;
        self.nodes
            .drain(..)
            .filter_map(|n| match n.slot {
                Slot::Live(value) => Some(value),
                Slot::Free(_) => None,
            })
            .collect()
    }
}

/// Asks the CPU to start loading the cache line holding `address` into
/// its caches; nothing else happens, and nothing on targets without the
/// instruction (or under miri).
#[inline(always)]
fn prefetch(address: usize) {
    #[cfg(all(target_arch = "x86_64", not(miri)))]
    // SAFETY: a prefetch is a hint to the cache: it reads and writes no
    // memory the program can observe, and it never faults, whatever the
    // address (unmapped, freed, or never allocated: the CPU drops the
    // request). So any `usize` is a valid argument; the pointer made from
    // it is never dereferenced.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(std::ptr::without_provenance(address));
    }
    #[cfg(not(all(target_arch = "x86_64", not(miri))))]
    let _ = address;
}
