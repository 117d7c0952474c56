//! The nursery: where every new object is born.
//!
//! # Layout
//! One block holds eden and two survivor spaces, `[eden | survivor 0 | survivor 1]`, so "is
//! this address young?" is a single range check (the write barrier's fast path).
//!
//! # Allocation
//! The mutator bumps through eden with the heap's allocation [`Window`]; the nursery hands
//! out the window's bounds. Near the heap limit the window covers only part of eden.
//!
//! # Collection
//! A minor collection (`collect/minor.rs`) copies the live objects of eden and the *from*
//! survivor space into the *to* survivor space, or promotes them to the old generation once
//! they are old enough or the survivor space is full. Then eden is empty again and the two
//! survivor spaces swap roles.
//!
//! # Sizing
//! The block is reserved once, at the largest size eden may grow to (`max_nursery_size`,
//! with survivor spaces to match); the system backs its pages only once they are touched.
//! Eden's size is a soft limit, the pacer's: it decides when the next minor collection runs
//! and grows and shrinks with the scopes the program runs (see the pacer). Within a scope the
//! allocation window may run past it, up to the end of the reserved eden. So resizing eden
//! moves nothing, and memory once touched is used again rather than given back and faulted
//! in anew, which on a virtual machine costs more than the allocation itself. For the same
//! reason the block comes from the process's pool (`alloc/pool.rs`) when a dropped heap with
//! the same `max_nursery_size` left one there, and goes back to it when this heap is dropped.
//!
//! [`Window`]: crate::alloc::bump::Window

use core::ptr::NonNull;

use crate::alloc::bump::Bump;
use crate::alloc::region::Region;
use crate::header::WORD;

/// One allocation holding eden and the two survivor spaces, each at its largest size.
pub(crate) struct Nursery {
    pub(crate) memory: Region,
    /// The reserved sizes: eden, and each survivor space.
    max_eden: usize,
    max_survivor: usize,
    /// The soft sizes the pacer works with.
    eden_size: usize,
    survivor_size: usize,
    /// The largest soft size eden has had.
    largest_eden_size: usize,
    /// Which survivor space holds the survivors of the last minor collection.
    from: usize,
    /// How far that survivor space is filled.
    survivor_top: NonNull<u8>,
    /// The resident bytes of the block, if it came from the process's pool.
    pub(crate) from_pool: usize,
}

impl Nursery {
    /// A nursery with soft sizes `eden_size` and `survivor_size`, reserving room for them to
    /// grow to `max_eden` and `max_survivor`.
    pub(crate) fn new(
        eden_size: usize,
        survivor_size: usize,
        max_eden: usize,
        max_survivor: usize,
    ) -> Nursery {
        debug_assert!(
            eden_size <= max_eden && survivor_size <= max_survivor,
            "soft nursery sizes {eden_size}/{survivor_size} past the reserved \
             {max_eden}/{max_survivor}"
        );
        // The block of a nursery of the same reservation that a dropped heap left in the pool, its
        // pages faulted in already, if one waits.
        let (memory, from_pool) = Region::pooled_reservation(max_eden + 2 * max_survivor, WORD);
        // Eden past its first size is touched only by big scopes: huge pages there.
        memory.advise_huge_pages(eden_size..max_eden);
        // SAFETY: the first survivor space starts right after the reserved eden, in the block.
        let first_survivor = unsafe { memory.start().add(max_eden) };
        let nursery = Nursery {
            survivor_top: first_survivor,
            memory,
            max_eden,
            max_survivor,
            eden_size,
            survivor_size,
            largest_eden_size: eden_size,
            from: 0,
            from_pool,
        };
        debug_assert_eq!(nursery.survivor_top, nursery.survivor_start(0));
        nursery.poison_soft_parts();
        nursery
    }

    fn survivor_start(&self, index: usize) -> NonNull<u8> {
        // SAFETY: a survivor space's offset lies within the block.
        unsafe {
            self.memory
                .start()
                .add(self.max_eden + index * self.max_survivor)
        }
    }

    /// The soft bounds of a survivor space.
    fn survivor(&self, index: usize) -> (NonNull<u8>, NonNull<u8>) {
        let start = self.survivor_start(index);
        // SAFETY: the soft size is at most the reserved one, so the end lies within the block.
        (start, unsafe { start.add(self.survivor_size) })
    }

    /// Poisons the parts a program may use at the soft sizes, in debug builds (the rest is
    /// left untouched, so the system need not back it).
    fn poison_soft_parts(&self) {
        let eden = self.eden_start();
        // SAFETY: eden's soft size is at most its reserved size.
        self.memory
            .poison(eden, unsafe { eden.add(self.eden_size) });
        for index in 0..2 {
            let (start, end) = self.survivor(index);
            self.memory.poison(start, end);
        }
    }

