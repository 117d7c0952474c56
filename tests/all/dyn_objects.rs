//! Objects seen through a trait (`GcDyn`): traced, moved, rooted and stored like any other.

use std::ops::ControlFlow;

use tenured_gc::{coerce, dyn_trait, Gc, GcCell, GcDyn, Heap, RootDyn, RunState, Trace};

use crate::common::*;

trait Shape {
    fn area(&self) -> f64;
}
dyn_trait!(Shape);

#[derive(Trace, Debug)]
struct Circle {
    r: f64,
}

impl Shape for Circle {
    fn area(&self) -> f64 {
        3.0 * self.r * self.r
    }
}

#[derive(Trace)]
struct Square {
    side: f64,
    label: String,
}

impl Shape for Square {
    fn area(&self) -> f64 {
        self.side * self.side
    }
}

/// A shape that points to another: the trait object hides a type with the brand.
#[derive(Trace)]
struct Scaled<'gc> {
    factor: f64,
    inner: GcDyn<'gc, dyn Shape + 'gc>,
}

impl Shape for Scaled<'_> {
    fn area(&self) -> f64 {
        self.factor * self.factor * self.inner.area()
    }
}

#[derive(Trace)]
struct Canvas<'gc> {
    shapes: Vec<GcDyn<'gc, dyn Shape + 'gc>>,
}

#[derive(Trace)]
struct Holder<'gc> {
    slot: GcCell<'gc, Option<GcDyn<'gc, dyn Shape + 'gc>>>,
}

const SHAPES: usize = scaled(300);

/// The area shape `i` of the canvas has.
fn expected(i: usize) -> f64 {
    let x = (i % 7 + 1) as f64;
    match i % 3 {
        0 => 3.0 * x * x,
        1 => x * x,
        _ => 4.0 * 3.0 * x * x,
    }
}

fn shape<'gc>(m: &tenured_gc::Mutation<'gc>, i: usize) -> GcDyn<'gc, dyn Shape + 'gc> {
    let x = (i % 7 + 1) as f64;
    match i % 3 {
        0 => coerce!(Gc::new(m, Circle { r: x }) => dyn Shape),
        1 => coerce!(Gc::new(m, Square { side: x, label: format!("square {i}") }) => dyn Shape),
        _ => {
            let inner = coerce!(Gc::new(m, Circle { r: x }) => dyn Shape);
            coerce!(Gc::new(m, Scaled { factor: 2.0, inner }) => dyn Shape)
        }
    }
}

fn addresses(heap: &mut Heap, canvas: &tenured_gc::Root<Canvas<'static>>) -> Vec<usize> {
    heap.mutate(|m| {
        let c = canvas.get(m);
        c.shapes
            .iter()
            .map(|s| GcDyn::as_ptr(*s) as *const u8 as usize)
            .collect()
    })
}

fn check_areas(heap: &mut Heap, canvas: &tenured_gc::Root<Canvas<'static>>) {
    heap.mutate(|m| {
        let c = canvas.get(m);
        assert_eq!(c.shapes.len(), SHAPES);
        for (i, s) in c.shapes.iter().enumerate() {
            assert_eq!(s.area(), expected(i), "shape {i}");
        }
    });
}

#[test]
fn a_vec_of_shapes_moves_with_its_objects() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    // The addresses in the nursery, where the shapes were made.
    let (canvas, before) = heap.mutate(|m| {
        let shapes: Vec<_> = (0..SHAPES).map(|i| shape(m, i)).collect();
        let before = shapes
            .iter()
            .map(|s| GcDyn::as_ptr(*s) as *const u8 as usize)
            .collect::<Vec<_>>();
        (m.root(Gc::new(m, Canvas { shapes })), before)
    });
    check_areas(&mut heap, &canvas);
    heap.collect_minor();
    heap.verify().unwrap();
    check_areas(&mut heap, &canvas);
    let after_minor = addresses(&mut heap, &canvas);
    assert!(
        before.iter().zip(&after_minor).all(|(a, b)| a != b),
        "every shape moved"
    );
    heap.collect_minor();
    heap.collect_major();
    heap.verify().unwrap();
    check_areas(&mut heap, &canvas);
    drop(canvas);
    heap.collect_major();
    assert_eq!(heap.stats().live_after_last_major, 0);
}

#[test]
fn a_root_of_a_shape_follows_it() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let root: RootDyn<dyn Shape> = heap.mutate(|m| m.root_dyn(shape(m, 2)));
    let again = root.clone();
    assert!(RootDyn::ptr_eq(&root, &again));
    for _ in 0..3 {
        heap.collect_minor();
        heap.mutate(|m| assert_eq!(root.get(m).area(), expected(2)));
    }
    heap.collect_major();
    heap.verify().unwrap();
    heap.mutate(|m| {
        assert_eq!(again.get(m).area(), expected(2));
        assert!(root.get(m) == again.get(m));
    });
    drop((root, again));
    heap.collect_major();
    assert_eq!(heap.stats().live_after_last_major, 0);
}

#[test]
fn a_young_shape_stored_into_an_old_cell_survives() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let holder = heap.mutate(|m| {
        m.root(Gc::new(
            m,
            Holder {
                slot: GcCell::new(None),
            },
        ))
    });
    heap.collect_major(); // the holder is old
    for round in 0..4 {
        heap.mutate(|m| {
            // Reachable only through the old holder's cell: the barrier must record it.
            holder.get(m).slot.set(m, Some(shape(m, round)));
        });
        heap.collect_minor();
        heap.verify().unwrap();
        heap.mutate(|m| {
            let s = holder.get(m).slot.get().expect("the shape survives");
            assert_eq!(s.area(), expected(round));
        });
    }
    heap.collect_major();
    heap.verify().unwrap();
    heap.mutate(|m| assert_eq!(holder.get(m).slot.get().unwrap().area(), expected(3)));
}

