//! `Trace` and `Rebrand` for the standard types that are sound to trace.
//!
//! Deliberately missing: `RefCell`, `Rc`, `Arc`, `UnsafeCell`, raw pointers, and `Cell` of
//! anything but a [`Leaf`]. A managed pointer inside them could change without the write
//! barrier, or escape the collector's view. Use `GcCell` and `GcRefCell` instead. A `Cell` of a
//! leaf (a counter, a flag) holds no managed pointer, so a store into it needs no barrier.
//!
//! The keys of maps and the elements of sets must be [`Leaf`]s: a key cannot be rewritten in
//! place without breaking the map's invariants, and a hash of an address would be lost when the
//! object moves. The bound makes a key that may hold a managed
//! pointer a type error wherever the map's `Trace` impl is needed. A hasher must be `'static`,
//! so it cannot hold a managed pointer either.
//!
//! Every type here that can never hold a managed pointer is a `Leaf`, and so is every container
//! of leaves.

use core::cell::Cell;
use core::hash::BuildHasher;
use core::marker::PhantomData;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use crate::trace::NamedTracer;
use crate::trace::{Leaf, Rebrand, Trace, Tracer};

macro_rules! leaf {
    ($($t:ty),* $(,)?) => {$(
        // SAFETY: the type holds no managed pointer.
        unsafe impl Trace for $t {
            const IS_LEAF: bool = true;
            #[inline(always)]
            fn trace(&mut self, _: &mut Tracer<'_>) {}
        }
        // SAFETY: the type holds no managed pointer.
        unsafe impl Leaf for $t {
            fn name_key(&self, out: &mut String) -> bool {
                use core::fmt::Write;
                write!(out, "{:?}", self).is_ok()
            }
        }
        // SAFETY: the type has no brand.
        unsafe impl<'gc> Rebrand<'gc> for $t {
            type Branded = $t;
        }
        // SAFETY: the type is `Send` and holds no managed pointer.
        unsafe impl crate::HeapSend for $t {}
        // SAFETY: the type is `Send + Sync` and holds no managed pointer.
        unsafe impl crate::HeapSync for $t {}
    )*};
}

leaf!(
    (),
    bool,
    char,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    String,
    str,
    &'static str,
    core::time::Duration,
    std::time::Instant,
    std::path::PathBuf,
    core::num::NonZeroU32,
    core::num::NonZeroU64,
    core::num::NonZeroUsize,
);

// SAFETY: `PhantomData` holds nothing.
unsafe impl<T: ?Sized> Trace for PhantomData<T> {
    const IS_LEAF: bool = true;
    #[inline(always)]
    fn trace(&mut self, _: &mut Tracer<'_>) {}
}

// SAFETY: `PhantomData` holds nothing.
unsafe impl<T: ?Sized> Leaf for PhantomData<T> {}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: ?Sized + Rebrand<'gc>> Rebrand<'gc> for PhantomData<T> {
    type Branded = PhantomData<T::Branded>;
}

/// A `Cell` of a [`Leaf`], such as a counter or a flag: set through a shared reference, with
/// no [`Mutation`](crate::Mutation) and no write barrier.
///
/// A store into the cell changes no managed pointer, so the collector need not hear of it, and
/// it never scans the cell. A `Cell` of anything that may hold a `Gc` is not `Trace`: a store
/// would bypass the write barrier. Use a [`GcCell`](crate::GcCell) for those.
///
/// ```
/// use std::cell::Cell;
/// use tenured_gc::{Gc, Heap, Trace};
///
/// #[derive(Trace)]
/// struct Page<'gc> {
///     title: Gc<'gc, str>,
///     visits: Cell<u32>,
/// }
///
/// let mut heap = Heap::new();
/// let page = heap.mutate(|m| {
///     let title = Gc::new_str(m, "home");
///     m.root(Gc::new(m, Page { title, visits: Cell::new(0) }))
/// });
/// for _ in 0..3 {
///     heap.mutate(|m| {
///         let visits = &page.get(m).visits;
///         visits.set(visits.get() + 1);
///     });
///     heap.collect_minor();
/// }
/// heap.mutate(|m| assert_eq!(page.get(m).visits.get(), 3));
/// ```
// Without this, a `Cell<Gc<_>>` field would be reported as "`Gc` is not a `Leaf`", the error of
// map keys; with it, as "`Cell<Gc<_>>` cannot be traced", with `Trace`'s notes.
#[diagnostic::do_not_recommend]
// SAFETY: the value is a leaf: it holds no managed pointer (so a store through the cell changes
// none, and there is nothing to trace), and the cell holds nothing else.
unsafe impl<T: Leaf> Trace for Cell<T> {
    const IS_LEAF: bool = true;
    #[inline(always)]
    fn trace(&mut self, _: &mut Tracer<'_>) {}
}

// SAFETY: the cell holds only its value, a leaf.
unsafe impl<T: Leaf> Leaf for Cell<T> {}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: Rebrand<'gc>> Rebrand<'gc> for Cell<T>
where
    T::Branded: Sized,
{
    type Branded = Cell<T::Branded>;
}

/// Implements the layout facts of a container that owns its elements out of line.
macro_rules! out_of_line_facts {
    ($t:ident) => {
        const IS_LEAF: bool = $t::IS_LEAF;
        const HAS_CELLS: bool = $t::HAS_CELLS;
        const HAS_OUT_OF_LINE_CELLS: bool = $t::HAS_CELLS;
    };
}

// SAFETY: every element is traced in place.
unsafe impl<T: Trace> Trace for [T] {
    const IS_LEAF: bool = T::IS_LEAF;
    const HAS_CELLS: bool = T::HAS_CELLS;
    const HAS_OUT_OF_LINE_CELLS: bool = T::HAS_OUT_OF_LINE_CELLS;
    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        for item in self {
            tracer.trace(item)
        }
    }

    fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
        for (i, item) in self.iter_mut().enumerate() {
            tracer.index(i, item)
        }
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: Rebrand<'gc>> Rebrand<'gc> for [T]
where
    T::Branded: Sized,
{
    type Branded = [T::Branded];
}

// SAFETY: every element is traced in place; an array is laid out inline.
unsafe impl<T: Trace, const N: usize> Trace for [T; N] {
    const IS_LEAF: bool = T::IS_LEAF || N == 0;
    const HAS_CELLS: bool = T::HAS_CELLS;
    const HAS_OUT_OF_LINE_CELLS: bool = T::HAS_OUT_OF_LINE_CELLS;
    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        tracer.trace(self.as_mut_slice())
    }

    fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
        tracer.trace(self.as_mut_slice())
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: Rebrand<'gc>, const N: usize> Rebrand<'gc> for [T; N]
where
    T::Branded: Sized,
{
    type Branded = [T::Branded; N];
}

// SAFETY: the value, if any, is traced in place. `Option<Gc>` is one nullable word.
unsafe impl<T: Trace> Trace for Option<T> {
    const IS_LEAF: bool = T::IS_LEAF;
    const POINTER_SLOT: bool = T::NON_NULL_SLOT;
    const HAS_CELLS: bool = T::HAS_CELLS;
    const HAS_OUT_OF_LINE_CELLS: bool = T::HAS_OUT_OF_LINE_CELLS;
    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        if let Some(value) = self {
            tracer.trace(value)
        }
    }

    fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
        if let Some(value) = self {
            tracer.trace(value)
        }
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: Rebrand<'gc>> Rebrand<'gc> for Option<T>
where
    T::Branded: Sized,
{
    type Branded = Option<T::Branded>;
}

// SAFETY: whichever value is present is traced in place.
unsafe impl<T: Trace, E: Trace> Trace for Result<T, E> {
    const IS_LEAF: bool = T::IS_LEAF && E::IS_LEAF;
    const HAS_CELLS: bool = T::HAS_CELLS || E::HAS_CELLS;
    const HAS_OUT_OF_LINE_CELLS: bool = T::HAS_OUT_OF_LINE_CELLS || E::HAS_OUT_OF_LINE_CELLS;
    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        match self {
            Ok(value) => tracer.trace(value),
            Err(error) => tracer.trace(error),
        }
    }

    fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
        match self {
            Ok(value) => tracer.field("Ok", value),
            Err(error) => tracer.field("Err", error),
        }
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: Rebrand<'gc>, E: Rebrand<'gc>> Rebrand<'gc> for Result<T, E>
where
    T::Branded: Sized,
    E::Branded: Sized,
{
    type Branded = Result<T::Branded, E::Branded>;
}

// SAFETY: the boxed value is traced in place; it lives out of line.
unsafe impl<T: ?Sized + Trace> Trace for Box<T> {
    out_of_line_facts!(T);
    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        tracer.trace(&mut **self)
    }

    fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
        tracer.trace(&mut **self)
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: ?Sized + Rebrand<'gc>> Rebrand<'gc> for Box<T> {
    type Branded = Box<T::Branded>;
}

// SAFETY: every element is traced in place; they live out of line.
unsafe impl<T: Trace> Trace for Vec<T> {
    out_of_line_facts!(T);
    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        tracer.trace(self.as_mut_slice())
    }

    fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
        tracer.trace(self.as_mut_slice())
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: Rebrand<'gc>> Rebrand<'gc> for Vec<T>
where
    T::Branded: Sized,
{
    type Branded = Vec<T::Branded>;
}

// SAFETY: every element is traced in place; they live out of line.
unsafe impl<T: Trace> Trace for VecDeque<T> {
    out_of_line_facts!(T);
    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        if !T::IS_LEAF {
            self.iter_mut().for_each(|item| tracer.trace(item))
        }
    }

    fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
        for (i, item) in self.iter_mut().enumerate() {
            tracer.index(i, item)
        }
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: Rebrand<'gc>> Rebrand<'gc> for VecDeque<T>
where
    T::Branded: Sized,
{
    type Branded = VecDeque<T::Branded>;
}

/// The values are traced; the keys must be [`Leaf`]s, which hold no managed pointer.
///
/// The collector moves objects, so their addresses change at every collection: a key hashed
/// by a `Gc` would be in the wrong bucket after the first move, and the map would lose the
/// entry (the map hands out no `&mut` to its keys, so the collector could not even rewrite the
/// pointer). Key by a plain value, such as an id or a name kept in the object, and keep the
/// `Gc` in the value. The same holds for `BTreeMap` keys and for `HashSet` and `BTreeSet`
/// elements.
///
/// ```
/// use std::collections::HashMap;
/// use tenured_gc::{Gc, GcRefCell, Heap, Trace};
///
/// #[derive(Trace)]
/// struct Person {
///     id: u32,
///     name: String,
/// }
///
/// #[derive(Trace)]
/// struct Directory<'gc> {
///     by_id: GcRefCell<'gc, HashMap<u32, Gc<'gc, Person>>>, // not `HashMap<Gc<Person>, _>`
/// }
///
/// let mut heap = Heap::new();
/// let directory = heap.mutate(|m| {
///     let directory = Gc::new(m, Directory { by_id: GcRefCell::default() });
///     for (id, name) in [(1, "Ada"), (2, "Grace")] {
///         let person = Gc::new(m, Person { id, name: name.into() });
///         directory.by_id.borrow_mut(m).insert(person.id, person);
///     }
///     m.root(directory)
/// });
/// heap.collect_minor();
/// heap.collect_major(); // every person moved; the keys did not change
/// heap.mutate(|m| assert_eq!(directory.get(m).by_id.borrow()[&2].name, "Grace"));
/// ```
// SAFETY: keys are leaves and the hasher is `'static`, so only values hold managed pointers;
// they are traced in place.
unsafe impl<K: Leaf, V: Trace, S: BuildHasher + 'static> Trace for HashMap<K, V, S> {
    const IS_LEAF: bool = V::IS_LEAF;
    const HAS_CELLS: bool = V::HAS_CELLS;
    const HAS_OUT_OF_LINE_CELLS: bool = V::HAS_CELLS;
    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        if !V::IS_LEAF {
            self.values_mut().for_each(|value| tracer.trace(value))
        }
    }

    fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
        for (i, (key, value)) in self.iter_mut().enumerate() {
            tracer.entry(i, key, value)
        }
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, K: Rebrand<'gc>, V: Rebrand<'gc>, S: 'static> Rebrand<'gc> for HashMap<K, V, S>
where
    K::Branded: Sized,
    V::Branded: Sized,
{
    type Branded = HashMap<K::Branded, V::Branded, S>;
}

// SAFETY: the elements are leaves and the hasher is `'static`.
unsafe impl<T: Leaf, S: BuildHasher + 'static> Trace for HashSet<T, S> {
    const IS_LEAF: bool = true;
    #[inline]
    fn trace(&mut self, _: &mut Tracer<'_>) {}
}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: Rebrand<'gc>, S: 'static> Rebrand<'gc> for HashSet<T, S>
where
    T::Branded: Sized,
{
    type Branded = HashSet<T::Branded, S>;
}

// SAFETY: keys are leaves; values are traced in place.
unsafe impl<K: Leaf, V: Trace> Trace for BTreeMap<K, V> {
    const IS_LEAF: bool = V::IS_LEAF;
    const HAS_CELLS: bool = V::HAS_CELLS;
    const HAS_OUT_OF_LINE_CELLS: bool = V::HAS_CELLS;
    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        if !V::IS_LEAF {
            self.values_mut().for_each(|value| tracer.trace(value))
        }
    }

    fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
        for (i, (key, value)) in self.iter_mut().enumerate() {
            tracer.entry(i, key, value)
        }
    }
}

