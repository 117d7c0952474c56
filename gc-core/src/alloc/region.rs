//! Raw memory for the spaces: one owned, word-aligned block from the global allocator.

use core::ptr::NonNull;
use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};

use crate::alloc::pool;
use crate::header::WORD;

/// The byte written over memory that no object occupies, in debug builds.
pub(crate) const POISON: u8 = 0xDB;

/// An owned block of memory, freed on drop (to the process's pool, for a pooled one).
pub(crate) struct Region {
    start: NonNull<u8>,
    layout: Layout,
    /// Whether and how it is given to the pool (`alloc/pool.rs`) when dropped.
    pooled: Pooled,
}

/// What a region does when dropped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pooled {
    /// It goes back to the system.
    No,
    /// It goes to the pool, counting for all its bytes (a chunk, all of it touched).
    Whole,
    /// It goes to the pool, counting for its resident pages (a reservation, mostly untouched).
    Resident,
}

impl Region {
    /// Allocates `size` bytes aligned to `align` (at least a word), poisoned in debug builds.
    pub(crate) fn new(size: usize, align: usize) -> Region {
        let region = Region::new_unpoisoned(size, align);
        region.poison(region.start(), region.end());
        region
    }

    /// Allocates `size` bytes aligned to `align` (at least a word) without touching them, so
    /// the system backs no page of a large reservation until it is used.
    pub(crate) fn new_unpoisoned(size: usize, align: usize) -> Region {
        let layout = Layout::from_size_align(size.max(WORD), align.max(WORD))
            .expect("region size overflows the address space");
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { alloc(layout) };
        let Some(start) = NonNull::new(ptr) else {
            handle_alloc_error(layout)
        };
        Region {
            start,
            layout,
            pooled: Pooled::No,
        }
    }

    /// A block of `size` bytes aligned to `align`, from the process's pool when one of that
    /// layout waits there (and then whether it did), and given back to the pool when dropped.
    /// Poisoned in debug builds, like [`Region::new`].
    pub(crate) fn pooled(size: usize, align: usize) -> (Region, bool) {
        let (region, reused) = Region::from_pool(size, align, Pooled::Whole);
        region.poison(region.start(), region.end());
        (region, reused.is_some())
    }

    /// A reservation of `size` bytes aligned to `align`, from the process's pool when one of
    /// that layout waits there (and then the bytes of it the system backs already), and
    /// given back to the pool when dropped, counting for its resident pages. Not touched, as
    /// [`Region::new_unpoisoned`].
    pub(crate) fn pooled_reservation(size: usize, align: usize) -> (Region, usize) {
        let (region, reused) = Region::from_pool(size, align, Pooled::Resident);
        (region, reused.unwrap_or(0))
    }

    fn from_pool(size: usize, align: usize, pooled: Pooled) -> (Region, Option<usize>) {
        let layout = Layout::from_size_align(size.max(WORD), align.max(WORD))
            .expect("region size overflows the address space");
        match pool::take(layout) {
            Some((start, resident)) => {
                let region = Region {
                    start,
                    layout,
                    pooled,
                };
                (region, Some(resident))
            }
            None => {
                let mut region = Region::new_unpoisoned(size, align);
                region.pooled = pooled;
                (region, None)
            }
        }
    }

    /// The bytes of the block the system backs now: its resident pages (on Linux; elsewhere,
    /// and under Miri, all of it).
    fn resident_bytes(&self) -> usize {
        #[cfg(all(target_os = "linux", not(miri)))]
        {
            let page = page_size();
            let base = self.start.as_ptr().addr();
            let first = base & !(page - 1);
            let len = base + self.size() - first;
            let mut pages = vec![0u8; len.div_ceil(page)];
            let from = self.start.as_ptr().with_addr(first);
            // SAFETY: `[first, base + size)` covers this block, which this region owns, from
            // the start of the page that holds its first byte: every page of it holds a byte
            // of the block, so it is mapped. `mincore` only reports which of those pages are
            // resident, one byte per page, into `pages`, which has room for every page.
            let ok = unsafe { libc::mincore(from.cast(), len, pages.as_mut_ptr().cast()) } == 0;
            if ok {
                return pages.iter().filter(|&&p| p & 1 != 0).count() * page;
            }
        }
        self.size()
    }

    #[inline(always)]
    pub(crate) fn start(&self) -> NonNull<u8> {
        self.start
    }

