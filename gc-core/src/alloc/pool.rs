//! The process-wide pool of freed memory: old-generation chunks and nurseries that one heap
//! gives back, for the next heap (or the same one) to take without asking the system.
//!
//! Eden's overflow blocks are not pooled: they double in size, are advised into huge pages,
//! and keeping them would hold a scope's whole spill resident after the minor collection that
//! empties them (binary-trees' peak RSS grew by a fifth when they were).
//!
//! A heap that promotes, compacts and promotes again, or a program that makes and drops heaps
//! (a worker's heap per request), would otherwise free chunks to the allocator and fault fresh
//! pages in for the next ones. The pool keeps up to [`POOL_LIMIT`] bytes of such blocks, by
//! layout; a block that has waited [`POOL_IDLE`] without being taken goes back to the system
//! at the next visit to the pool.
//!
//! A block counts for the bytes of it the system backs: all of a chunk, but of a nursery (a
//! reservation for eden to grow into, mostly never touched) only its resident pages, counted
//! when its heap is dropped, and nurseries may hold at most half the pool, so that they never
//! crowd out the chunks. So a dropped heap's nursery waits, with its pages faulted in, for
//! the next heap with the same reservation (`max_nursery_size`).
//!
//! One `Mutex` guards it: a heap visits it only when it takes or gives back a whole chunk
//! (every 256 KiB of promotion at most) or its nursery, never on the allocation path, and no
//! thread reads a block while it is in the pool, so nothing needs deferred reclamation.

use core::ptr::NonNull;
use std::alloc::{dealloc, Layout};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most bytes the pool keeps; a block given back beyond it goes to the system.
pub(crate) const POOL_LIMIT: usize = 64 * 1024 * 1024;

/// How many times its limit of resident bytes the pool may hold in address space.
const RESERVED_PER_LIMIT: usize = 16;

/// How long a block may wait in the pool before it goes back to the system.
pub(crate) const POOL_IDLE: Duration = Duration::from_secs(2);

/// What the process-wide pool of freed chunks and nurseries holds and has done, from
/// [`pool_stats`](crate::pool_stats). Bytes are the bytes the system backs: all of a chunk,
/// the resident pages of a nursery.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Bytes waiting in the pool now.
    pub pooled_bytes: usize,
    /// Blocks heaps took from the pool instead of from the system.
    pub reused_blocks: u64,
    /// The bytes of those blocks.
    pub reused_bytes: u64,
    /// Bytes given back to the system: blocks that waited too long, or found the pool full.
    pub released_bytes: u64,
}

/// One freed block.
struct Block {
    start: NonNull<u8>,
    layout: Layout,
    /// The bytes it counts for: those the system backs.
    resident: usize,
    /// A reservation (a nursery), counted by its resident pages, rather than a chunk.
    reservation: bool,
    since: Instant,
}

// SAFETY: a block in the pool is owned by the pool alone (no heap points into it) and is only
// handed out whole to one taker, under the pool's lock.
unsafe impl Send for Block {}

/// The freed blocks, newest last, and the pool's counters.
pub(crate) struct Pool {
    blocks: Vec<Block>,
    limit: usize,
    /// The address space the blocks waiting hold, resident or not, which may be at most
    /// [`RESERVED_PER_LIMIT`] times `limit`: a nursery counts for little of what it reserves.
    reserved: usize,
    /// The resident bytes of the reservations waiting, which may be at most half of `limit`,
    /// so that nurseries never crowd out the chunks.
    reservations: usize,
    idle: Duration,
    stats: PoolStats,
}

impl Pool {
    pub(crate) const fn new(limit: usize, idle: Duration) -> Pool {
        Pool {
            blocks: Vec::new(),
            limit,
            reserved: 0,
            reservations: 0,
            idle,
            stats: PoolStats {
                pooled_bytes: 0,
                reused_blocks: 0,
                reused_bytes: 0,
                released_bytes: 0,
            },
        }
    }

    /// A pooled block of exactly `layout`, if one waits, with the bytes it counted for; its
    /// contents are whatever its last owner left.
    pub(crate) fn take(&mut self, layout: Layout, now: Instant) -> Option<(NonNull<u8>, usize)> {
        self.release_idle(now);
        let at = self.blocks.iter().rposition(|b| b.layout == layout)?;
        let block = self.blocks.swap_remove(at);
        self.reserved -= layout.size();
        if block.reservation {
            self.reservations -= block.resident;
        }
        self.stats.pooled_bytes -= block.resident;
        self.stats.reused_blocks += 1;
        self.stats.reused_bytes += block.resident as u64;
        Some((block.start, block.resident))
    }

