//! The `Trace` and `Rebrand` traits: what the collector needs to know about a managed type.
//!
//! # Tracing
//! A moving collector must find every managed pointer a value holds and be able to rewrite it,
//! so [`Trace::trace`] takes `&mut self` and hands each pointer to the [`Tracer`] by `&mut`.
//!
//! # Layout facts
//! Besides the trace function, every `Trace` type states a few facts the collector uses to
//! skip work: [`Trace::IS_LEAF`] (no managed pointer anywhere: never scanned),
//! [`Trace::POINTER_MAP`] (the byte offsets of every pointer slot: scanned without a call), and
//! whether a barriered cell may live outside the object's own memory
//! ([`Trace::HAS_OUT_OF_LINE_CELLS`]), which the write barrier needs to know.
//!
//! # Branding
//! [`Rebrand`] maps a type to the same type with its `'gc` lifetime replaced. Roots store
//! objects under the `'static` brand and hand them back under the brand of the current
//! mutation scope.

use core::ptr::NonNull;

/// A value the collector can trace.
///
/// `#[derive(Trace)]` implements this for structs and enums; tenured-gc implements it for the
/// standard types that are sound to trace. A hand-written impl writes only [`Trace::trace`]:
/// the layout facts the collector uses to skip work (the hidden constants) have defaults that
/// are always sound, and the derive computes precise ones.
///
/// ```
/// use tenured_gc::{Gc, Heap, Rebrand, Trace, Tracer};
///
/// /// A pair whose second half is traced only when present.
/// struct Pair<'gc> {
///     first: Gc<'gc, i64>,
///     second: Option<Gc<'gc, i64>>,
/// }
///
/// // SAFETY: `trace` hands both managed pointers to the tracer (rule 1) and does nothing else.
/// unsafe impl Trace for Pair<'_> {
///     fn trace(&mut self, tracer: &mut Tracer<'_>) {
///         tracer.trace(&mut self.first);
///         tracer.trace(&mut self.second);
///     }
/// }
///
/// // SAFETY: only the brand changes.
/// unsafe impl<'gc> Rebrand<'gc> for Pair<'_> {
///     type Branded = Pair<'gc>;
/// }
///
/// let mut heap = Heap::new();
/// let pair = heap.mutate(|m| {
///     let pair = Pair { first: Gc::new(m, 1), second: Some(Gc::new(m, 2)) };
///     m.root(Gc::new(m, pair))
/// });
/// heap.collect_major();
/// heap.mutate(|m| assert_eq!(*pair.get(m).second.unwrap(), 2));
/// ```
///
/// # Safety
/// An implementation must uphold all of the following:
/// 1. `trace` *must* pass every `Gc` and `GcWeak` reachable from `self` without going through
///    another managed object to the tracer, exactly once per call (through their own `trace`).
/// 2. `trace` must not allocate, must not read the contents of any managed object, and must
///    not move values out of `self`.
/// 3. A managed pointer held by the value must not be reachable by a shared-reference mutation
///    that bypasses the write barrier (no `Cell<Gc<_>>`, `RefCell<Gc<_>>`, ...; a `Cell` of a
///    [`Leaf`] is fine).
/// 4. `IS_LEAF` may be `true` only if the value can never hold a managed pointer. (This and
///    the rules below concern the layout constants, which only an impl that overrides them
///    must think about: their defaults keep every rule.)
/// 5. `NON_NULL_SLOT` may be `true` only for a type that is exactly one non-null managed
///    pointer word (`Gc`), and `POINTER_SLOT` only for a type that is exactly one word that is
///    either null or such a pointer.
/// 6. `POINTER_MAP`, when `Some`, must list the byte offset of every pointer slot of the value
///    (each offset holding a `POINTER_SLOT` value), and every other byte of the value must be
///    part of a leaf field.
/// 7. `HAS_CELLS` must be `true` if the value may contain a barriered cell anywhere, and
///    `HAS_OUT_OF_LINE_CELLS` if such a cell may live in memory the value owns outside itself
///    (the buffer of a `Vec`, a `Box`, ...).
/// 8. Types that implement `Drop` must not touch managed objects from `drop`.
/// 9. The constants of a generic type may depend on a type parameter only through that
///    parameter's own `Trace` constants, and monotonically: a parameter that may hold more
///    (pointers, cells) never makes the type claim less. `#[derive(Trace)]` finds the facts of
///    recursive types by evaluating them with stand-ins in place of the type, and relies on it.
/// 10. `trace_named`, if overridden, must hand on exactly the managed pointers `trace` hands
///     on (by passing the fields to the [`NamedTracer`]), and keep rule 2.
/// 11. `trace` may run on a collector thread other than the heap's own, while the heap's
///     thread waits for it, at the same time as the `trace` of other values on other
///     threads ([`HeapConfig::collector_threads`](crate::HeapConfig::collector_threads)).
///     So besides `self` and what `self` alone owns it may touch only what is safe to reach
///     from any thread (atomics, a lock; a thread-local is that thread's own), never state
///     that other values or the heap's thread share without synchronisation (a count behind
///     an `Rc`, a `Cell` outside the value). Derived impls and the ones this crate provides
///     touch only their fields.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be traced by the garbage collector",
    label = "`{Self}` does not implement `Trace`",
    note = "derive it with `#[derive(Trace)]`, or mark a field that holds no managed pointer `#[gc(ignore)]`",
    note = "`Cell<T>` is traceable only where `T` holds no managed pointer (a `Leaf`, such as a number); `RefCell`, `Rc` and raw pointers never are: use `GcCell` or `GcRefCell` for fields that change"
)]
pub unsafe trait Trace {
    /// The value never holds a managed pointer; the collector never scans it.
    #[doc(hidden)]
    const IS_LEAF: bool = false;
    /// The value is exactly one non-null managed pointer word.
    #[doc(hidden)]
    const NON_NULL_SLOT: bool = false;
    /// The value is exactly one word that is null or a managed pointer.
    #[doc(hidden)]
    const POINTER_SLOT: bool = false;
    /// The byte offsets of the pointer slots of a plain value, when they describe it wholly.
    /// Entries equal to [`NO_SLOT`] are skipped.
    #[doc(hidden)]
    const POINTER_MAP: Option<&'static [u32]> = None;
    /// A barriered cell may be part of the value. A cell that holds only leaves never records
    /// a store, so a leaf need not say; anything else is assumed to have cells unless it says
    /// otherwise.
    #[doc(hidden)]
    const HAS_CELLS: bool = !Self::IS_LEAF;
    /// A barriered cell may live in memory the value owns outside its own bytes; assumed of
    /// anything but a leaf unless it says otherwise.
    #[doc(hidden)]
    const HAS_OUT_OF_LINE_CELLS: bool = !Self::IS_LEAF;

