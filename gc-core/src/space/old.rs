//! The old generation: objects that survived long enough in the nursery.
//!
//! # Layout
//! A list of equal-sized chunks, each bump-allocated from its start. Objects never span
//! chunks (the large-object threshold keeps every object well under a chunk). Each chunk has
//! an object-start bitmap, one bit per word, so the write barrier can find the object that
//! owns a cell from the cell's address.
//!
//! # Collection
//! Objects arrive by promotion during minor collections. A major collection
//! (`collect/major.rs`) marks the live ones and slides them towards the first chunk in
//! address order, then frees the chunks left empty.

use core::ptr::NonNull;
use std::collections::BTreeMap;

use crate::alloc::region::Region;
use crate::header::{self, WORD};
use crate::space::walk_region;

/// The size of an old-generation chunk.
#[cfg(not(miri))]
pub(crate) const CHUNK_SIZE: usize = 256 * 1024;
#[cfg(miri)]
pub(crate) const CHUNK_SIZE: usize = 16 * 1024;

const CHUNK_WORDS: usize = CHUNK_SIZE / WORD;

pub(crate) struct Chunk {
    pub(crate) memory: Region,
    /// The end of the objects in this chunk.
    pub(crate) top: NonNull<u8>,
    /// One bit per word: set where an object starts.
    starts: Box<[u64]>,
}

impl Chunk {
    fn new() -> Chunk {
        let memory = Region::new(CHUNK_SIZE, WORD);
        let top = memory.start();
        Chunk {
            memory,
            top,
            starts: vec![0; CHUNK_WORDS / 64].into_boxed_slice(),
        }
    }

    fn word_index(&self, addr: usize) -> usize {
        (addr - self.memory.start().as_ptr().addr()) / WORD
    }

    pub(crate) fn set_start(&mut self, obj: NonNull<u8>) {
        let i = self.word_index(obj.as_ptr().addr());
        self.starts[i / 64] |= 1 << (i % 64);
    }

    fn clear_starts(&mut self) {
        self.starts.fill(0);
    }

    /// The start of the object that covers `addr`: the nearest start bit at or below it.
    fn object_at(&self, addr: usize) -> Option<NonNull<u8>> {
        if addr >= self.top.as_ptr().addr() {
            return None;
        }
        let i = self.word_index(addr);
        let (mut word, bit) = (i / 64, i % 64);
        let mut bits = self.starts[word] & (u64::MAX >> (63 - bit));
        loop {
            if bits != 0 {
                let index = word * 64 + 63 - bits.leading_zeros() as usize;
                // SAFETY: the index is of a word inside this chunk.
                return Some(unsafe { self.memory.start().add(index * WORD) });
            }
            if word == 0 {
                return None;
            }
            word -= 1;
            bits = self.starts[word];
        }
    }
}

/// A position in the old generation's allocation order, to walk objects from.
#[derive(Clone, Copy)]
pub(crate) struct OldCursor {
    chunk: usize,
    at: Option<NonNull<u8>>,
}

pub(crate) struct OldSpace {
    pub(crate) chunks: Vec<Chunk>,
    /// The chunk that allocation bumps into; every chunk after it is empty.
    current: usize,
    /// Chunk start address to chunk index, for the barrier's owner lookup.
    index: BTreeMap<usize, usize>,
    /// Bytes held by objects.
    used: usize,
}

impl OldSpace {
    pub(crate) fn new() -> OldSpace {
        OldSpace {
            chunks: Vec::new(),
            current: 0,
            index: BTreeMap::new(),
            used: 0,
        }
    }

    /// Bump-allocates `size` bytes, adding a chunk if the current one is full.
    #[inline]
    pub(crate) fn alloc(&mut self, size: usize) -> NonNull<u8> {
        debug_assert!(
            size <= CHUNK_SIZE,
            "object of {size} bytes does not fit in a chunk"
        );
        loop {
            if let Some(chunk) = self.chunks.get_mut(self.current) {
                let free = chunk.memory.end().as_ptr().addr() - chunk.top.as_ptr().addr();
                if size <= free {
                    let obj = chunk.top;
                    // SAFETY: `size <= free`, so the new top stays within the chunk.
                    chunk.top = unsafe { obj.add(size) };
                    chunk.set_start(obj);
                    self.used += size;
                    return obj;
                }
                self.current += 1;
            }
            if self.current >= self.chunks.len() {
                let chunk = Chunk::new();
                self.index
                    .insert(chunk.memory.start().as_ptr().addr(), self.chunks.len());
                self.chunks.push(chunk);
            }
        }
    }

