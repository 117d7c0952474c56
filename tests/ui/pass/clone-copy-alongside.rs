// `#[derive(Clone, Copy)]` next to `Trace`: a `Copy` derived type fits in a `GcCell`.
use tenured_gc::{Gc, GcCell, Heap, Trace};

#[derive(Trace, Clone, Copy)]
struct Span<'gc> {
    start: u32,
    end: u32,
    source: Gc<'gc, str>,
}

fn main() {
    let mut heap = Heap::new();
    let root = heap.mutate(|m| {
        let source = Gc::new_str(m, "let x = 1;");
        let cell = Gc::new(m, GcCell::new(Span { start: 0, end: 3, source }));
        let mut moved = cell.get();
        moved.start = 4;
        moved.end = 5;
        cell.set(m, moved);
        m.root(cell)
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let span = root.get(m).get();
        let copy = span;
        assert!(Gc::ptr_eq(copy.source, span.source));
        assert_eq!(&span.source[span.start as usize..span.end as usize], "x");
    });
}