    /// Hands every managed pointer of `self` to `tracer`.
    fn trace(&mut self, tracer: &mut Tracer<'_>);

    /// Hands every managed pointer of `self` to `tracer` with the name of the field that
    /// holds it, for retainer paths and heap snapshots (see [`crate::named`]). The collector
    /// never calls it. The default hands them on unnamed, through [`Trace::trace`];
    /// `#[derive(Trace)]` names every field.
    ///
    /// ```
    /// use tenured_gc::{Gc, Heap, NamedTracer, Rebrand, Trace, Tracer};
    ///
    /// struct Pair<'gc> {
    ///     left: Gc<'gc, u8>,
    ///     right: Gc<'gc, u8>,
    /// }
    ///
    /// // SAFETY: both pointers go to the tracer, named or not, and nothing else happens.
    /// unsafe impl Trace for Pair<'_> {
    ///     fn trace(&mut self, tracer: &mut Tracer<'_>) {
    ///         tracer.trace(&mut self.left);
    ///         tracer.trace(&mut self.right);
    ///     }
    ///     fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
    ///         tracer.field("left", &mut self.left);
    ///         tracer.field("right", &mut self.right);
    ///     }
    /// }
    /// // SAFETY: only the brand changes.
    /// unsafe impl<'gc> Rebrand<'gc> for Pair<'_> {
    ///     type Branded = Pair<'gc>;
    /// }
    ///
    /// let mut heap = Heap::new();
    /// let (pair, right) = heap.mutate(|m| {
    ///     let right = Gc::new(m, 2);
    ///     let pair = Gc::new(m, Pair { left: Gc::new(m, 1), right });
    ///     (m.root(pair), m.weak_root(right))
    /// });
    /// let path = heap.retainer_path(&right).unwrap();
    /// assert_eq!(path.to_string(), format!("Root #{} -> Pair.right -> u8", pair.index()));
    /// ```
    fn trace_named(&mut self, tracer: &mut NamedTracer<'_>) {
        tracer.unnamed(self)
    }
}

/// A type that never holds a managed pointer: the keys of traced maps and the elements of
/// traced sets must be leaves.
///
/// Why keys: the collector moves objects, so the address of an object changes at every
/// collection. A key hashed or ordered by a `Gc`'s address would sit in the wrong bucket after
/// the first move and never be found again; and since a map hands out no `&mut` to its keys,
/// the collector could not rewrite a pointer inside a key at all. Key a map by a plain value,
/// such as an id or a name kept in the object, and keep the `Gc` in the value.
///
/// `#[derive(Trace)]` implements it for a type whose traced fields are all leaves; tenured-gc
/// implements it for numbers, strings, and the standard containers, tuples and arrays of
/// leaves. A generic key type needs the bound: `struct Index<K: Leaf, V> { map: HashMap<K, V> }`.
///
/// ```
/// use std::collections::HashMap;
/// use tenured_gc::{Gc, Heap, Leaf, Trace};
///
/// #[derive(Trace, PartialEq, Eq, Hash)]
/// struct Key {
///     name: String,
///     version: (u32, u32),
/// }
///
/// #[derive(Trace)]
/// struct Index<'gc> {
///     entries: HashMap<Key, Gc<'gc, str>>,
/// }
///
/// fn is_leaf<T: Leaf>() {}
/// is_leaf::<Key>();
///
/// let mut heap = Heap::new();
/// heap.mutate(|m| {
///     let key = Key { name: "core".into(), version: (1, 0) };
///     let index = Gc::new(m, Index { entries: HashMap::from([(key, Gc::new_str(m, "gc"))]) });
///     assert_eq!(index.entries.len(), 1);
/// });
/// ```
///
/// # Safety
/// No value of the type may hold a managed pointer (`Gc`, `GcWeak`, or a value that holds
/// one), directly or in memory it owns. A generic impl must ensure this with its bounds.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `Leaf`: the keys of a traced map and the elements of a traced set must hold no managed pointer",
    label = "`{Self}` may hold a managed pointer",
    note = "the collector moves objects and rewrites every pointer to them, and a map gives the collector no `&mut` to rewrite a pointer inside a key",
    note = "use `tenured_gc::GcHashMap`, whose keys may be `Gc`s (found by identity through every move), or key by a plain value, such as an id or a name kept in the object (`HashMap<u64, Gc<'gc, T>>`), and keep the `Gc` in the value",
    note = "derived pointer-free types, numbers, strings and tuples, `Option`s, `Box`es and `Vec`s of leaves are `Leaf`; a generic key type needs a `tenured_gc::Leaf` bound"
)]
pub unsafe trait Leaf {
    /// Appends how the key prints itself to `out` and returns `true`, for a type that prints
    /// cheaply (numbers, strings, ...); `false` otherwise. Names map entries in retainer
    /// paths and heap snapshots.
    #[doc(hidden)]
    fn name_key(&self, out: &mut String) -> bool {
        let _ = out;
        false
    }
}

