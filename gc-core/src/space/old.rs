//! The old generation: objects that survived long enough in the nursery.
//!
//! # Layout
//! A list of equal-sized chunks, each bump-allocated from its start. Objects never span
//! chunks (the large-object threshold keeps every object well under a chunk). Each chunk has
//! an object-start bitmap, one bit per word, which finds the first object on a card, and a
//! card table (`space/cards.rs`), which the write barrier dirties.
//!
//! # Finding a chunk
//! Chunks are aligned to their size, so the chunk an address may lie in is named by the
//! address divided by the chunk size: one hash lookup, no search (a store into a big heap's
//! old objects finds its chunk in constant time).
//!
//! # Collection
//! Objects arrive by promotion during minor collections. A major collection
//! (`collect/major.rs`) marks the live ones and slides them towards the first chunk in
//! address order, then frees the chunks left empty.

use core::cell::Cell;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU64, Ordering};
use std::collections::HashMap;

use crate::alloc::region::Region;
use crate::header::{self, Header, WORD};
use crate::space::cards::CardTable;
use crate::space::walk_region;
use crate::trace::{Trace, Tracer};
use crate::type_info::{Object, TypeInfo};
use crate::word_hash::WordHash;

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
    /// One bit per word: set where an object starts. Atomic, so that the threads of a minor
    /// collection can set the bits of their copies at once (see [`StartBits`]).
    starts: Box<[AtomicU64]>,
    /// The cards of the chunk's memory.
    pub(crate) cards: CardTable,
}

impl Chunk {
    /// A new chunk, and whether its memory came from the process's pool.
    fn new() -> (Chunk, bool) {
        let (memory, reused) = Region::pooled(CHUNK_SIZE, CHUNK_SIZE);
        let top = memory.start();
        let chunk = Chunk {
            cards: CardTable::new(memory.start(), CHUNK_SIZE),
            memory,
            top,
            starts: (0..CHUNK_WORDS / 64).map(|_| AtomicU64::new(0)).collect(),
        };
        (chunk, reused)
    }

    fn word_index(&self, addr: usize) -> usize {
        (addr - self.memory.start().as_ptr().addr()) / WORD
    }

    /// Sets the start bit of `obj`. (Through `&mut self`: never while threads of a minor
    /// collection set bits through [`StartBits`].)
    pub(crate) fn set_start(&mut self, obj: NonNull<u8>) {
        let i = self.word_index(obj.as_ptr().addr());
        *self.starts[i / 64].get_mut() |= 1 << (i % 64);
    }

    fn clear_starts(&mut self) {
        for bits in &mut self.starts {
            *bits.get_mut() = 0;
        }
    }

    /// Where the threads of a minor collection set the start bits of the copies they make in
    /// this chunk.
    pub(crate) fn start_bits(&self) -> StartBits {
        StartBits {
            base: self.memory.start().as_ptr().addr(),
            bits: NonNull::from(&*self.starts).cast(),
        }
    }

    /// The start of the object that covers `addr`: the nearest start bit at or below it.
    pub(crate) fn object_at(&self, addr: usize) -> Option<NonNull<u8>> {
        if addr >= self.top.as_ptr().addr() {
            return None;
        }
        let i = self.word_index(addr);
        let (mut word, bit) = (i / 64, i % 64);
        let mut bits = self.starts[word].load(Ordering::Relaxed) & (u64::MAX >> (63 - bit));
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
            bits = self.starts[word].load(Ordering::Relaxed);
        }
    }
}

/// The number of the chunk-sized, chunk-aligned stretch of address space `addr` lies in.
#[inline]
fn chunk_number(addr: usize) -> usize {
    addr / CHUNK_SIZE
}

/// The start bitmap of one chunk, reached without the chunk: how the threads of a minor
/// collection set the bits of their copies while another thread may be adding chunks (which
/// moves the `Chunk`s, not their bitmaps).
#[derive(Clone, Copy)]
pub(crate) struct StartBits {
    base: usize,
    bits: NonNull<AtomicU64>,
}