    /// The position where the next allocation will go.
    pub(crate) fn end_cursor(&self) -> OldCursor {
        let chunk = self.chunk_count().saturating_sub(1);
        OldCursor {
            chunk,
            at: self.chunks.get(chunk).map(|c| c.top),
        }
    }

    /// The object at `cursor`, advancing it past the object; `None` at the end (objects
    /// allocated later are found by a later call).
    pub(crate) fn next_object(&self, cursor: &mut OldCursor) -> Option<NonNull<u8>> {
        loop {
            let chunk = self.chunks.get(cursor.chunk)?;
            let obj = cursor.at.unwrap_or(chunk.memory.start());
            if obj < chunk.top {
                // SAFETY: objects lie back to back below the chunk's top, each with an intact
                // header.
                cursor.at =
                    Some(unsafe { obj.add(header::read(obj).type_info().object_size(obj)) });
                return Some(obj);
            }
            if cursor.chunk + 1 >= self.chunk_count() {
                return None;
            }
            cursor.chunk += 1;
            cursor.at = None;
        }
    }

    /// The object that covers `addr`, if `addr` is inside an old object.
    pub(crate) fn object_at(&self, addr: usize) -> Option<NonNull<u8>> {
        let (_, &i) = self.index.range(..=addr).next_back()?;
        let chunk = &self.chunks[i];
        if chunk.memory.contains(addr) {
            chunk.object_at(addr)
        } else {
            None
        }
    }

    /// Whether `addr` is the start of an old object (for the verifier).
    pub(crate) fn is_object_start(&self, addr: usize) -> bool {
        self.object_at(addr)
            .is_some_and(|obj| obj.as_ptr().addr() == addr)
    }

    pub(crate) fn used(&self) -> usize {
        self.used
    }

    /// Bytes reserved from the system.
    pub(crate) fn capacity(&self) -> usize {
        self.chunks.len() * CHUNK_SIZE
    }

    /// Walks every object in address order: `step` gets each start and returns the object's
    /// size (which it must know even where a collection has overwritten the header).
    pub(crate) fn walk(&self, mut step: impl FnMut(NonNull<u8>) -> usize) {
        for chunk in &self.chunks[..self.chunk_count()] {
            walk_region(chunk.memory.start(), chunk.top, |obj| Some(step(obj)));
        }
    }

    /// Calls `visit` on every object, in address order.
    ///
    /// # Safety
    /// - Every object must have an intact, unforwarded header.
    pub(crate) unsafe fn for_each_object(&self, mut visit: impl FnMut(NonNull<u8>)) {
        self.walk(|obj| {
            // SAFETY: the caller promises intact headers.
            let size = unsafe { header::read(obj).type_info().object_size(obj) };
            visit(obj);
            size
        })
    }

    /// Prepares for the move phase of a compaction: the object starts are set anew as objects
    /// land at their new places.
    pub(crate) fn clear_starts(&mut self) {
        for chunk in &mut self.chunks {
            chunk.clear_starts();
        }
    }

    /// Ends a compaction: `tops[i]` is the new end of the objects of chunk `i` (chunks past
    /// `tops.len()` are empty and are freed), and `used` the bytes they hold.
    pub(crate) fn finish_compaction(&mut self, tops: Vec<NonNull<u8>>, used: usize) {
        for (chunk, top) in self.chunks.iter_mut().zip(&tops) {
            // A chunk may also have received objects past its old top, from later chunks.
            if *top < chunk.top {
                chunk.memory.poison(*top, chunk.top);
            }
            chunk.top = *top;
        }
        self.chunks.truncate(tops.len());
        self.current = tops.len().saturating_sub(1);
        self.index = self
            .chunks
            .iter()
            .enumerate()
            .map(|(i, c)| (c.memory.start().as_ptr().addr(), i))
            .collect();
        self.used = used;
    }

    /// The occupied range of each chunk.
    pub(crate) fn occupied(&self) -> Vec<(NonNull<u8>, NonNull<u8>)> {
        self.chunks[..self.chunk_count()]
            .iter()
            .map(|c| (c.memory.start(), c.top))
            .collect()
    }

    /// The number of chunks that may hold objects.
    pub(crate) fn chunk_count(&self) -> usize {
        self.chunks.len().min(self.current + 1)
    }
}
