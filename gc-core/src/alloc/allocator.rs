//! The allocator: where `Gc::new` puts an object.
//!
//! # Fast path
//! A small, word-aligned object is bumped in the allocation [`Window`]: one compare and one
//! add, inlined. The window starts closed, so the first allocation takes the slow path.
//!
//! # Slow path
//! Cold and out of line, it handles everything else:
//! - **Large or over-aligned objects** go to the non-moving large-object space. The large
//!   object outlives the scope's reclaim; the caller records it in the remembered set if it
//!   points into the nursery.
//! - **A closed window** is opened over eden ([`Allocator::open_eden`], the one place that
//!   does it).
//! - **A full eden inside a scope**, where no collection may run, moves the window to an
//!   overflow block (`space/overflow.rs`): allocation stays a bump, and the next collection
//!   point runs a minor collection that evacuates the live overflow objects like eden's.
//!
//! Under a heap limit every reservation of new memory is checked first; the window covers only
//! as much of eden as the pacer allows (`eden_allowance`), so that the next minor collection
//! cannot promote past the limit.

use core::cell::{Cell, RefCell};
use core::ptr::NonNull;

use crate::alloc::bump::Window;
use crate::config::MIN_LARGE_OBJECT_THRESHOLD;
use crate::error::AllocError;
use crate::header::WORD;
use crate::remembered::RememberedSet;
use crate::scope::{Escape, ScopeState};
use crate::space::nursery::Nursery;
use crate::space::overflow::OverflowSpace;
use crate::space::Spaces;
use crate::stats::Stats;
use crate::type_info::TypeInfo;

/// Where an object was placed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placed {
    /// In the young generation: eden, or an overflow block.
    Young,
    /// In the large-object space.
    Large,
}

/// The allocation window and what bounds it.
pub(crate) struct Allocator {
    window: Window,
    /// How much of eden the window may cover: less than all of it near the heap limit.
    eden_allowance: Cell<usize>,
    large_object_threshold: usize,
}

/// What the slow path works with, besides the allocator.
pub(crate) struct SlowPath<'a> {
    pub(crate) spaces: &'a Spaces,
    pub(crate) scope: &'a ScopeState,
    pub(crate) remembered: &'a RememberedSet,
    pub(crate) stats: &'a RefCell<Stats>,
    /// Fails if reserving that many more bytes would break the heap limit.
    pub(crate) check_limit: &'a dyn Fn(usize) -> Result<(), AllocError>,
}

impl Allocator {
    pub(crate) fn new(large_object_threshold: usize) -> Self {
        Allocator {
            window: Window::unopened(),
            eden_allowance: Cell::new(usize::MAX),
            large_object_threshold,
        }
    }

    pub(crate) fn window(&self) -> &Window {
        &self.window
    }

    /// The fast path: `size` bytes in the window, for an object of type `info`; `None` if the
    /// object is large or over-aligned, or does not fit.
    #[inline(always)]
    pub(crate) fn try_alloc(&self, size: usize, info: &TypeInfo) -> Option<NonNull<u8>> {
        // The first test folds away for most types: no threshold is below the minimum.
        let small = size < MIN_LARGE_OBJECT_THRESHOLD || size < self.large_object_threshold;
        if info.align <= WORD && small {
            self.window.try_alloc(size)
        } else {
            None
        }
    }

    /// The slow path (module documentation).
    #[cold]
    #[inline(never)]
    pub(crate) fn alloc_slow(
        &self,
        size: usize,
        info: &'static TypeInfo,
        env: SlowPath<'_>,
    ) -> Result<(NonNull<u8>, Placed), AllocError> {
        let spaces = env.spaces;
        if info.align > WORD || size >= self.large_object_threshold {
            (env.check_limit)(size + info.align)?;
            env.scope.escape(Escape::Large);
            let obj = spaces
                .large
                .borrow_mut()
                .alloc(size, info.align, info.value_offset());
            if info.has_out_of_line_cells {
                env.remembered.large_may_own_out_of_line_cells.set(true);
            }
            env.stats.borrow_mut().bytes_allocated += size as u64;
            return Ok((obj, Placed::Large));
        }
        if !self.window.is_open() {
            self.open_eden(&spaces.nursery);
            if let Some(obj) = self.window.try_alloc(size) {
                return Ok((obj, Placed::Young));
            }
        }
        // Eden (or the last overflow block) is full, and no collection may run inside a
        // scope: go on in a new overflow block.
        let block_size =
            spaces
                .overflow
                .borrow()
                .next_block_size(size, spaces.nursery.eden_size(), |block| {
                    (env.check_limit)(block).is_ok()
                });
        let Some(block_size) = block_size else {
            return Err(
                (env.check_limit)(size).expect_err("an object that fits no block breaks the limit")
            );
        };
        env.scope.escape(Escape::Overflow);
        let eden_used = self.eden_used(&spaces.overflow.borrow());
        let (start, end) =
            spaces
                .overflow
                .borrow_mut()
                .add_block(block_size, eden_used, self.window.cursor());
        self.window.open(start, end);
        let obj = self
            .window
            .try_alloc(size)
            .expect("a new overflow block has room for the object");
        Ok((obj, Placed::Young))
    }

    /// Opens the window over eden, as far as the allowance goes.
    pub(crate) fn open_eden(&self, nursery: &Nursery) {
        let (start, end) = nursery.eden_window(self.eden_allowance.get());
        self.window.open(start, end);
    }

    /// Opens the window over eden unless it is open already.
    pub(crate) fn ensure_open(&self, nursery: &Nursery) {
        if !self.window.is_open() {
            self.open_eden(nursery)
        }
    }

    /// After a minor collection: the window, if it was ever opened, is eden again.
    pub(crate) fn reopen_eden(&self, nursery: &Nursery) {
        if self.window.is_open() {
            self.open_eden(nursery)
        }
    }

    /// Sets how much of eden the window may cover, from the next time it opens.
    pub(crate) fn set_eden_allowance(&self, allowance: usize) {
        self.eden_allowance.set(allowance)
    }

    pub(crate) fn eden_allowance(&self) -> usize {
        self.eden_allowance.get()
    }

    /// Bytes of eden handed out since the last minor collection.
    pub(crate) fn eden_used(&self, overflow: &OverflowSpace) -> usize {
        match overflow.eden_used() {
            Some(used) => used,
            None if self.window.is_open() => self.window.used(),
            None => 0,
        }
    }

    /// Bytes allocated in eden and its overflow blocks since the last minor collection.
    pub(crate) fn young_allocated(&self, overflow: &OverflowSpace) -> usize {
        // Without overflow there are no blocks, and they hold nothing.
        self.eden_used(overflow) + overflow.used(self.window.cursor())
    }

    /// The ranges that hold young objects allocated since the last minor collection and the
    /// survivors of the last one: used eden, the *from* survivor space, the overflow blocks.
    pub(crate) fn young_occupied(&self, spaces: &Spaces) -> Vec<(NonNull<u8>, NonNull<u8>)> {
        let overflow = spaces.overflow.borrow();
        let mut ranges = spaces.nursery.occupied(self.eden_used(&overflow)).to_vec();
        ranges.extend(overflow.occupied(self.window.cursor()));
        ranges
    }
}
