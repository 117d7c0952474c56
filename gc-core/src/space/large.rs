//! The large-object space: objects too big to copy cheaply, or aligned beyond a word.
//!
//! Each object has a block of its own from the global allocator and never moves. Large
//! objects count as old: a minor collection does not trace into them (the write barrier and
//! the allocation-time check remember the ones that point into the nursery), and a major
//! collection marks them in place and frees the unmarked ones.

use core::ptr::NonNull;
use std::collections::BTreeMap;

use crate::alloc::region::Region;
use crate::header::WORD;

pub(crate) struct LargeObject {
    memory: Region,
    /// Where the object (its header) starts inside `memory`.
    pub(crate) start: NonNull<u8>,
    pub(crate) size: usize,
}

pub(crate) struct LargeSpace {
    pub(crate) objects: Vec<LargeObject>,
    /// Block start address to index in `objects`, for the barrier's owner lookup.
    index: BTreeMap<usize, usize>,
    used: usize,
    reserved: usize,
}

impl LargeSpace {
    pub(crate) fn new() -> LargeSpace {
        LargeSpace {
            objects: Vec::new(),
            index: BTreeMap::new(),
            used: 0,
            reserved: 0,
        }
    }

    /// Allocates a block for an object of `size` bytes (header included) whose value, at
    /// `value_offset` from the start, must be aligned to `align`.
    pub(crate) fn alloc(&mut self, size: usize, align: usize, value_offset: usize) -> NonNull<u8> {
        let align = align.max(WORD);
        let pad = value_offset.next_multiple_of(align) - value_offset;
        let memory = Region::new(pad + size, align);
        // SAFETY: `pad + size` bytes were allocated, so the start lies inside the block.
        let start = unsafe { memory.start().add(pad) };
        self.index
            .insert(memory.start().as_ptr().addr(), self.objects.len());
        self.objects.push(LargeObject {
            memory,
            start,
            size,
        });
        self.used += size;
        self.reserved += pad + size;
        start
    }

    /// The large object that covers `addr`, if any.
    pub(crate) fn object_at(&self, addr: usize) -> Option<NonNull<u8>> {
        let (_, &i) = self.index.range(..=addr).next_back()?;
        let object = &self.objects[i];
        object.memory.contains(addr).then_some(object.start)
    }

    pub(crate) fn is_object_start(&self, addr: usize) -> bool {
        self.object_at(addr)
            .is_some_and(|obj| obj.as_ptr().addr() == addr)
    }

    /// Keeps the objects for which `keep` returns true and frees the others.
    pub(crate) fn sweep(&mut self, mut keep: impl FnMut(&LargeObject) -> bool) -> usize {
        let before = self.used;
        self.objects.retain(|object| keep(object));
        self.used = self.objects.iter().map(|o| o.size).sum();
        self.reserved = self.objects.iter().map(|o| o.memory.size()).sum();
        self.index = self
            .objects
            .iter()
            .enumerate()
            .map(|(i, o)| (o.memory.start().as_ptr().addr(), i))
            .collect();
        before - self.used
    }

    pub(crate) fn used(&self) -> usize {
        self.used
    }

    /// Bytes reserved from the system.
    pub(crate) fn capacity(&self) -> usize {
        self.reserved
    }
}