    /// Eden's bounds for an allocation window of at most `allowance` bytes: all of the
    /// reserved eden, so that a scope runs past the soft size before it overflows.
    pub(crate) fn eden_window(&self, allowance: usize) -> (NonNull<u8>, NonNull<u8>) {
        let start = self.eden_start();
        // SAFETY: at most the reserved eden's size past its start stays in the block.
        (start, unsafe { start.add(allowance.min(self.max_eden)) })
    }

    /// The nursery's address range, as its start and its length: the write barrier's quiet
    /// range outside scopes that may be reclaimed.
    pub(crate) fn range(&self) -> (usize, usize) {
        (self.memory.start().as_ptr().addr(), self.memory.size())
    }

    /// Fills `[from, to)`, part of eden that no object occupies any more, with the poison
    /// byte in debug builds.
    pub(crate) fn poison_eden(&self, from: NonNull<u8>, to: NonNull<u8>) {
        self.memory.poison(from, to)
    }

    /// Whether `addr` is in eden or a survivor space.
    #[inline(always)]
    pub(crate) fn contains(&self, addr: usize) -> bool {
        self.memory.contains(addr)
    }

    /// Whether `addr` is in the part a minor collection evacuates: eden or the *from* survivor.
    #[inline(always)]
    pub(crate) fn in_from_space(&self, addr: usize) -> bool {
        let offset = addr.wrapping_sub(self.memory.start().as_ptr().addr());
        offset < self.max_eden
            || offset.wrapping_sub(self.max_eden + self.from * self.max_survivor)
                < self.max_survivor
    }

    /// The survivor space a minor collection copies into.
    fn to_bounds(&self) -> (NonNull<u8>, NonNull<u8>) {
        self.survivor(1 - self.from)
    }

    /// Whether `addr` is in the survivor space a minor collection copies into.
    #[inline(always)]
    pub(crate) fn in_to_space(&self, addr: usize) -> bool {
        let (start, end) = self.to_bounds();
        (start.as_ptr().addr()..end.as_ptr().addr()).contains(&addr)
    }

    pub(crate) fn eden_start(&self) -> NonNull<u8> {
        self.memory.start()
    }

    /// Eden's soft size.
    pub(crate) fn eden_size(&self) -> usize {
        self.eden_size
    }

    /// The largest soft size eden has had.
    pub(crate) fn largest_eden_size(&self) -> usize {
        self.largest_eden_size
    }

    /// The soft size of each survivor space.
    pub(crate) fn survivor_size(&self) -> usize {
        self.survivor_size
    }

    /// Bytes held in the *from* survivor space.
    pub(crate) fn survivor_used(&self) -> usize {
        self.survivor_top.as_ptr().addr() - self.survivor_start(self.from).as_ptr().addr()
    }

    /// Bytes the nursery holds for the program: eden at its soft size (or as far as the
    /// window went past it, `eden_used`) and both survivor spaces.
    pub(crate) fn capacity(&self, eden_used: usize) -> usize {
        self.eden_size.max(eden_used) + 2 * self.survivor_size
    }

    /// Sets the soft sizes, at a minor collection before anything is copied. The *to*
    /// survivor space takes the new size; the *from* one keeps its objects where they are.
    pub(crate) fn resize(&mut self, eden_size: usize, survivor_size: usize) {
        self.eden_size = eden_size.min(self.max_eden);
        self.survivor_size = survivor_size.min(self.max_survivor);
        self.largest_eden_size = self.largest_eden_size.max(self.eden_size);
    }

    /// The survivor space a minor collection copies into.
    pub(crate) fn to_space(&self) -> Bump {
        let (start, end) = self.to_bounds();
        Bump::new(start, end)
    }

    /// Ends a minor collection: eden and the old *from* space are empty, and the *to* space,
    /// filled up to `to_top`, becomes the *from* space. `eden_used` is how far eden was
    /// filled.
    pub(crate) fn flip(&mut self, to_top: NonNull<u8>, eden_used: usize) {
        let eden = self.eden_start();
        // SAFETY: the used part of eden lies within the reserved eden.
        self.memory.poison(eden, unsafe { eden.add(eden_used) });
        let from = self.survivor_start(self.from);
        self.memory.poison(from, self.survivor_top);
        self.from = 1 - self.from;
        self.survivor_top = to_top;
    }

