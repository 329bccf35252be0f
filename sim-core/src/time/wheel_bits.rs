//! [`SlotBits`]: which slots of one level of the
//! [`Wheel`](super::wheel::Wheel) hold entries, one bit per slot.

/// Words of 64 bits per level.
const WORDS: usize = 4;

/// Slots per level: one bit each.
pub(super) const SLOTS: usize = WORDS * 64;

/// Bit `s`: slot `s` of the level holds entries.
#[derive(Clone, Copy, Default)]
pub(super) struct SlotBits([u64; WORDS]);

impl SlotBits {
    /// Marks `slot` occupied.
    #[inline]
    pub(super) fn set(&mut self, slot: usize) {
        self.0[slot / 64] |= 1 << (slot % 64);
    }

    /// Marks `slot` empty.
    #[inline]
    pub(super) fn clear(&mut self, slot: usize) {
        self.0[slot / 64] &= !(1 << (slot % 64));
    }

    /// Whether no slot is occupied.
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }

    /// The lowest occupied slot at or after `from`, if any.
    #[inline]
    pub(super) fn next_from(&self, from: usize) -> Option<usize> {
        let mut word = from / 64;
        if word >= WORDS {
            return None;
        }
        let mut bits = self.0[word] & (u64::MAX << (from % 64));
        loop {
            if bits != 0 {
                return Some(word * 64 + bits.trailing_zeros() as usize);
            }
            word += 1;
            if word == WORDS {
                return None;
            }
            bits = self.0[word];
        }
    }

    /// The lowest occupied slot, if any.
    #[inline]
    pub(super) fn first(&self) -> Option<usize> {
        self.next_from(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_found_in_order_across_words() {
        let mut bits = SlotBits::default();
        assert!(bits.is_empty());
        assert_eq!(bits.first(), None);
        for slot in [3, 64, 130, SLOTS - 1] {
            bits.set(slot);
        }
        assert!(!bits.is_empty());
        let mut found = Vec::new();
        let mut at = bits.first();
        while let Some(slot) = at {
            found.push(slot);
            at = bits.next_from(slot + 1);
        }
        assert_eq!(found, [3, 64, 130, SLOTS - 1]);
        bits.clear(64);
        assert_eq!(bits.next_from(4), Some(130));
        for slot in [3, 130, SLOTS - 1] {
            bits.clear(slot);
        }
        assert!(bits.is_empty());
    }
}