    /// Takes `start`, a block of `layout` from the global allocator that no one uses any more,
    /// of which the system backs `resident` bytes (all of it, unless it is a `reservation`);
    /// frees it if the pool is full (for a reservation, if reservations hold half of it), or
    /// if nothing of it is resident (keeping it would save nothing).
    ///
    /// # Safety
    /// `start` came from `std::alloc::alloc(layout)`, and nothing reads or writes it after.
    pub(crate) unsafe fn give(
        &mut self,
        start: NonNull<u8>,
        layout: Layout,
        resident: usize,
        reservation: bool,
        now: Instant,
    ) {
        self.release_idle(now);
        let full = self.stats.pooled_bytes + resident > self.limit
            || self.reserved + layout.size() > RESERVED_PER_LIMIT * self.limit
            || reservation && self.reservations + resident > self.limit / 2;
        if resident == 0 || full {
            self.stats.released_bytes += resident as u64;
            // SAFETY: the caller gives the block up, and it came from `alloc(layout)`.
            unsafe { dealloc(start.as_ptr(), layout) };
            return;
        }
        self.stats.pooled_bytes += resident;
        self.reserved += layout.size();
        if reservation {
            self.reservations += resident;
        }
        self.blocks.push(Block {
            start,
            layout,
            resident,
            reservation,
            since: now,
        });
    }

    /// Frees every block that has waited longer than the pool's idle time.
    fn release_idle(&mut self, now: Instant) {
        let idle = self.idle;
        let (stats, reserved, reservations) =
            (&mut self.stats, &mut self.reserved, &mut self.reservations);
        self.blocks.retain(|b| {
            if now.saturating_duration_since(b.since) <= idle {
                return true;
            }
            stats.pooled_bytes -= b.resident;
            *reserved -= b.layout.size();
            if b.reservation {
                *reservations -= b.resident;
            }
            stats.released_bytes += b.resident as u64;
            // SAFETY: a pooled block came from `alloc(b.layout)` and belongs to the pool.
            unsafe { dealloc(b.start.as_ptr(), b.layout) };
            false
        });
    }

    pub(crate) fn stats(&self) -> PoolStats {
        self.stats
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for b in self.blocks.drain(..) {
            // SAFETY: as in `release_idle`.
            unsafe { dealloc(b.start.as_ptr(), b.layout) };
        }
    }
}

/// The process's pool.
static POOL: Mutex<Pool> = Mutex::new(Pool::new(POOL_LIMIT, POOL_IDLE));

fn pool() -> std::sync::MutexGuard<'static, Pool> {
    // A panic while the lock is held leaves the pool's list and counters consistent (each
    // method changes them together, after anything that may panic), so a poisoned lock is
    // still usable.
    POOL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A block of `layout` from the pool, if one waits, with the bytes of it the system backs.
pub(crate) fn take(layout: Layout) -> Option<(NonNull<u8>, usize)> {
    pool().take(layout, Instant::now())
}

/// Gives a block, of which the system backs `resident` bytes, to the pool (or, when it is
/// full, to the system).
///
/// # Safety
/// As for [`Pool::give`].
pub(crate) unsafe fn give(start: NonNull<u8>, layout: Layout, resident: usize, reservation: bool) {
    // SAFETY: the caller's promise.
    unsafe { pool().give(start, layout, resident, reservation, Instant::now()) }
}

