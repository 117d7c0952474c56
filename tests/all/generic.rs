//! Generic code over managed types: one bound to allocate, rooting helpers that compile.

use tenured_gc::{Gc, GcCell, Heap, Managed, Mutation, Object, Rebrand, Root, Trace};

/// Allocates a pair of any managed values: `Managed<'gc>` is the one bound needed.
fn pair<'gc, T: Managed<'gc> + Copy>(m: &Mutation<'gc>, a: T, b: T) -> Gc<'gc, [T]> {
    Gc::from_slice(m, &[a, b])
}

fn boxed<'gc, T: Managed<'gc>>(m: &Mutation<'gc>, value: T) -> Gc<'gc, T> {
    Gc::new(m, value)
}

/// Builds an object in a scope of its own and roots it: generic over the type, named in
/// the `'static` brand as roots name it.
fn keep<T>(
    heap: &mut Heap,
    make: impl for<'gc> FnOnce(&Mutation<'gc>) -> Gc<'gc, <T as Rebrand<'gc>>::Branded>,
) -> Root<T>
where
    T: ?Sized + for<'gc> Rebrand<'gc>,
{
    heap.mutate(|m| Root::new(m, make(m)))
}

/// The address of a rooted object of any type, in a scope of its own: reading the object
/// needs its type in every brand to be an `Object`.
fn address<T>(heap: &mut Heap, root: &Root<T>) -> usize
where
    T: ?Sized + for<'gc> Rebrand<'gc>,
    for<'gc> <T as Rebrand<'gc>>::Branded: Object,
{
    heap.mutate(|m| Gc::as_ptr(root.get(m)).cast::<u8>() as usize)
}

#[derive(Trace, Clone, Copy)]
struct Link<'gc> {
    next: Option<Gc<'gc, Link<'gc>>>,
    n: u32,
}

#[test]
fn generic_functions_allocate_and_root_any_managed_type() {
    let mut heap = Heap::new();
    let numbers = keep::<[u64]>(&mut heap, |m| pair(m, 1_u64, 2));
    let link = keep::<Link<'static>>(&mut heap, |m| {
        let first = boxed(m, Link { next: None, n: 1 });
        boxed(
            m,
            Link {
                next: Some(first),
                n: 2,
            },
        )
    });
    let cell = keep::<GcCell<'static, u32>>(&mut heap, |m| boxed(m, GcCell::new(7)));
    let before = address(&mut heap, &link);
    heap.collect_minor();
    assert_ne!(address(&mut heap, &link), before, "the object moved");
    heap.mutate(|m| {
        assert_eq!(*numbers.get(m), [1, 2]);
        let link = link.get(m);
        assert_eq!((link.n, link.next.map(|l| l.n)), (2, Some(1)));
        assert_eq!(cell.get(m).get(), 7);
    });
}

type Log<'gc> = GcCell<'gc, Option<Gc<'gc, Link<'gc>>>>;

/// An application that keeps its heap and its roots side by side in one struct.
struct App {
    heap: Heap,
    log: Root<Log<'static>>,
    count: u32,
}

impl App {
    fn new() -> App {
        let mut heap = Heap::new();
        let log = heap.mutate(|m| m.root(Gc::new(m, Log::new(None))));
        App {
            heap,
            log,
            count: 0,
        }
    }

    /// Methods borrow the heap mutably and the roots (and any other field) at once: a
    /// closure captures only the fields it uses.
    fn record(&mut self) {
        self.count += 1;
        let n = self.count;
        self.heap.mutate(|m| {
            let log = self.log.get(m);
            log.set(m, Some(Gc::new(m, Link { next: log.get(), n })));
        });
    }

    fn entries(&mut self) -> Vec<u32> {
        self.heap.mutate(|m| {
            let mut out = Vec::new();
            let mut at = self.log.get(m).get();
            while let Some(link) = at {
                out.push(link.n);
                at = link.next;
            }
            out
        })
    }
}

#[test]
fn a_heap_lives_in_a_struct_beside_its_roots() {
    let mut app = App::new();
    for _ in 0..5 {
        app.record();
        app.heap.collect_minor();
    }
    app.heap.collect_major();
    assert_eq!(app.entries(), [5, 4, 3, 2, 1]);
}