    #[inline(always)]
    pub(crate) fn end(&self) -> NonNull<u8> {
        // SAFETY: one past the end of the allocation stays in bounds of it.
        unsafe { self.start.add(self.layout.size()) }
    }

    pub(crate) fn size(&self) -> usize {
        self.layout.size()
    }

    /// Asks the system to back the bytes `range` (offsets into the block) with transparent
    /// huge pages where it can (on Linux; elsewhere, and under Miri, nothing happens). A big
    /// space touched by bump allocation then takes one page fault per 2 MiB instead of per
    /// 4 KiB, and walking a big object graph in it misses the TLB far less. Small spaces are
    /// better left alone: a huge page is backed (and zeroed) whole on first touch.
    pub(crate) fn advise_huge_pages(&self, range: core::ops::Range<usize>) {
        #[cfg(all(target_os = "linux", not(miri)))]
        {
            const HUGE_PAGE: usize = 2 * 1024 * 1024;
            let base = self.start.as_ptr().addr();
            let start = (base + range.start).next_multiple_of(HUGE_PAGE);
            let end = (base + range.end.min(self.size())) & !(HUGE_PAGE - 1);
            if start < end {
                let from = self.start.as_ptr().with_addr(start);
                // SAFETY: `[start, end)` lies inside this block, which this heap owns; the
                // advice changes how its pages are backed, never what they hold. It may
                // fail (the kernel may not support it), which changes nothing.
                unsafe { libc::madvise(from.cast(), end - start, libc::MADV_HUGEPAGE) };
            }
        }
        #[cfg(not(all(target_os = "linux", not(miri))))]
        let _ = range;
    }

    /// Gives the pages of the block back to the system, keeping the block: a later read sees
    /// zeros and a write faults a fresh page in (on Linux; elsewhere, and under Miri, nothing
    /// happens). Only the pages wholly inside the block: the ones it shares with its
    /// neighbours in the allocator keep their bytes. For memory that no object occupies and
    /// that will not be used again soon.
    pub(crate) fn release_pages(&self) {
        #[cfg(all(target_os = "linux", not(miri)))]
        {
            let page = page_size();
            let base = self.start.as_ptr().addr();
            let start = base.next_multiple_of(page);
            let end = (base + self.size()) & !(page - 1);
            if start < end {
                let from = self.start.as_ptr().with_addr(start);
                // SAFETY: `[start, end)` is the whole pages inside this block, which is this
                // region's own, and the caller keeps no object in it; the advice frees those
                // pages, which stay mapped (they read as zeros).
                unsafe { libc::madvise(from.cast(), end - start, libc::MADV_DONTNEED) };
            }
        }
    }

    /// Whether `addr` lies inside the block.
    #[inline(always)]
    pub(crate) fn contains(&self, addr: usize) -> bool {
        addr.wrapping_sub(self.start.as_ptr().addr()) < self.layout.size()
    }

    /// Fills `[from, to)` with [`POISON`] in debug builds, so stale use of freed or evacuated
    /// memory reads an obviously wrong pattern.
    pub(crate) fn poison(&self, from: NonNull<u8>, to: NonNull<u8>) {
        debug_assert!(
            self.start <= from && from <= to && to <= self.end(),
            "poison out of region"
        );
        if cfg!(debug_assertions) && !cfg!(miri) {
            let len = to.as_ptr().addr() - from.as_ptr().addr();
            // SAFETY: `[from, to)` lies inside this region, and no object occupies it.
            unsafe { from.as_ptr().write_bytes(POISON, len) }
        }
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        let resident = match self.pooled {
            Pooled::No => None,
            Pooled::Whole => Some((self.size(), false)),
            Pooled::Resident => Some((self.resident_bytes(), true)),
        };
        if let Some((resident, reservation)) = resident {
            // SAFETY: `start` came from `alloc` with this same layout (here or, through the
            // pool, in an earlier region), and the region's owner holds no pointer into it.
            unsafe { pool::give(self.start, self.layout, resident, reservation) }
        } else {
            // SAFETY: `start` came from `alloc` with this same layout, and is freed only here.
            unsafe { dealloc(self.start.as_ptr(), self.layout) }
        }
    }
}

/// The system's page size.
#[cfg(all(target_os = "linux", not(miri)))]
fn page_size() -> usize {
    static PAGE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *PAGE.get_or_init(|| {
        // SAFETY: `sysconf` only reads a system setting.
        let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        usize::try_from(size)
            .ok()
            .filter(|s| s.is_power_of_two())
            .unwrap_or(4096)
    })
}
