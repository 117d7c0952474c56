//! `Trace` and `Rebrand` for the standard types that are sound to trace.
//!
//! Deliberately missing: `Cell`, `RefCell`, `Rc`, `Arc`, `UnsafeCell` and raw pointers. A
//! managed pointer inside them could change without the write barrier, or escape the
//! collector's view. Use `GcCell` and `GcRefCell` instead.
//!
//! The keys of maps and the elements of sets must be leaves: a key cannot be rewritten in
//! place without breaking the map's invariants. The check sits in `IS_LEAF`, which the type
//! descriptor of every object that contains the map evaluates, so it fails the build wherever
//! such a map is allocated. A hasher must be `'static`, so it cannot hold a managed pointer
//! either.

use core::hash::BuildHasher;
use core::marker::PhantomData;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use crate::trace::{Rebrand, Trace, Tracer};

macro_rules! leaf {
    ($($t:ty),* $(,)?) => {$(
        // SAFETY: the type holds no managed pointer.
        unsafe impl Trace for $t {
            const IS_LEAF: bool = true;
            #[inline(always)]
            fn trace(&mut self, _: &mut Tracer<'_>) {}
        }
        // SAFETY: the type has no brand.
        unsafe impl<'gc> Rebrand<'gc> for $t {
            type Branded = $t;
        }
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

// SAFETY: only the brand changes.
unsafe impl<'gc, T: ?Sized + Rebrand<'gc>> Rebrand<'gc> for PhantomData<T> {
    type Branded = PhantomData<T::Branded>;
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
}

// SAFETY: only the brand changes.
unsafe impl<'gc, T: Rebrand<'gc>> Rebrand<'gc> for VecDeque<T>
where
    T::Branded: Sized,
{
    type Branded = VecDeque<T::Branded>;
}

// SAFETY: keys are leaves (checked at compile time) and the hasher is `'static`, so only
// values hold managed pointers; they are traced in place.
unsafe impl<K: Trace, V: Trace, S: BuildHasher + 'static> Trace for HashMap<K, V, S> {
    const IS_LEAF: bool = {
        assert!(
            K::IS_LEAF,
            "the keys of a traced HashMap must hold no managed pointer"
        );
        V::IS_LEAF
    };
    const HAS_CELLS: bool = V::HAS_CELLS;
    const HAS_OUT_OF_LINE_CELLS: bool = V::HAS_CELLS;
    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        if !V::IS_LEAF {
            self.values_mut().for_each(|value| tracer.trace(value))
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

// SAFETY: the elements are leaves (checked at compile time) and the hasher is `'static`.
unsafe impl<T: Trace, S: BuildHasher + 'static> Trace for HashSet<T, S> {
    const IS_LEAF: bool = {
        assert!(
            T::IS_LEAF,
            "the elements of a traced HashSet must hold no managed pointer"
        );
        true
    };
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

// SAFETY: keys are leaves (checked at compile time); values are traced in place.
unsafe impl<K: Trace, V: Trace> Trace for BTreeMap<K, V> {
    const IS_LEAF: bool = {
        assert!(
            K::IS_LEAF,
            "the keys of a traced BTreeMap must hold no managed pointer"
        );
        V::IS_LEAF
    };
    const HAS_CELLS: bool = V::HAS_CELLS;
    const HAS_OUT_OF_LINE_CELLS: bool = V::HAS_CELLS;
    #[inline]
    fn trace(&mut self, tracer: &mut Tracer<'_>) {
        if !V::IS_LEAF {
            self.values_mut().for_each(|value| tracer.trace(value))
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

// SAFETY: the elements are leaves (checked at compile time).
unsafe impl<T: Trace> Trace for BTreeSet<T> {
    const IS_LEAF: bool = {
        assert!(
            T::IS_LEAF,
            "the elements of a traced BTreeSet must hold no managed pointer"
        );
        true
    };
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
        }

        // SAFETY: only the brand changes.
        unsafe impl<'gc, $($name: Rebrand<'gc>),+> Rebrand<'gc> for ($($name,)+)
        where
            $($name::Branded: Sized,)+
        {
            type Branded = ($($name::Branded,)+);
        }
    };
}

tuple!(A);
tuple!(A B);
tuple!(A B C);
tuple!(A B C D);
tuple!(A B C D E);
tuple!(A B C D E F);
tuple!(A B C D E F G);
tuple!(A B C D E F G H);