/// A pointer-map entry that names no slot (a field that is a leaf).
#[doc(hidden)]
pub const NO_SLOT: u32 = u32::MAX;

/// Permits `impl Drop` on a type that derives `Trace` with `#[gc(unsafe_allow_drop)]`.
///
/// Without both, `impl Drop` for a derived type does not compile: the destructor runs during a
/// collection, when the objects the value points to may already be freed.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use tenured_gc::{Gc, GcDrop, Heap, Trace};
///
/// #[derive(Trace)]
/// #[gc(unsafe_allow_drop)]
/// struct Handle<'gc> {
///     #[gc(ignore)]
///     closed: Rc<Cell<bool>>,
///     owner: Option<Gc<'gc, str>>,
/// }
///
/// // SAFETY: `drop` touches `closed` only, never `owner`.
/// unsafe impl GcDrop for Handle<'_> {}
///
/// impl Drop for Handle<'_> {
///     fn drop(&mut self) {
///         self.closed.set(true);
///     }
/// }
///
/// let closed = Rc::new(Cell::new(false));
/// let mut heap = Heap::new();
/// heap.mutate(|m| {
///     let owner = Some(Gc::new_str(m, "me"));
///     Gc::new(m, Handle { closed: closed.clone(), owner });
/// });
/// heap.collect_major();
/// assert!(closed.get(), "the dead handle was dropped");
/// ```
///
/// # Safety
/// The type's `Drop::drop` must not read, write or follow any managed pointer (`Gc`,
/// `GcWeak`, a cell holding one) that the value holds: when it runs during a collection, the
/// objects they point to may already be dead, finalized or moved.
pub unsafe trait GcDrop {}

