//! What `#[derive(Trace)]` expands to, and nothing a user writes by hand.
//!
//! # Checks
//! Two functions that compile only when a rule of the derive holds: an ignored field is
//! `'static`, and a type that may implement `Drop` vouches for it with `GcDrop`; and the trait
//! whose impls conflict when a derived type implements `Drop` without that vouching.
//!
//! # Named fields
//! [`NamedField`] hands each field to a derived `trace_named` without a second error for a
//! field whose type is not `Trace` (autoref specialization: see its documentation).
//!
//! # Facts of recursive types
//! The layout facts of `struct Tree { children: Vec<Tree> }` depend on themselves:
//! `Tree::IS_LEAF` is `Vec<Tree>::IS_LEAF`, which is `Tree::IS_LEAF`, a cycle the compiler
//! rejects. The derive computes them in rounds instead. [`Facts1`] holds the facts of the fields
//! that do not mention the type; round `N + 1` evaluates the recursive fields with each mention
//! of the type replaced by the stand-in [`Level1`], [`Level2`] or [`Level3`], whose facts are
//! those of round `N`; the `Trace` impl is the fourth round. `tenured-gc-derive`'s `expand` module says
//! why four rounds give the exact facts.

use core::marker::PhantomData;

use crate::trace::NamedTracer;
use crate::trace::{Leaf, Trace, Tracer};

/// Fails to compile unless the type of a `#[gc(ignore)]` field is `'static`, so it cannot
/// hold a `Gc<'gc, _>`.
pub fn assert_ignored_field_is_static<T: ?Sized + 'static>() {}

/// Fails to compile unless a type that derives `Trace` with `unsafe_allow_drop` also has
/// an `unsafe impl GcDrop`.
pub fn assert_drop_is_vouched_for<T: ?Sized + crate::GcDrop>() {}

/// The guard against `impl Drop` on a type that derives `Trace`.
///
/// Every type that implements `Drop` implements it here, and the derive implements it for the
/// derived type too: the two impls conflict exactly when the derived type implements `Drop`
/// (pin-project's trick). A conflict is reported as "conflicting implementations of trait
/// `...`" with no room for a note, so the name of the trait is the message.
#[allow(non_camel_case_types)]
pub trait a_type_that_derives_Trace_must_not_implement_Drop_because_drop_runs_during_a_collection_when_the_objects_it_points_to_may_already_be_freed__opt_in_with_gc_unsafe_allow_drop_and_an_unsafe_impl_GcDrop
{
}

#[allow(drop_bounds)]
impl<T: Drop + ?Sized>
    a_type_that_derives_Trace_must_not_implement_Drop_because_drop_runs_during_a_collection_when_the_objects_it_points_to_may_already_be_freed__opt_in_with_gc_unsafe_allow_drop_and_an_unsafe_impl_GcDrop
    for T
{
}

macro_rules! rounds {
    ($($facts:ident $level:ident $round:literal;)*) => {$(
        #[doc = concat!("The layout facts of a recursive type after round ", $round, ".")]
        pub trait $facts {
            /// See [`Trace::IS_LEAF`].
            const IS_LEAF: bool;
            /// See [`Trace::HAS_CELLS`].
            const HAS_CELLS: bool;
            /// See [`Trace::HAS_OUT_OF_LINE_CELLS`].
            const HAS_OUT_OF_LINE_CELLS: bool;
        }

        #[doc = concat!(
            "Stands in for the recursive type `S` with the facts of round ", $round, ". ",
            "It only appears in the types whose constants the derive evaluates; no value of ",
            "it is ever made."
        )]
        pub struct $level<S: ?Sized>(PhantomData<*const S>);

        // SAFETY: the stand-in holds nothing, so no value of it holds a managed pointer or a
        // cell, whatever facts it reports: every fact is true of it or errs on the safe side,
        // and `trace` has nothing to hand to the tracer. It is not a pointer slot.
        unsafe impl<S: ?Sized + $facts> Trace for $level<S> {
            const IS_LEAF: bool = S::IS_LEAF;
            const HAS_CELLS: bool = S::HAS_CELLS;
            const HAS_OUT_OF_LINE_CELLS: bool = S::HAS_OUT_OF_LINE_CELLS;

            #[inline(always)]
            fn trace(&mut self, _: &mut Tracer<'_>) {}
        }

        // SAFETY: the stand-in holds nothing. In the bounds of a derived `Leaf` impl it
        // assumes the type it stands for is a leaf, which holds by induction over the depth of
        // a value: the mentions of the type are the value's smaller parts.
        unsafe impl<S: ?Sized> Leaf for $level<S> {}

        // SAFETY: the stand-in holds nothing. In the bounds of a derived `HeapSend` impl it
        // assumes the type it stands for is `HeapSend`, by the same induction as for `Leaf`.
        unsafe impl<S: ?Sized> crate::HeapSend for $level<S> {}

        // SAFETY: as for `HeapSend`.
        unsafe impl<S: ?Sized> crate::HeapSync for $level<S> {}
    )*};
}

rounds! {
    Facts1 Level1 1;
    Facts2 Level2 2;
    Facts3 Level3 3;
}

/// A field that the derived `trace_named` hands on. When the field's type is `Trace` (always,
/// once the derived `trace` compiles) method resolution picks [`TraceNamedField`], which
/// traces it by name; otherwise it falls back to [`SkipNamedField`], which does nothing, so a
/// field whose type is not `Trace` is reported once, by `trace`, and not a second time here.
pub struct NamedField<'v, T: ?Sized>(pub &'v mut T);

/// Traces a named field of a `Trace` type.
pub trait TraceNamedField {
    /// Hands the field to `tracer` as `name` (of `variant`, for an enum).
    fn trace_named_field(
        self,
        tracer: &mut NamedTracer<'_>,
        variant: Option<&'static str>,
        name: &'static str,
    );
}

impl<T: Trace + ?Sized> TraceNamedField for NamedField<'_, T> {
    #[inline]
    fn trace_named_field(
        self,
        tracer: &mut NamedTracer<'_>,
        variant: Option<&'static str>,
        name: &'static str,
    ) {
        match variant {
            Some(variant) => tracer.variant_field(variant, name, self.0),
            None => tracer.field(name, self.0),
        }
    }
}

/// The fallback for a field whose type is not `Trace`: only in code that does not compile.
pub trait SkipNamedField {
    /// Does nothing.
    fn trace_named_field(self, _: &mut NamedTracer<'_>, _: Option<&'static str>, _: &'static str);
}

impl<T: ?Sized> SkipNamedField for &NamedField<'_, T> {
    fn trace_named_field(self, _: &mut NamedTracer<'_>, _: Option<&'static str>, _: &'static str) {}
}
