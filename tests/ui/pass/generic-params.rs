// Derive on a type with the `'gc` brand and type parameters: each used parameter gets a `Trace` bound and is rebranded.
use tenured_gc::{Gc, GcCell, Heap, Root, Trace};

#[derive(Trace)]
struct Cons<'gc, T, U> {
    head: T,
    extra: U,
    tail: GcCell<'gc, Option<Gc<'gc, Cons<'gc, T, U>>>>,
}

fn main() {
    let mut heap = Heap::new();
    let root: Root<Cons<'static, Gc<'static, i64>, String>> = heap.mutate(|m| {
        let second = Gc::new(m, Cons { head: Gc::new(m, 2_i64), extra: "b".to_string(), tail: GcCell::new(None) });
        let first = Gc::new(m, Cons { head: Gc::new(m, 1_i64), extra: "a".to_string(), tail: GcCell::new(Some(second)) });
        m.root(first)
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let first = root.get(m);
        let second = first.tail.get().unwrap();
        assert_eq!((*first.head, first.extra.as_str()), (1, "a"));
        assert_eq!((*second.head, second.extra.as_str()), (2, "b"));
        assert!(second.tail.get().is_none());
    });
}
