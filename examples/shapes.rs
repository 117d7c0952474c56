//! Objects seen through a trait: a drawing of circles, squares and groups kept as
//! `GcDyn<'gc, dyn Shape>`, the managed `Box<dyn Shape>`. The collector moves each shape by its
//! own type; the drawing only knows the trait.
//!
//! Run with `cargo run --example shapes`.

use tenured_gc::{coerce, dyn_trait, Gc, GcCell, GcDyn, Heap, Mutation, RootDyn, Trace};

trait Shape {
    fn name(&self) -> String;
    fn area(&self) -> f64;
}
// Lets a `GcDyn<dyn Shape>` be rooted (`RootDyn<dyn Shape>`).
dyn_trait!(Shape);

#[derive(Trace)]
struct Circle {
    r: f64,
}

impl Shape for Circle {
    fn name(&self) -> String {
        format!("circle r={}", self.r)
    }
    fn area(&self) -> f64 {
        std::f64::consts::PI * self.r * self.r
    }
}

#[derive(Trace)]
struct Square {
    side: f64,
}

impl Shape for Square {
    fn name(&self) -> String {
        format!("square {}", self.side)
    }
    fn area(&self) -> f64 {
        self.side * self.side
    }
}

/// A shape made of shapes, which gains members later: a barriered cell of trait objects.
#[derive(Trace)]
struct Group<'gc> {
    members: Vec<GcDyn<'gc, dyn Shape + 'gc>>,
    highlight: GcCell<'gc, Option<GcDyn<'gc, dyn Shape + 'gc>>>,
}

impl Shape for Group<'_> {
    fn name(&self) -> String {
        let names: Vec<_> = self.members.iter().map(|s| s.name()).collect();
        format!("group [{}]", names.join(", "))
    }
    fn area(&self) -> f64 {
        self.members.iter().map(|s| s.area()).sum()
    }
}

fn square<'gc>(m: &Mutation<'gc>, side: f64) -> GcDyn<'gc, dyn Shape + 'gc> {
    coerce!(Gc::new(m, Square { side }) => dyn Shape)
}

fn main() {
    let mut heap = Heap::new();
    let (drawing, group): (RootDyn<dyn Shape>, _) = heap.mutate(|m| {
        let circle = coerce!(Gc::new(m, Circle { r: 1.0 }) => dyn Shape);
        let members = vec![circle, square(m, 2.0)];
        let group = Gc::new(
            m,
            Group {
                members,
                highlight: GcCell::new(None),
            },
        );
        (m.root_dyn(coerce!(group => dyn Shape)), m.root(group))
    });
    heap.collect_major(); // everything moves to the old generation
    heap.mutate(|m| {
        // A young square in an old group's cell: the write barrier records it.
        group.get(m).highlight.set(m, Some(square(m, 3.0)));
    });
    heap.collect_minor();
    heap.mutate(|m| {
        let drawing = drawing.get(m);
        println!("Drawing: {}", drawing.name());
        println!("Total area: {:.2}", drawing.area());
        let highlight = group.get(m).highlight.get().expect("kept by the cell");
        println!(
            "Highlighted: {}, area {}",
            highlight.name(),
            highlight.area()
        );
    });
    drop((drawing, group));
    heap.collect_major();
    println!(
        "Roots dropped: {} bytes live.",
        heap.stats().live_after_last_major
    );
}