/// Maps a type to the same type under another `'gc` brand.
///
/// `#[derive(Trace)]` implements it; a hand-written `Trace` type writes it too (see
/// [`Trace`]). Generic code that allocates needs `T: Trace + Rebrand<'gc, Branded = T>`,
/// which [`Managed<'gc>`](Managed) says in one bound:
///
/// ```
/// use tenured_gc::{Gc, Heap, Managed, Mutation};
///
/// fn pair<'gc, T: Managed<'gc>>(m: &Mutation<'gc>, a: T, b: T) -> Gc<'gc, [T]> {
///     Gc::from_vec(m, vec![a, b])
/// }
///
/// let mut heap = Heap::new();
/// heap.mutate(|m| assert_eq!(*pair(m, 1, 2), [1, 2]));
/// ```
///
/// # Safety
/// `Branded` must be `Self` with every occurrence of the `'gc` brand lifetime replaced by the
/// trait's lifetime parameter, and nothing else changed, so that both have the same layout
/// and the same meaning. `#[derive(Trace)]` writes this impl.
pub unsafe trait Rebrand<'gc> {
    /// `Self` under the brand `'gc`.
    type Branded: ?Sized + 'gc;
}

/// A value that can live in a managed object under the brand `'gc`: the one bound generic
/// code that allocates needs.
///
/// It is `Trace + Rebrand<'gc, Branded = Self>`, written once, and every type that is both
/// has it: `#[derive(Trace)]` types, numbers, strings, `Gc`s, cells, and the standard
/// containers of them.
///
/// ```
/// use tenured_gc::{Gc, Heap, Managed, Mutation};
///
/// fn boxed_pair<'gc, T: Managed<'gc>>(m: &Mutation<'gc>, a: T, b: T) -> Gc<'gc, (T, T)> {
///     Gc::new(m, (a, b))
/// }
///
/// let mut heap = Heap::new();
/// heap.mutate(|m| {
///     let inner = Gc::new(m, 1_u8);
///     assert_eq!(boxed_pair(m, 1, 2).1, 2);
///     assert_eq!(*boxed_pair(m, inner, inner).0, 1);
/// });
/// ```
pub trait Managed<'gc>: Trace + Rebrand<'gc, Branded = Self> + 'gc {}

impl<'gc, T: Trace + Rebrand<'gc, Branded = T> + 'gc> Managed<'gc> for T {}

