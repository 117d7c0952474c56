// Derive on generic recursive types: exact facts for `Rose<T>` inside itself, conservative ones for parameters that swap at each level, and `#[gc(recursive)]` for two types that hold each other.
use tenured_gc::{Gc, Heap, Trace};

#[derive(Trace)]
struct Rose<'gc, T> {
    value: T,
    kids: Vec<Rose<'gc, T>>,
    label: Option<Gc<'gc, str>>,
}

#[derive(Trace)]
struct Swap<A, B> {
    a: A,
    b: B,
    next: Option<Box<Swap<B, A>>>,
}

#[derive(Trace)]
struct Even<T> {
    value: T,
    #[gc(recursive)]
    next: Option<Box<Odd<T>>>,
}

#[derive(Trace)]
struct Odd<T> {
    value: T,
    next: Option<Box<Even<T>>>,
}

fn main() {
    assert!(!<Rose<'static, u8> as Trace>::IS_LEAF);
    assert!(!<Rose<'static, u8> as Trace>::HAS_CELLS);
    assert!(!<Swap<u8, u8> as Trace>::IS_LEAF, "assumed to hold pointers");
    assert!(!<Even<u8> as Trace>::IS_LEAF, "assumed to hold pointers");
    let mut heap = Heap::new();
    let root = heap.mutate(|m| {
        let odd = Odd { value: Gc::new(m, 2_i64), next: None };
        let even = Even { value: Gc::new(m, 1_i64), next: Some(Box::new(odd)) };
        let swap = Swap { a: 1_u8, b: Gc::new(m, 3_i64), next: None };
        let rose = Rose { value: swap, kids: Vec::new(), label: Some(Gc::new_str(m, "r")) };
        m.root(Gc::new(m, (even, rose)))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let (even, rose) = &*root.get(m);
        assert_eq!((*even.value, *even.next.as_ref().unwrap().value), (1, 2));
        assert_eq!((rose.value.a, *rose.value.b, &*rose.label.unwrap()), (1, 3, "r"));
    });
}
