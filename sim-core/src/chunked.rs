//! A growable list that never moves what it holds: values are appended to
//! fixed chunks, so growing never copies the list (a `Vec` copies all of
//! it each time it doubles, which at 10k task infos per run cost more per
//! spawn than storing the info). The first chunk grows as a `Vec` does,
//! so a run with a few entries allocates no more than it did. A lookup
//! costs a load more than a `Vec`'s: [`Store`] lets a table choose
//! (task infos grow by thousands per run; resource names are read at
//! every event).

/// An append-only list indexed by push order: a `Vec`, or [`Chunked`].
pub(crate) trait Store<V>: Default {
    /// Appends `value`; its index.
    fn push_value(&mut self, value: V) -> usize;
    /// The value at `index`, if pushed.
    fn value(&self, index: usize) -> Option<&V>;
    /// How many values were pushed.
    fn count(&self) -> usize;
    /// Takes every value out, in index order.
    fn take_values(&mut self) -> impl Iterator<Item = V>;
}

impl<V> Store<V> for Vec<V> {
    #[inline]
    fn push_value(&mut self, value: V) -> usize {
        self.push(value);
        self.len() - 1
    }

    #[inline]
    fn value(&self, index: usize) -> Option<&V> {
        self.get(index)
    }

    fn count(&self) -> usize {
        self.len()
    }

    fn take_values(&mut self) -> impl Iterator<Item = V> {
        std::mem::take(self).into_iter()
    }
}

impl<V> Store<V> for Chunked<V> {
    #[inline]
    fn push_value(&mut self, value: V) -> usize {
        self.push(value)
    }

    #[inline]
    fn value(&self, index: usize) -> Option<&V> {
        self.get(index)
    }

    fn count(&self) -> usize {
        self.len()
    }

    fn take_values(&mut self) -> impl Iterator<Item = V> {
        self.take_all()
    }
}

impl<V> Default for Chunked<V> {
    fn default() -> Chunked<V> {
        Chunked::new()
    }
}

/// Values per chunk, a power of two (an index splits with a shift and a
/// mask).
const CHUNK_BITS: u32 = 10;
const CHUNK: usize = 1 << CHUNK_BITS;

/// An append-only list in chunks of [`CHUNK`] values.
#[derive(Debug)]
pub(crate) struct Chunked<V> {
    /// Full chunks, then the one being filled (none before the first
    /// push).
    chunks: Vec<Vec<V>>,
    /// Values pushed so far.
    len: usize,
}

impl<V> Chunked<V> {
    pub(crate) const fn new() -> Chunked<V> {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }

    /// Appends `value`; its index.
    #[inline]
    pub(crate) fn push(&mut self, value: V) -> usize {
        let index = self.len;
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => last.push(value),
            _ => self.push_chunk(value),
        }
        self.len = index + 1;
        index
    }

    /// Starts a chunk with `value`: the first grows as a `Vec` does, the
    /// later ones are made whole, so none ever moves its values.
    #[cold]
    fn push_chunk(&mut self, value: V) {
        let mut chunk = if self.chunks.is_empty() {
            Vec::new()
        } else {
            Vec::with_capacity(CHUNK)
        };
        chunk.push(value);
        self.chunks.push(chunk);
    }

    /// The value at `index`, if pushed.
    #[inline]
    pub(crate) fn get(&self, index: usize) -> Option<&V> {
        self.chunks
            .get(index >> CHUNK_BITS)?
            .get(index & (CHUNK - 1))
    }

    /// How many values were pushed.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Takes every value out, in index order.
    pub(crate) fn take_all(&mut self) -> impl Iterator<Item = V> {
        self.len = 0;
        std::mem::take(&mut self.chunks).into_iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_run_across_chunks_in_push_order() {
        let mut list = Chunked::new();
        assert_eq!(list.len(), 0);
        assert!(list.get(0).is_none());
        for i in 0..CHUNK * 2 + 5 {
            assert_eq!(list.push(i * 3), i);
        }
        assert_eq!(list.len(), CHUNK * 2 + 5);
        assert_eq!(list.get(CHUNK - 1), Some(&((CHUNK - 1) * 3)));
        assert_eq!(list.get(CHUNK), Some(&(CHUNK * 3)));
        assert_eq!(list.get(CHUNK * 2 + 4), Some(&((CHUNK * 2 + 4) * 3)));
        assert!(list.get(CHUNK * 2 + 5).is_none());
        assert_eq!(list.chunks[1].capacity(), CHUNK, "later chunks are whole");
        let all: Vec<usize> = list.take_all().collect();
        assert_eq!(all, (0..CHUNK * 2 + 5).map(|i| i * 3).collect::<Vec<_>>());
        assert_eq!(list.len(), 0);
    }
}
