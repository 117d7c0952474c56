// Derive on an enum that boxes itself, with a managed pointer in one variant: the enum is traced through its boxes and is no leaf.
use tenured_gc::{Gc, Heap, Trace};

#[derive(Trace)]
enum Expr<'gc> {
    Num(i64),
    Add(Box<Expr<'gc>>, Box<Expr<'gc>>),
    Var(Gc<'gc, str>),
}

fn eval(e: &Expr<'_>) -> i64 {
    match e {
        Expr::Num(n) => *n,
        Expr::Add(a, b) => eval(a) + eval(b),
        Expr::Var(name) => name.len() as i64,
    }
}

fn main() {
    assert!(!<Expr<'static> as Trace>::IS_LEAF);
    let mut heap = Heap::new();
    let root = heap.mutate(|m| {
        let var = Expr::Var(Gc::new_str(m, "abc"));
        m.root(Gc::new(m, Expr::Add(Box::new(Expr::Num(1)), Box::new(var))))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| assert_eq!(eval(&root.get(m)), 4));
}