/// What a collector phase does with each edge it is handed.
pub(crate) trait EdgeVisitor {
    /// A strong pointer: the slot holds the start of a live object and may be rewritten.
    fn edge(&mut self, slot: &mut NonNull<u8>);
    /// A weak pointer: may be rewritten, or cleared if its target died.
    fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>);

    /// What a weak map ([`GcWeakMap`](crate::GcWeakMap)) does with its entries when this
    /// visitor traces it; asked once per trace of the map. A collector that finds the live
    /// objects answers [`EphemeronPass::Defer`] and notes the map, to come back to it.
    fn ephemeron_pass(&mut self) -> EphemeronPass {
        EphemeronPass::Strong
    }

    /// In [`EphemeronPass::Resolve`]: whether the object at `key` is known to be live.
    fn key_is_live(&self, key: NonNull<u8>) -> bool {
        let _ = key;
        true
    }

    /// A value a weak map dropped (its key had died) panicked in its drop glue.
    fn caught(&mut self, payload: crate::collect::finalize::Payload) {
        crate::collect::finalize::drop_payload(payload)
    }
}

/// How a weak map's entries are traced (an entry is an *ephemeron*: its value is reachable
/// only while its key is reachable from elsewhere).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum EphemeronPass {
    /// Keys as weak edges, values as strong ones, unless the visitor just cleared the key
    /// (its target died): then the entry is removed and its value dropped. Every visitor
    /// but the collectors' tracing ones.
    Strong,
    /// Keys as weak edges and values not at all: the collector is still finding out which
    /// keys live, and has noted the map.
    Defer,
    /// Values of the entries whose keys [`EdgeVisitor::key_is_live`] as strong edges, keys
    /// not at all: the collector's later rounds over the maps it noted.
    Resolve,
}

/// The collector's side of tracing: receives the managed pointers a value holds.
///
/// Only the collector creates a `Tracer`; `Trace` impls pass it on to their fields with
/// [`Tracer::trace`].
///
/// ```
/// use tenured_gc::{Gc, Heap, Rebrand, Trace, Tracer};
///
/// /// Holds its pointers in a `Vec`, whose `Trace` impl the tracer reaches through `trace`.
/// struct Bag<'gc> {
///     items: Vec<Gc<'gc, u32>>,
/// }
///
/// // SAFETY: `trace` hands the only managed pointers, the items, to the tracer.
/// unsafe impl Trace for Bag<'_> {
///     fn trace(&mut self, tracer: &mut Tracer<'_>) {
///         tracer.trace(&mut self.items)
///     }
/// }
///
/// // SAFETY: only the brand changes.
/// unsafe impl<'gc> Rebrand<'gc> for Bag<'_> {
///     type Branded = Bag<'gc>;
/// }
///
/// let mut heap = Heap::new();
/// let bag = heap.mutate(|m| {
///     let items = (0..10).map(|i| Gc::new(m, i)).collect();
///     m.root(Gc::new(m, Bag { items }))
/// });
/// heap.collect_minor();
/// heap.collect_major();
/// heap.mutate(|m| assert_eq!(bag.get(m).items.iter().map(|i| **i).sum::<u32>(), 45));
/// ```
pub struct Tracer<'a> {
    pub(crate) visitor: &'a mut dyn EdgeVisitor,
}

impl Tracer<'_> {
    /// Traces one field. Derived code calls this for every traced field.
    #[inline]
    pub fn trace<T: Trace + ?Sized>(&mut self, value: &mut T) {
        if !T::IS_LEAF {
            value.trace(self)
        }
    }

    /// Hands a strong edge to the collector, which may rewrite it.
    #[inline]
    pub(crate) fn edge(&mut self, slot: &mut NonNull<u8>) {
        self.visitor.edge(slot)
    }

    /// Hands a weak edge to the collector, which may rewrite or clear it.
    #[inline]
    pub(crate) fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>) {
        self.visitor.weak_edge(slot)
    }
}

// Named tracing (`named.rs` walks the heap with it; the collector never does).