impl StartBits {
    /// Sets the start bit of `obj`, while other threads may be setting others.
    ///
    /// # Safety
    /// - `obj` must lie in the chunk these bits were taken from, and the chunk must still be
    ///   alive (no chunk is freed during a minor collection).
    #[inline]
    pub(crate) unsafe fn set(self, obj: NonNull<u8>) {
        let i = (obj.as_ptr().addr() - self.base) / WORD;
        // SAFETY: the caller promises an address in the chunk, whose bitmap has a bit for
        // each of its words and is alive.
        let bits = unsafe { self.bits.add(i / 64).as_ref() };
        bits.fetch_or(1 << (i % 64), Ordering::Relaxed);
    }
}

/// A block of an old chunk handed to one thread of a minor collection for its copies.
pub(crate) struct OldBlock {
    pub(crate) start: NonNull<u8>,
    pub(crate) end: NonNull<u8>,
    pub(crate) starts: StartBits,
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
    /// Chunk number (start address divided by the chunk size) to chunk index, for the
    /// barrier's owner lookup.
    index: HashMap<usize, usize, WordHash>,
    /// The index of the chunk the last lookup found: stores tend to go to the same chunk.
    last_found: Cell<usize>,
    /// Bytes held by objects.
    used: usize,
    /// Bytes of chunks taken from the process's pool rather than the system.
    pub(crate) from_pool: u64,
}

impl OldSpace {
    pub(crate) fn new() -> OldSpace {
        OldSpace {
            chunks: Vec::new(),
            current: 0,
            index: HashMap::default(),
            last_found: Cell::new(0),
            used: 0,
            from_pool: 0,
        }
    }

    /// Bump-allocates `size` bytes, adding a chunk if the current one is full.
    #[inline]
    pub(crate) fn alloc(&mut self, size: usize) -> NonNull<u8> {
        let obj = self.bump(size);
        self.chunks[self.current].set_start(obj);
        obj
    }