#[test]
fn a_shape_in_the_state_of_run() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let total = heap.run(
        |m| RunState::new((shape(m, 0), 0u32)),
        |m, (s, i)| {
            let area = s.area();
            assert_eq!(area, expected(i as usize));
            if i == 20 {
                return ControlFlow::Break(i);
            }
            // Garbage, so that the steps collect and the shape moves.
            let _: Vec<_> = (0..100).map(|j| Gc::new(m, j)).collect();
            ControlFlow::Continue((shape(m, i as usize + 1), i + 1))
        },
    );
    assert_eq!(total, 20);
}

#[test]
fn identity_debug_and_pointer() {
    let mut heap = Heap::new();
    heap.mutate(|m| {
        let circle = Gc::new(m, Circle { r: 1.0 });
        let a: GcDyn<'_, dyn Shape> = coerce!(circle => dyn Shape);
        let b = coerce!(circle => dyn Shape);
        let other = coerce!(Gc::new(m, Circle { r: 1.0 }) => dyn Shape);
        assert!(a == b && a != other);
        assert_eq!(
            GcDyn::as_ptr(a) as *const u8,
            Gc::as_ptr(circle) as *const u8
        );
        let shown: GcDyn<'_, dyn std::fmt::Debug> = coerce!(circle => dyn std::fmt::Debug);
        assert_eq!(format!("{shown:?}"), "Circle { r: 1.0 }");
        assert_eq!(format!("{a:p}"), format!("{:p}", Gc::as_ptr(circle)));
    });
}

/// A struct with a field of each kind of pointer.
#[derive(Trace)]
struct Mixed<'gc> {
    plain: Gc<'gc, Circle>,
    shape: Option<GcDyn<'gc, dyn Shape + 'gc>>,
}

#[test]
fn layout_facts_are_truthful() {
    use std::mem::size_of;
    type Dyn = GcDyn<'static, dyn Shape>;
    // Two words, the address and the view; `None` is the null address.
    assert_eq!(size_of::<Dyn>(), 2 * size_of::<usize>());
    assert_eq!(size_of::<Option<Dyn>>(), size_of::<Dyn>());
    // So it is not a one-word pointer slot, and a struct holding one has no pointer map.
    const {
        assert!(!<Dyn as Trace>::NON_NULL_SLOT && !<Dyn as Trace>::POINTER_SLOT);
        assert!(!<Option<Dyn> as Trace>::POINTER_SLOT);
        assert!(!<Dyn as Trace>::IS_LEAF);
        assert!(<Mixed<'static> as Trace>::POINTER_MAP.is_none());
        assert!(<Gc<'static, Circle> as Trace>::POINTER_SLOT);
    }
}

#[test]
fn a_mixed_object_is_traced_by_its_own_type() {
    let mut heap = Heap::with_config(small_config()).unwrap();
    let mixed = heap.mutate(|m| {
        let plain = Gc::new(m, Circle { r: 2.0 });
        let shape = Some(shape(m, 1));
        m.root(Gc::new(m, Mixed { plain, shape }))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.verify().unwrap();
    heap.mutate(|m| {
        let mixed = mixed.get(m);
        assert_eq!(mixed.plain.area(), 12.0);
        assert_eq!(mixed.shape.unwrap().area(), expected(1));
    });
}

#[derive(Trace)]
struct WeakShapes<'gc> {
    shapes: Vec<tenured_gc::GcWeakDyn<'gc, dyn Shape + 'gc>>,
}

#[test]
fn weak_references_to_shapes_follow_them_and_clear_when_they_die() {
    let mut heap = Heap::new();
    let (weak, kept) = heap.mutate(|m| {
        let shapes: Vec<_> = (0..10).map(|i| shape(m, i)).collect();
        let weak = WeakShapes {
            shapes: shapes.iter().map(|&s| GcDyn::downgrade(s)).collect(),
        };
        let kept: Vec<RootDyn<dyn Shape>> =
            shapes.iter().step_by(2).map(|&s| m.root_dyn(s)).collect();
        (m.root(Gc::new(m, weak)), kept)
    });
    for major in [false, true] {
        if major {
            heap.collect_major()
        } else {
            heap.collect_minor()
        }
        heap.mutate(|m| {
            for (i, weak) in weak.get(m).shapes.iter().enumerate() {
                match weak.upgrade() {
                    Some(shape) => {
                        assert_eq!(i % 2, 0, "shape {i} is dead, but its weak reference is not");
                        assert_eq!(shape.area(), expected(i));
                        assert!(GcDyn::ptr_eq(shape, kept[i / 2].get(m)));
                    }
                    None => assert_eq!(i % 2, 1, "shape {i} is rooted"),
                }
            }
        });
    }
}

#[test]
fn the_identity_hash_of_a_shape_is_its_objects_and_survives_moves() {
    use std::collections::HashSet;
    let mut heap = Heap::new();
    let (root, hash) = heap.mutate(|m| {
        let circle = Gc::new(m, Circle { r: 1.0 });
        let seen = coerce!(circle => dyn Shape);
        assert_eq!(GcDyn::identity_hash(seen), Gc::identity_hash(circle));
        let set: HashSet<GcDyn<dyn Shape>> = [seen, seen, shape(m, 2)].into_iter().collect();
        assert_eq!(set.len(), 2);
        (m.root_dyn(seen), GcDyn::identity_hash(seen))
    });
    heap.collect_minor();
    heap.collect_major();
    heap.mutate(|m| assert_eq!(GcDyn::identity_hash(root.get(m)), hash));
}