/// What the process-wide pool of freed old-generation chunks and nurseries holds, and how much
/// it has handed back out. Heaps of every thread share it.
///
/// ```
/// let before = tenured_gc::pool_stats();
/// assert!(before.pooled_bytes <= 64 * 1024 * 1024);
/// ```
pub fn pool_stats() -> PoolStats {
    pool().stats()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(layout: Layout) -> NonNull<u8> {
        // SAFETY: the layouts in these tests have a non-zero size.
        NonNull::new(unsafe { std::alloc::alloc(layout) }).unwrap()
    }

    #[test]
    fn a_given_block_is_taken_again_by_layout() {
        let (small, big) = (
            Layout::from_size_align(64, 64).unwrap(),
            Layout::from_size_align(128, 64).unwrap(),
        );
        let mut pool = Pool::new(1024, Duration::from_secs(1));
        let now = Instant::now();
        let b = block(small);
        // SAFETY: `b` came from `alloc(small)` and is not used after.
        unsafe { pool.give(b, small, 64, false, now) };
        assert_eq!(pool.take(big, now), None);
        assert_eq!(pool.take(small, now), Some((b, 64)));
        assert_eq!(pool.take(small, now), None);
        let stats = pool.stats();
        assert_eq!(
            (stats.pooled_bytes, stats.reused_blocks, stats.reused_bytes),
            (0, 1, 64)
        );
        // SAFETY: `b` is ours again.
        unsafe { dealloc(b.as_ptr(), small) };
    }

    #[test]
    fn a_full_pool_frees_what_it_is_given() {
        let layout = Layout::from_size_align(512, 8).unwrap();
        let mut pool = Pool::new(1024, Duration::from_secs(1));
        let now = Instant::now();
        for _ in 0..3 {
            // SAFETY: each block came from `alloc(layout)` and is not used after.
            unsafe { pool.give(block(layout), layout, 512, false, now) };
        }
        assert_eq!(pool.stats().pooled_bytes, 1024);
        assert_eq!(pool.stats().released_bytes, 512);
    }

    #[test]
    fn a_block_counts_for_its_resident_bytes() {
        let layout = Layout::from_size_align(4096, 8).unwrap();
        let mut pool = Pool::new(1024, Duration::from_secs(1));
        let now = Instant::now();
        // Bigger than the limit, but only a quarter of it is backed.
        let b = block(layout);
        // SAFETY: the block came from `alloc(layout)` and is not used after.
        unsafe { pool.give(b, layout, 256, true, now) };
        assert_eq!(pool.stats().pooled_bytes, 256);
        assert_eq!(pool.take(layout, now), Some((b, 256)));
        assert_eq!(pool.stats().reused_bytes, 256);
        // SAFETY: `b` is ours again.
        unsafe { dealloc(b.as_ptr(), layout) };
    }

    #[test]
    fn a_block_with_nothing_resident_or_past_the_address_space_cap_is_freed() {
        let layout = Layout::from_size_align(4096, 8).unwrap();
        let mut pool = Pool::new(256, Duration::from_secs(1));
        let now = Instant::now();
        // SAFETY: each block came from `alloc(layout)` and is not used after.
        unsafe { pool.give(block(layout), layout, 0, true, now) };
        assert_eq!(pool.blocks.len(), 0);
        // 16 times 256 bytes of address space: one 4 KiB block, not two.
        for _ in 0..2 {
            // SAFETY: as above.
            unsafe { pool.give(block(layout), layout, 8, true, now) };
        }
        assert_eq!((pool.blocks.len(), pool.stats().pooled_bytes), (1, 8));
        assert_eq!(pool.stats().released_bytes, 8);
    }

    #[test]
    fn reservations_hold_at_most_half_the_pool() {
        let layout = Layout::from_size_align(4096, 8).unwrap();
        let mut pool = Pool::new(1024, Duration::from_secs(1));
        let now = Instant::now();
        for _ in 0..3 {
            // SAFETY: each block came from `alloc(layout)` and is not used after.
            unsafe { pool.give(block(layout), layout, 256, true, now) };
        }
        assert_eq!(pool.stats().pooled_bytes, 512);
        // A chunk still fits in the other half.
        let chunk = Layout::from_size_align(512, 8).unwrap();
        // SAFETY: as above.
        unsafe { pool.give(block(chunk), chunk, 512, false, now) };
        assert_eq!(pool.stats().pooled_bytes, 1024);
    }

    #[test]
    fn a_block_that_waits_too_long_goes_back_to_the_system() {
        let layout = Layout::from_size_align(256, 8).unwrap();
        let mut pool = Pool::new(1024, Duration::from_secs(1));
        let then = Instant::now();
        // SAFETY: the block came from `alloc(layout)` and is not used after.
        unsafe { pool.give(block(layout), layout, 256, false, then) };
        assert!(pool.take(layout, then + Duration::from_secs(2)).is_none());
        assert_eq!(pool.stats().pooled_bytes, 0);
        assert_eq!(pool.stats().released_bytes, 256);
    }
}