    /// Takes `size` bytes, adding a chunk if the current one is full, and sets no start bit.
    #[inline]
    fn bump(&mut self, size: usize) -> NonNull<u8> {
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
                    self.used += size;
                    return obj;
                }
                self.current += 1;
            }
            if self.current >= self.chunks.len() {
                let (chunk, reused) = Chunk::new();
                if reused {
                    self.from_pool += CHUNK_SIZE as u64;
                }
                self.index.insert(
                    chunk_number(chunk.memory.start().as_ptr().addr()),
                    self.chunks.len(),
                );
                self.chunks.push(chunk);
            }
        }
    }

    /// Takes a block of at least `size` and at most `want` bytes (both multiples of the
    /// word), for a thread of a minor collection to copy into: as much of the current chunk
    /// as is free, up to `want`, or a new chunk if less than `size` is. The block counts as
    /// used; its objects' start bits are the thread's to set (the block's first one too),
    /// atomically: other threads may be setting bits of the same chunk, so this writes none.
    pub(crate) fn take_block(&mut self, size: usize, want: usize) -> OldBlock {
        debug_assert!(size <= want && want <= CHUNK_SIZE);
        let start = self.bump(size);
        let chunk = &mut self.chunks[self.current];
        let free = chunk.memory.end().as_ptr().addr() - chunk.top.as_ptr().addr();
        let more = free.min(want - size);
        // SAFETY: `more <= free`, so the new top stays within the chunk.
        chunk.top = unsafe { chunk.top.add(more) };
        self.used += more;
        OldBlock {
            start,
            end: chunk.top,
            starts: chunk.start_bits(),
        }
    }

    /// Gives back the unused end `[from, to)` of a block from [`Self::take_block`] if it is
    /// the end of its chunk's objects; returns whether it did (the caller fills the gap
    /// otherwise).
    pub(crate) fn give_back(&mut self, from: NonNull<u8>, to: NonNull<u8>) -> bool {
        let Some(i) = self.chunk_index(from.as_ptr().addr()) else {
            return false;
        };
        let chunk = &mut self.chunks[i];
        if chunk.top != to {
            return false;
        }
        chunk.top = from;
        self.used -= to.as_ptr().addr() - from.as_ptr().addr();
        true
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
                cursor.at = Some(unsafe { obj.add(header::read(obj).object_size(obj)) });
                return Some(obj);
            }
            if cursor.chunk + 1 >= self.chunk_count() {
                return None;
            }
            cursor.chunk += 1;
            cursor.at = None;
        }
    }

    /// Where the objects from `cursor` on lie now: for each chunk from the cursor's, the
    /// memory from the cursor (or the chunk's start) to the chunk's top.
    pub(crate) fn ranges_from(&self, cursor: &OldCursor) -> Vec<(NonNull<u8>, NonNull<u8>)> {
        let chunks = self.chunks.iter().enumerate().skip(cursor.chunk);
        chunks
            .map(|(i, chunk)| {
                let start = match cursor.at {
                    Some(at) if i == cursor.chunk => at,
                    _ => chunk.memory.start(),
                };
                (start, chunk.top)
            })
            .filter(|(start, top)| start < top)
            .collect()
    }

    /// The object that covers `addr`, if `addr` is inside an old object.
    pub(crate) fn object_at(&self, addr: usize) -> Option<NonNull<u8>> {
        self.chunk_at(addr)?.object_at(addr)
    }

    /// The index of the chunk whose memory holds `addr`.
    #[inline]
    pub(crate) fn chunk_index(&self, addr: usize) -> Option<usize> {
        let last = self.last_found.get();
        if self
            .chunks
            .get(last)
            .is_some_and(|c| c.memory.contains(addr))
        {
            return Some(last);
        }
        let found = self.index.get(&chunk_number(addr)).copied()?;
        self.last_found.set(found);
        Some(found)
    }

    /// The chunk whose memory holds `addr`.
    #[inline]
    fn chunk_at(&self, addr: usize) -> Option<&Chunk> {
        let chunk = &self.chunks[self.chunk_index(addr)?];
        debug_assert!(
            chunk.memory.contains(addr),
            "an aligned chunk holds its number's addresses"
        );
        Some(chunk)
    }

    /// The card table of the chunk that holds `addr`.
    #[inline]
    pub(crate) fn cards_at(&self, addr: usize) -> Option<&CardTable> {
        self.chunk_at(addr).map(|chunk| &chunk.cards)
    }

    /// Whether any card of any chunk is dirty.
    pub(crate) fn any_card_dirty(&self) -> bool {
        self.chunks.iter().any(|c| c.cards.any_dirty())
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
            let size = unsafe { header::read(obj).object_size(obj) };
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
            .map(|(i, c)| (chunk_number(c.memory.start().as_ptr().addr()), i))
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

/// The one-word object that fills a one-word gap (see [`write_filler`]).
struct FreeWord;

/// The element of the objects that fill longer gaps.
struct FreeByte(#[allow(dead_code)] u8);

// SAFETY: neither holds a managed pointer.
unsafe impl Trace for FreeWord {
    const IS_LEAF: bool = true;
    fn trace(&mut self, _: &mut Tracer<'_>) {}
}

// SAFETY: as above.
unsafe impl Trace for FreeByte {
    const IS_LEAF: bool = true;
    fn trace(&mut self, _: &mut Tracer<'_>) {}
}

/// Writes a dead object of `size` bytes (a multiple of the word) at `at`, to fill a gap
/// between objects of a chunk: a compaction leaves one before each pinned object. Nothing
/// refers to it; the next major collection frees it.
///
/// # Safety
/// - `at` must be the start of `size` writable bytes of an old chunk that hold no object.
pub(crate) unsafe fn write_filler(at: NonNull<u8>, size: usize) {
    debug_assert!(size >= WORD && size.is_multiple_of(WORD));
    // SAFETY: the caller promises `size` writable bytes; a slice object's second word is its
    // length, and a `[FreeByte]` object's size is then `2 * WORD + len`, padded: `size`.
    unsafe {
        if size == WORD {
            header::write(at, Header::new(<FreeWord as Object>::TYPE_INFO));
        } else {
            header::write(at, Header::new(<[FreeByte] as Object>::TYPE_INFO));
            at.as_ptr().add(WORD).cast::<usize>().write(size - 2 * WORD);
        }
    }
}

/// Whether `info` is the type of an object [`write_filler`] wrote.
pub(crate) fn is_filler(info: &TypeInfo) -> bool {
    let name = info.name();
    name == core::any::type_name::<FreeWord>() || name == core::any::type_name::<[FreeByte]>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::header::Header;
    use crate::type_info::Object;

    /// Allocates an object of `size` bytes (at least two words) and gives it the header and
    /// length of a `[u64]` object of that size, so its size can be read back from it.
    fn put(old: &mut OldSpace, size: usize) -> NonNull<u8> {
        let obj = old.alloc(size);
        // SAFETY: `obj` is a fresh block of `size >= 2 * WORD` bytes: room for a header and
        // a length word.
        unsafe {
            header::write(obj, Header::new(<[u64] as Object>::TYPE_INFO));
            obj.add(WORD).cast::<usize>().write((size - 2 * WORD) / 8);
        }
        obj
    }

    fn addr(obj: NonNull<u8>) -> usize {
        obj.as_ptr().addr()
    }

    #[test]
    fn alloc_bumps_within_a_chunk_and_opens_a_new_one_when_full() {
        let mut old = OldSpace::new();
        assert_eq!((old.capacity(), old.chunk_count()), (0, 0));
        let a = old.alloc(16);
        let b = old.alloc(32);
        assert_eq!(a, old.chunks[0].memory.start());
        assert_eq!(addr(b), addr(a) + 16);
        // Fill the chunk up to one word short of its end.
        let c = old.alloc(CHUNK_SIZE - 48 - WORD);
        assert_eq!(addr(c), addr(a) + 48);
        assert_eq!(old.chunks.len(), 1);
        // Two words do not fit in the last word: the object goes to a new chunk.
        let d = old.alloc(16);
        assert_eq!(old.chunks.len(), 2);
        assert_eq!(d, old.chunks[1].memory.start());
        assert_eq!(old.used(), CHUNK_SIZE - WORD + 16);
        assert_eq!(old.capacity(), 2 * CHUNK_SIZE);
        assert_eq!(old.chunk_count(), 2);
        // The first chunk keeps its top where its last object ended.
        assert_eq!(addr(old.chunks[0].top), addr(a) + CHUNK_SIZE - WORD);
    }

    #[test]
    fn object_at_finds_the_covering_start_from_an_interior_address() {
        let mut old = OldSpace::new();
        // The middle object spans more than one word of the start bitmap (64 words each).
        let sizes = [16, 70 * WORD, 24];
        let objects: Vec<_> = sizes.iter().map(|&size| put(&mut old, size)).collect();
        for (&obj, &size) in objects.iter().zip(&sizes) {
            for offset in (0..size).step_by(WORD).chain([1, size - 1]) {
                assert_eq!(
                    old.object_at(addr(obj) + offset),
                    Some(obj),
                    "{offset} bytes into an object of {size}"
                );
            }
            assert!(old.is_object_start(addr(obj)));
            assert!(!old.is_object_start(addr(obj) + WORD));
        }
        let top = addr(old.chunks[0].top);
        assert_eq!(top, addr(objects[0]) + sizes.iter().sum::<usize>());
        assert_eq!(old.object_at(top), None, "past the top is free");
        let outside = Box::new(0u64);
        assert_eq!(old.object_at(addr(NonNull::from(&*outside).cast())), None);
        assert_eq!(old.object_at(addr(old.chunks[0].memory.end())), None);
    }

    #[test]
    fn walk_visits_objects_in_address_order_across_chunks() {
        let mut old = OldSpace::new();
        // Objects of over a third of a chunk: two per chunk at most.
        let big = (CHUNK_SIZE / 3).next_multiple_of(WORD) + WORD;
        let sizes = [16, big, big, 24, big, 32];
        let objects: Vec<_> = sizes.iter().map(|&size| put(&mut old, size)).collect();
        assert_eq!(old.chunks.len(), 2);
        let mut walked = Vec::new();
        old.walk(|obj| {
            walked.push(obj);
            let i = objects
                .iter()
                .position(|&o| o == obj)
                .expect("a known object");
            sizes[i]
        });
        assert_eq!(walked, objects);
        let mut visited = Vec::new();
        // SAFETY: every object was given an intact header by `put`.
        unsafe { old.for_each_object(|obj| visited.push(obj)) };
        assert_eq!(visited, objects);
    }

    #[test]
    fn next_object_finds_objects_allocated_after_the_cursor() {
        let mut old = OldSpace::new();
        let mut cursor = old.end_cursor();
        assert_eq!(old.next_object(&mut cursor), None, "an empty space");
        let a = put(&mut old, 16);
        let b = put(&mut old, CHUNK_SIZE - 24);
        assert_eq!(old.next_object(&mut cursor), Some(a));
        let mut later = old.end_cursor();
        // The next object opens a second chunk.
        let c = put(&mut old, 32);
        assert_eq!(old.chunks.len(), 2);
        assert_eq!(old.next_object(&mut cursor), Some(b));
        assert_eq!(old.next_object(&mut cursor), Some(c));
        assert_eq!(old.next_object(&mut cursor), None);
        assert_eq!(old.next_object(&mut later), Some(c));
        assert_eq!(old.next_object(&mut later), None);
    }

    #[test]
    fn take_block_takes_what_is_free_up_to_want_and_give_back_returns_the_end() {
        let mut old = OldSpace::new();
        let a = put(&mut old, 64);
        let block = old.take_block(32, 1024);
        assert_eq!(
            addr(block.start),
            addr(a) + 64,
            "right after the last object"
        );
        assert_eq!(addr(block.end) - addr(block.start), 1024);
        assert_eq!(old.used(), 64 + 1024);
        assert!(
            !old.is_object_start(addr(block.start)),
            "the thread sets its own bits"
        );
        // SAFETY: the block's start lies in the chunk these bits belong to.
        unsafe { block.starts.set(block.start) };
        assert!(old.is_object_start(addr(block.start)));
        // The end of the block is the chunk's top: it can be given back, a part of it not.
        // SAFETY: both lie inside the block.
        let (used_to, middle) = unsafe { (block.start.add(96), block.start.add(512)) };
        assert!(!old.give_back(used_to, middle));
        assert!(old.give_back(used_to, block.end));
        assert_eq!(old.used(), 64 + 96);
        assert_eq!(old.chunks[0].top, used_to);
        // A chunk with less free than asked for: the block opens a new chunk.
        let rest = CHUNK_SIZE - 64 - 96;
        let last = old.take_block(rest, rest);
        assert_eq!(addr(last.end), addr(old.chunks[0].memory.end()));
        let next = old.take_block(16, 1024);
        assert_eq!(next.start, old.chunks[1].memory.start());
        // The first chunk's top is still the end of that block.
        assert!(old.give_back(last.start, last.end));
        assert_eq!(old.chunks[0].top, used_to);
        assert_eq!(old.used(), 64 + 96 + 1024);
    }

    #[test]
    fn finish_compaction_frees_trailing_chunks_and_sets_used() {
        let mut old = OldSpace::new();
        let big = CHUNK_SIZE / 4 * 3;
        for _ in 0..3 {
            put(&mut old, big);
        }
        assert_eq!(old.chunks.len(), 3);
        let (first, second) = (old.chunks[0].memory.start(), old.chunks[1].memory.start());
        let third = addr(old.chunks[2].memory.start());
        // SAFETY: both offsets lie inside their chunks.
        let tops = unsafe { vec![first.add(big), second.add(64)] };
        old.finish_compaction(tops.clone(), big + 64);
        assert_eq!(old.chunks.len(), 2);
        assert_eq!(old.used(), big + 64);
        assert_eq!(old.capacity(), 2 * CHUNK_SIZE);
        assert_eq!(old.occupied(), vec![(first, tops[0]), (second, tops[1])]);
        assert_eq!(old.object_at(addr(second) + 64), None, "past the new top");
        assert_eq!(old.object_at(addr(second) + 8), Some(second));
        assert_eq!(old.object_at(third + 8), None, "in a freed chunk");
        // Allocation goes on in the last chunk kept, at its new top.
        assert_eq!(old.alloc(16), tops[1]);
        assert_eq!(old.used(), big + 80);
    }
}
