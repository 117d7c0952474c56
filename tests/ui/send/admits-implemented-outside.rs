// A type admitted into a `SendHeap` by an impl of `Admits` outside the library: `Admits` is sealed, so only `HeapSend` types are admitted.
use std::rc::Rc;

use tenured_gc::{Admits, Gc, RunState, SendHeap, Sendable, Trace};

#[derive(Trace)]
struct Evil {
    #[gc(ignore)]
    rc: Rc<u64>,
    #[gc(recursive)]
    _no_heap_send: u8,
}

impl Admits<Evil> for Sendable {}

fn main() {
    let shared = Rc::new(0);
    let _heap = SendHeap::new(|m| RunState::new(Gc::new(m, Evil { rc: Rc::clone(&shared), _no_heap_send: 0 })));
}
