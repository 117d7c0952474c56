// A `GcDyn` sent to another thread: a heap and its objects belong to one thread.
use tenured_gc::{coerce, Gc, GcDyn, Heap};

fn send<T: Send>(_: T) {}

fn main() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let shown: GcDyn<'_, dyn std::fmt::Debug> = coerce!(Gc::new(m, 1_u8) => dyn std::fmt::Debug);
        send(shown);
    });
}