// SAFETY: only the brand changes.
unsafe impl<'gc, K: Rebrand<'gc>, V: Rebrand<'gc>> Rebrand<'gc> for BTreeMap<K, V>
where
    K::Branded: Sized,
    V::Branded: Sized,
{
    type Branded = BTreeMap<K::Branded, V::Branded>;
}

// SAFETY: the elements are leaves.
unsafe impl<T: Leaf> Trace for BTreeSet<T> {
    const IS_LEAF: bool = true;
    #[inline]
    fn trace(&mut self, _: &mut Tracer<'_>) {}
}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: Rebrand<'gc>> Rebrand<'gc> for BTreeSet<T>
where
    T::Branded: Sized,
{
    type Branded = BTreeSet<T::Branded>;
}

// SAFETY: each of these holds managed pointers only in its elements (keys, values), which
// are leaves; a map's hasher is `'static`, so it cannot hold one.
unsafe impl<T: Leaf> Leaf for [T] {}
// SAFETY: as above.
unsafe impl<T: Leaf, const N: usize> Leaf for [T; N] {}
// SAFETY: as above.
unsafe impl<T: Leaf> Leaf for Option<T> {}
// SAFETY: as above.
unsafe impl<T: Leaf, E: Leaf> Leaf for Result<T, E> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Leaf> Leaf for Box<T> {}
// SAFETY: as above.
unsafe impl<T: Leaf> Leaf for Vec<T> {}
// SAFETY: as above.
unsafe impl<T: Leaf> Leaf for VecDeque<T> {}
// SAFETY: as above.
unsafe impl<K: Leaf, V: Leaf, S: 'static> Leaf for HashMap<K, V, S> {}
// SAFETY: as above.
unsafe impl<T: Leaf, S: 'static> Leaf for HashSet<T, S> {}
// SAFETY: as above.
unsafe impl<K: Leaf, V: Leaf> Leaf for BTreeMap<K, V> {}
// SAFETY: as above.
unsafe impl<T: Leaf> Leaf for BTreeSet<T> {}

macro_rules! tuple {
    ($($name:ident)+) => {
        // SAFETY: every element is traced in place; a tuple is laid out inline.
        unsafe impl<$($name: Trace),+> Trace for ($($name,)+) {
            const IS_LEAF: bool = true $(&& $name::IS_LEAF)+;
            const HAS_CELLS: bool = false $(|| $name::HAS_CELLS)+;
            const HAS_OUT_OF_LINE_CELLS: bool = false $(|| $name::HAS_OUT_OF_LINE_CELLS)+;
            #[inline]
            #[allow(non_snake_case)]
            fn trace(&mut self, tracer: &mut Tracer<'_>) {
                let ($($name,)+) = self;
                $(tracer.trace($name);)+
            }

            #[allow(non_snake_case)]
            fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
                let ($($name,)+) = self;
                let mut index = 0;
                $(
                    tracer.field(FIELDS[index], $name);
                    index += 1;
                )+
                let _ = index;
            }
        }

        // SAFETY: a tuple holds managed pointers only in its elements, which are leaves.
        unsafe impl<$($name: Leaf),+> Leaf for ($($name,)+) {}

        // SAFETY: only the brand changes.
        unsafe impl<'gc, $($name: Rebrand<'gc>),+> Rebrand<'gc> for ($($name,)+)
        where
            $($name::Branded: Sized,)+
        {
            type Branded = ($($name::Branded,)+);
        }
    };
}

/// The names of the fields of a tuple.
const FIELDS: [&str; 8] = ["0", "1", "2", "3", "4", "5", "6", "7"];

tuple!(A);
tuple!(A B);
tuple!(A B C);
tuple!(A B C D);
tuple!(A B C D E);
tuple!(A B C D E F);
tuple!(A B C D E F G);
tuple!(A B C D E F G H);
