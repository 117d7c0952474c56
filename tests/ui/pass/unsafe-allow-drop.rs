// `#[gc(unsafe_allow_drop)]`: a destructor that touches no managed pointer runs once when the object dies.
use std::sync::atomic::{AtomicUsize, Ordering};

use tenured_gc::{Gc, GcDrop, Heap, Trace};

static DROPS: AtomicUsize = AtomicUsize::new(0);

#[derive(Trace)]
#[gc(unsafe_allow_drop)]
struct Resource<'gc> {
    id: u32,
    peer: Option<Gc<'gc, i64>>,
}

// SAFETY: `drop` reads only `id`, never `peer`.
unsafe impl GcDrop for Resource<'_> {}

impl Drop for Resource<'_> {
    fn drop(&mut self) {
        // Only the plain field: `peer` may already be gone.
        assert!(self.id < 10);
        DROPS.fetch_add(1, Ordering::Relaxed);
    }
}

fn main() {
    let mut heap = Heap::new();
    let kept = heap.mutate(|m| {
        let peer = Gc::new(m, 1);
        let _garbage = Gc::new(m, Resource { id: 1, peer: Some(peer) });
        m.root(Gc::new(m, Resource { id: 2, peer: Some(peer) }))
    });
    heap.collect_minor();
    heap.collect_major();
    assert_eq!(DROPS.load(Ordering::Relaxed), 1);
    heap.mutate(|m| assert_eq!(*root_peer(&kept, m), 1));
    drop(kept);
    heap.collect_major();
    assert_eq!(DROPS.load(Ordering::Relaxed), 2);
}

fn root_peer<'gc>(root: &tenured_gc::Root<Resource<'static>>, m: &tenured_gc::Mutation<'gc>) -> Gc<'gc, i64> {
    root.get(m).peer.unwrap()
}
