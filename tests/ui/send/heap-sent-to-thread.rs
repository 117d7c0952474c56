// A `Heap` moved to another thread: its roots stay behind and update its root table through a shared `Rc`.
use tenured_gc::Heap;

fn main() {
    let mut heap = Heap::new();
    std::thread::spawn(move || heap.collect_major()).join().unwrap();
}
