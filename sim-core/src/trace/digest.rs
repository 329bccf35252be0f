//! The trace's digest: one folded multiply per event, and the content
//! digests of the names events carry.
//!
//! A name is digested by its content, never its address (which differs
//! between processes), so a digest is the same in every build and run.
//! Fault kinds' names are digested at compile time; other names (a kernel
//! event's `what`) once per run and slot, found by address.

use std::cell::Cell;

use crate::faults::FaultKind;

/// The name an event carries into its digest.
pub(super) enum Name {
    /// None: a scheduler event.
    None,
    /// A kernel event's `what`, digested through [`NameDigests`].
    Str(&'static str),
    /// A name whose content digest is already known (a fault kind's).
    Digest(u64),
}

/// The content digest of a byte string: its length, then each 8-byte
/// word, little-endian, the last one padded with zeros.
pub(super) fn str_digest_bytes(bytes: &[u8]) -> u64 {
    let mut h = bytes.len() as u64;
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        h = step(h, u64::from_le_bytes(word.try_into().expect("8 bytes")));
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        // Byte by byte: a short copy would be a `memcpy` call per name.
        let word = rest
            .iter()
            .enumerate()
            .fold(0u64, |w, (i, &b)| w | u64::from(b) << (8 * i));
        h = step(h, word);
    }
    h
}

/// [`str_digest_bytes`] of a name, for constants: the same words, read a
/// byte at a time.
const fn str_digest_const(s: &str) -> u64 {
    let bytes = s.as_bytes();
    let mut h = bytes.len() as u64;
    let mut at = 0;
    while at < bytes.len() {
        let mut word = 0u64;
        let mut i = 0;
        while i < 8 && at + i < bytes.len() {
            word |= (bytes[at + i] as u64) << (8 * i);
            i += 1;
        }
        h = step(h, word);
        at += 8;
    }
    h
}

/// Every fault kind's name digest, by [`FaultKind::index`].
const FAULT_NAME_DIGESTS: [u64; FaultKind::ALL.len()] = {
    let mut digests = [0; FaultKind::ALL.len()];
    let mut i = 0;
    while i < digests.len() {
        digests[i] = str_digest_const(FaultKind::ALL[i].name());
        i += 1;
    }
    digests
};

/// The content digest of `kind`'s name: a table read, where a lookup by
/// address could share its slot with a hot kernel name and digest the
/// name again.
#[inline]
pub(super) fn fault_name_digest(kind: FaultKind) -> u64 {
    FAULT_NAME_DIGESTS[kind.index()]
}

/// Remembers the content digests of the few static names kernel events
/// carry (`"delivered"`, `"write"`...), keyed by address: the address only
/// finds the entry, the digest is still of the content. Cells, so the
/// trace records through a shared reference.
///
/// Open addressing that never evicts: a name whose home slot is taken
/// goes to the next free one (at most [`NAME_PROBES`] on), and stays
/// there for the run. Where two names land depends on where the linker
/// put them, so a cache that evicted would let a harmless layout change
/// make two hot names evict each other and digest a name per event
/// (about 210 instructions per simulated round trip, seen once).
#[derive(Debug)]
pub(super) struct NameDigests {
    slots: [Cell<NameSlot>; NAME_SLOTS],
}

/// One remembered name: its address and length, and its content digest.
/// An empty slot has address 0, which no `&str` has.
#[derive(Clone, Copy, Debug)]
struct NameSlot {
    ptr: usize,
    len: usize,
    digest: u64,
}

/// Slots of [`NameDigests`]: a run uses a few dozen names at most.
const NAME_SLOTS: usize = 64;

/// How many slots past its home a name may go. Past that (a run with
/// names crowding one part of the table) the name is digested at each
/// use, which is slower but gives the same digest.
const NAME_PROBES: usize = 8;

impl Default for NameDigests {
    fn default() -> NameDigests {
        NameDigests {
            slots: [const {
                Cell::new(NameSlot {
                    ptr: 0,
                    len: 0,
                    digest: 0,
                })
            }; NAME_SLOTS],
        }
    }
}

impl NameDigests {
    #[inline]
    pub(super) fn get(&self, s: &'static str) -> u64 {
        let key = (s.as_ptr() as usize, s.len());
        // Fibonacci hashing of the address: its top bits pick the slot.
        let mixed = (key.0 ^ key.1).wrapping_mul(0x9e37_79b9_7f4a_7c15_u64 as usize);
        let home = mixed >> (usize::BITS - NAME_SLOTS.trailing_zeros());
        let found = self.slots[home].get();
        if (found.ptr, found.len) == key {
            return found.digest;
        }
        // A name whose home another took is most often in the next slot:
        // checked here too, so where the linker put it costs a compare,
        // not a call.
        let next = self.slots[(home + 1) % NAME_SLOTS].get();
        if (next.ptr, next.len) == key {
            return next.digest;
        }
        self.probe(home, s)
    }

