// Derive on an enum with unit, tuple and struct variants: the pointers of whichever variant is live are traced.
use tenured_gc::{Gc, Heap, Trace};

#[derive(Trace)]
enum Expr<'gc> {
    Nil,
    Number(i64),
    Add(Gc<'gc, Expr<'gc>>, Gc<'gc, Expr<'gc>>),
    Let { name: String, value: Gc<'gc, Expr<'gc>>, body: Option<Gc<'gc, Expr<'gc>>> },
}

fn eval(e: &Expr<'_>) -> i64 {
    match e {
        Expr::Nil => 0,
        Expr::Number(n) => *n,
        Expr::Add(a, b) => eval(a) + eval(b),
        Expr::Let { value, body, .. } => eval(value) + body.map_or(0, |b| eval(&b)),
    }
}

fn main() {
    let mut heap = Heap::new();
    let root = heap.mutate(|m| {
        let one = Gc::new(m, Expr::Number(1));
        let two = Gc::new(m, Expr::Number(2));
        let sum = Gc::new(m, Expr::Add(one, two));
        let nil = Gc::new(m, Expr::Nil);
        m.root(Gc::new(m, Expr::Let { name: "x".into(), value: sum, body: Some(nil) }))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| {
        let e = root.get(m);
        assert_eq!(eval(&e), 3);
        assert!(matches!(&*e, Expr::Let { name, .. } if name == "x"));
    });
}