    /// The occupied ranges: eden up to `eden_used`, and the *from* survivor space.
    pub(crate) fn occupied(&self, eden_used: usize) -> [(NonNull<u8>, NonNull<u8>); 2] {
        // SAFETY: eden's used part lies within eden.
        let eden_top = unsafe { self.eden_start().add(eden_used) };
        [
            (self.eden_start(), eden_top),
            (self.survivor_start(self.from), self.survivor_top),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDEN: usize = 1024;
    const SURVIVOR: usize = 128;
    const MAX_EDEN: usize = 4096;
    const MAX_SURVIVOR: usize = 512;

    fn nursery() -> Nursery {
        Nursery::new(EDEN, SURVIVOR, MAX_EDEN, MAX_SURVIVOR)
    }

    fn addr(ptr: NonNull<u8>) -> usize {
        ptr.as_ptr().addr()
    }

    #[test]
    fn from_and_to_survivor_spaces_swap_at_flip() {
        let mut nursery = nursery();
        let eden = addr(nursery.eden_start());
        let first = eden + MAX_EDEN;
        let second = first + MAX_SURVIVOR;
        assert!(nursery.in_from_space(eden) && nursery.in_from_space(eden + MAX_EDEN - 1));
        assert!(nursery.in_from_space(first) && !nursery.in_to_space(first));
        assert!(nursery.in_to_space(second) && !nursery.in_from_space(second));
        assert_eq!(nursery.survivor_used(), 0);

        let mut to = nursery.to_space();
        assert_eq!(addr(to.cursor), second);
        assert_eq!(addr(to.limit), second + SURVIVOR);
        to.take(32).expect("room in the survivor space");
        nursery.flip(to.cursor, 0);
        assert_eq!(nursery.survivor_used(), 32);
        assert!(nursery.in_from_space(second) && !nursery.in_to_space(second));
        assert!(nursery.in_to_space(first) && !nursery.in_from_space(first));
        assert_eq!(addr(nursery.to_space().cursor), first);

        // And back again.
        let to = nursery.to_space();
        nursery.flip(to.cursor, 0);
        assert_eq!(nursery.survivor_used(), 0);
        assert!(nursery.in_from_space(first) && nursery.in_to_space(second));
    }

    #[test]
    fn resize_clamps_to_the_reserved_sizes() {
        let mut nursery = nursery();
        assert_eq!(nursery.largest_eden_size(), EDEN);
        nursery.resize(1 << 20, 1 << 20);
        assert_eq!(nursery.eden_size(), MAX_EDEN);
        assert_eq!(nursery.survivor_size(), MAX_SURVIVOR);
        assert_eq!(nursery.largest_eden_size(), MAX_EDEN);
        nursery.resize(512, 64);
        assert_eq!((nursery.eden_size(), nursery.survivor_size()), (512, 64));
        assert_eq!(nursery.largest_eden_size(), MAX_EDEN, "the largest is kept");
        // The survivor space copies go to takes the new soft size.
        let to = nursery.to_space();
        assert_eq!(addr(to.limit) - addr(to.cursor), 64);
        assert_eq!(nursery.capacity(0), 512 + 2 * 64);
        assert_eq!(
            nursery.capacity(2000),
            2000 + 2 * 64,
            "the window ran past eden"
        );
    }

    #[test]
    fn eden_window_and_range_cover_the_reserved_block() {
        let nursery = nursery();
        let eden = addr(nursery.eden_start());
        let (start, end) = nursery.eden_window(usize::MAX);
        assert_eq!((addr(start), addr(end)), (eden, eden + MAX_EDEN));
        assert_eq!(addr(nursery.eden_window(100).1), eden + 100);
        let total = MAX_EDEN + 2 * MAX_SURVIVOR;
        assert_eq!(nursery.range(), (eden, total));
        assert!(nursery.contains(eden) && nursery.contains(eden + total - 1));
        assert!(!nursery.contains(eden + total) && !nursery.contains(eden.wrapping_sub(1)));
    }

    #[test]
    fn occupied_is_used_eden_and_the_from_survivor_space() {
        let mut nursery = nursery();
        let eden = nursery.eden_start();
        let first = addr(eden) + MAX_EDEN;
        let [used_eden, survivors] = nursery.occupied(48);
        assert_eq!((used_eden.0, addr(used_eden.1)), (eden, addr(eden) + 48));
        assert_eq!((addr(survivors.0), addr(survivors.1)), (first, first));

        let mut to = nursery.to_space();
        let copy = to.take(40).expect("room in the survivor space");
        nursery.flip(to.cursor, 48);
        let [used_eden, survivors] = nursery.occupied(0);
        assert_eq!(used_eden, (eden, eden));
        assert_eq!(survivors.0, copy);
        assert_eq!(addr(survivors.1), addr(copy) + 40);
    }
}