    /// A name not in its home slot: further on, or new. Out of line, so
    /// the hit path that every kernel event takes keeps few registers.
    #[inline(never)]
    fn probe(&self, home: usize, s: &'static str) -> u64 {
        let key = (s.as_ptr() as usize, s.len());
        for step in 0..=NAME_PROBES {
            let slot = &self.slots[(home + step) % NAME_SLOTS];
            let found = slot.get();
            if (found.ptr, found.len) == key {
                return found.digest;
            }
            if found.ptr == 0 {
                return Self::fill(slot, s);
            }
        }
        str_digest_bytes(s.as_bytes())
    }

    /// A name's first use: digest it and remember it in `slot`.
    #[cold]
    fn fill(slot: &Cell<NameSlot>, s: &'static str) -> u64 {
        let digest = str_digest_bytes(s.as_bytes());
        slot.set(NameSlot {
            ptr: s.as_ptr() as usize,
            len: s.len(),
            digest,
        });
        digest
    }

    /// Whether `s` is remembered (tests).
    #[cfg(test)]
    fn remembers(&self, s: &'static str) -> bool {
        let key = (s.as_ptr() as usize, s.len());
        self.slots.iter().any(|slot| {
            let found = slot.get();
            (found.ptr, found.len) == key
        })
    }
}

/// One step of a content digest (names, payloads): multiply-xorshift,
/// stable across processes and releases.
#[inline]
const fn step(digest: u64, word: u64) -> u64 {
    let x = (digest ^ word).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    x ^ (x >> 29)
}

/// The full 128-bit product of `a` and `b`, its halves folded together:
/// one `mul` instruction that mixes every bit of both words into the
/// result (foldhash's and wyhash's core).
#[inline(always)]
fn fold_mul(a: u64, b: u64) -> u64 {
    let full = u128::from(a) * u128::from(b);
    (full as u64) ^ ((full >> 64) as u64)
}

/// Keys that keep a field from ever multiplying by zero in practice (a
/// field would have to equal its key, a random 64-bit number) and make
/// the two products differ when their fields are swapped.
const MIX_KEYS: [u64; 4] = [
    0x243f_6a88_85a3_08d3,
    0x1319_8a2e_0370_7344,
    0xa409_3822_299f_31d0,
    0x082e_fa98_ec4e_6c89,
];

/// Folds one event, given as four words, into `digest`: two independent
/// folded multiplies, of which only the second waits for the previous
/// digest, so one event costs one multiply on the dependency chain. Every
/// field goes through a multiply by itself, so two events that differ in
/// any field give unrelated digests (equal with chance about 2^-64).
#[inline(always)]
pub(super) fn mix_event(digest: u64, kind: u64, at: u64, a: u64, b: u64) -> u64 {
    fold_mul(at ^ MIX_KEYS[0], a ^ MIX_KEYS[1])
        ^ fold_mul(b ^ MIX_KEYS[2], kind ^ digest ^ MIX_KEYS[3])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compile_time_name_digests_match_the_runtime_digest() {
        for kind in FaultKind::ALL {
            assert_eq!(
                fault_name_digest(kind),
                str_digest_bytes(kind.name().as_bytes()),
                "{kind}"
            );
        }
        // Lengths around the 8-byte word, where the padding differs.
        for s in [
            "",
            "a",
            "seven77",
            "eight888",
            "nine99999",
            "sixteen_bytes_16",
        ] {
            assert_eq!(str_digest_const(s), str_digest_bytes(s.as_bytes()), "{s:?}");
        }
        let names = NameDigests::default();
        assert_eq!(names.get("delivered"), str_digest_const("delivered"));
    }

    /// Forty names in 64 slots: with one slot per address, some would
    /// share a slot (the birthday bound makes that near certain) and only
    /// the last one used would be remembered, so each would evict the
    /// other at every event.
    #[test]
    fn names_that_share_a_home_slot_are_all_remembered() {
        let names = NameDigests::default();
        let all: Vec<&'static str> = (0..40)
            .map(|i| &*Box::leak(format!("name-{i}").into_boxed_str()))
            .collect();
        for _ in 0..2 {
            for &s in &all {
                assert_eq!(names.get(s), str_digest_bytes(s.as_bytes()), "{s}");
            }
        }
        for &s in &all {
            assert!(names.remembers(s), "{s} was evicted or never stored");
        }
        // A crowded table still gives the content digest.
        let many: Vec<&'static str> = (0..200)
            .map(|i| &*Box::leak(format!("crowd-{i}").into_boxed_str()))
            .collect();
        for &s in &many {
            assert_eq!(names.get(s), str_digest_bytes(s.as_bytes()), "{s}");
        }
        for &s in &all {
            assert!(names.remembers(s), "{s} evicted by a crowd");
        }
    }
}