/// Receives the named edges of an object: what a walk of retainer paths or a snapshot does
/// with each.
pub(crate) trait NamedVisitor {
    /// A strong pointer to the object at `target`, at the field `name` (`None`: unnamed).
    fn edge(&mut self, name: Option<&Step<'_>>, target: NonNull<u8>);
    /// A weak pointer that is not cleared.
    fn weak_edge(&mut self, name: Option<&Step<'_>>, target: NonNull<u8>);
}

/// The tracer of named walks: hands each managed pointer on with the name of the field that
/// holds it. Only tenured-gc creates one; `trace_named` impls pass it on to their fields
/// with [`field`](NamedTracer::field), [`index`](NamedTracer::index) and the like.
pub struct NamedTracer<'a> {
    visitor: &'a mut dyn NamedVisitor,
    /// Where in the object the tracer is: the innermost step of the name.
    at: Option<&'a Step<'a>>,
}

/// One part of an edge's name, linked to the part before it.
pub(crate) struct Step<'a> {
    pub(crate) part: Part<'a>,
    pub(crate) outer: Option<&'a Step<'a>>,
}

#[derive(Clone, Copy)]
pub(crate) enum Part<'a> {
    Field(&'static str),
    VariantField(&'static str, &'static str),
    Index(usize),
    Entry(usize, &'a dyn Leaf),
}

impl<'a> NamedTracer<'a> {
    pub(crate) fn new(visitor: &'a mut dyn NamedVisitor) -> Self {
        NamedTracer { visitor, at: None }
    }

    fn descend<T: Trace + ?Sized>(&mut self, part: Part<'_>, value: &mut T) {
        if T::IS_LEAF {
            return;
        }
        let step = Step {
            part,
            outer: self.at,
        };
        value.trace_named(&mut NamedTracer {
            visitor: &mut *self.visitor,
            at: Some(&step),
        })
    }

    /// Traces the field `name` of a struct (`"0"` for a tuple struct's first).
    #[inline]
    pub fn field<T: Trace + ?Sized>(&mut self, name: &'static str, value: &mut T) {
        self.descend(Part::Field(name), value)
    }

    /// Traces the field `name` of the enum variant `variant`.
    #[inline]
    pub fn variant_field<T: Trace + ?Sized>(
        &mut self,
        variant: &'static str,
        name: &'static str,
        value: &mut T,
    ) {
        self.descend(Part::VariantField(variant, name), value)
    }

    /// Traces the element at `index` of a sequence.
    #[inline]
    pub fn index<T: Trace + ?Sized>(&mut self, index: usize, value: &mut T) {
        self.descend(Part::Index(index), value)
    }

    /// Traces the value of the `index`th entry of a map, whose key is `key`: named `{key}`
    /// when the key's type prints itself cheaply (numbers, strings, ...), `[entry index]`
    /// otherwise.
    #[inline]
    pub fn entry<K: Leaf, T: Trace + ?Sized>(&mut self, index: usize, key: &K, value: &mut T) {
        self.descend(Part::Entry(index, key), value)
    }

    /// Traces `value` under the name the tracer is at: for a wrapper that adds no name of
    /// its own (`Option`, `Box`, a cell).
    #[inline]
    pub fn trace<T: Trace + ?Sized>(&mut self, value: &mut T) {
        if !T::IS_LEAF {
            value.trace_named(self)
        }
    }

    /// Traces `value` with [`Trace::trace`]: its edges get the name the tracer is at, or
    /// none. What `trace_named` does unless a type overrides it.
    pub fn unnamed<T: Trace + ?Sized>(&mut self, value: &mut T) {
        if !T::IS_LEAF {
            value.trace(&mut Tracer {
                visitor: &mut Unnamed(self),
            })
        }
    }
}

/// Turns the edges of `trace` into named edges at the tracer's current name.
struct Unnamed<'t, 'a>(&'t mut NamedTracer<'a>);

impl EdgeVisitor for Unnamed<'_, '_> {
    fn edge(&mut self, slot: &mut NonNull<u8>) {
        self.0.visitor.edge(self.0.at, *slot)
    }

    fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>) {
        if let Some(target) = *slot {
            self.0.visitor.weak_edge(self.0.at, target)
        }
    }
}
