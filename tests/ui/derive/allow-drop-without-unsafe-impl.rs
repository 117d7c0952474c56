// `#[gc(unsafe_allow_drop)]` alone: the attribute is not enough, the user must also write an `unsafe impl GcDrop` that vouches the destructor touches no managed pointer (which may be dead when it runs).
use tenured_gc::{Gc, Trace};

#[derive(Trace)]
#[gc(unsafe_allow_drop)]
struct Resource<'gc> {
    peer: Option<Gc<'gc, i64>>,
}

impl Drop for Resource<'_> {
    fn drop(&mut self) {
        if let Some(peer) = self.peer {
            println!("{}", *peer); // would read a dead object during collection
        }
    }
}

fn main() {}
