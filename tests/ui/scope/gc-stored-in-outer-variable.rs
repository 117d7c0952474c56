// A `Gc` stored in a variable that outlives the mutation scope: it would dangle once the scope's collection point moves the object.
use tenured_gc::{Gc, Heap};

fn main() {
    let mut heap = Heap::new();
    let mut slot = None;
    heap.mutate(|m| slot = Some(Gc::new(m, 1_i64)));
    println!("{}", *slot.unwrap());
}
