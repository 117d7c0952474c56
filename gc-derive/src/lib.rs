//! `#[derive(Trace)]` for tenured-gc.
//!
//! The derive is a pipeline, one module per stage:
//! - `ast` reads the `syn` input into a typed tree that keeps the original nodes for spans;
//! - `attr` parses the `#[gc(...)]` attributes while that tree is built;
//! - `validate` rejects the shapes the collector cannot handle;
//! - `expand` writes the `Trace` impl, the `Leaf` impl, the `Rebrand` impl and the guard
//!   against `Drop`, with the layout facts from `recursion`, which makes them exact even for a
//!   type that holds itself, and `named` its `trace_named` method, which names each field.
//!
//! Every stage adds its errors to one collector (`errors`), and nothing is generated unless all
//! stages pass, so a user sees every mistake of a type at once and no follow-on errors.

mod ast;
mod attr;
mod errors;
mod expand;
mod named;
mod recursion;
mod validate;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `tenured_gc::Trace`, `tenured_gc::Rebrand` and, where it holds, `tenured_gc::Leaf` for a
/// struct or an enum.
///
/// ```ignore
/// use tenured_gc::{Gc, Trace};
///
/// #[derive(Trace)]
/// struct Node<'gc, T> {
///     value: T,
///     next: Option<Gc<'gc, Node<'gc, T>>>,
///     #[gc(ignore)]
///     hits: u64,
/// }
/// ```
///
/// # What it generates
/// - `unsafe impl Trace`: `trace` traces every field, and the layout constants (`IS_LEAF`,
///   `HAS_CELLS`, `HAS_OUT_OF_LINE_CELLS` and, for structs, `POINTER_MAP`) are folded from the
///   fields' own constants. Each type parameter used by a traced field gets a `Trace` bound.
/// - `unsafe impl<'__gc> Rebrand<'__gc>`: the brand lifetime (the one named `'gc`, or the only
///   lifetime) becomes `'__gc` and every type parameter `T` becomes its own
///   `<T as Rebrand<'__gc>>::Branded`. Any other lifetime must outlive `'__gc`.
/// - `unsafe impl Leaf`, bounded by every traced field's type being a `Leaf`, so a pointer-free
///   type can key a traced map or be the element of a traced set. A type parameter used as a
///   key needs its own bound: `struct Index<K: Leaf + Eq + Hash, V> { map: HashMap<K, V> }`.
/// - an impl of a guard trait that conflicts with the library's impl of it for every `T: Drop`,
///   so `impl Drop for Ty` fails to compile: a destructor that ran during collection could
///   read managed objects that are gone. The error is "conflicting implementations of trait
///   `a_type_that_derives_Trace_must_not_implement_Drop_because_drop_runs_during_a_collection_...`",
///   whose name ends with the escape hatch, `#[gc(unsafe_allow_drop)]` (below).
///
/// # Recursive types
/// A type that holds itself needs nothing more: `struct Tree { children: Vec<Tree> }`,
/// `enum Expr<'gc> { Add(Box<Self>, Box<Self>), Var(Gc<'gc, str>) }` and `Rose<T>` inside
/// `Rose<T>` get exact layout facts (`Tree` above is a leaf). A mention of the type with other
/// generic arguments, such as `Pair<B, A>` inside `Pair<A, B>`, gets the conservative facts
/// that `#[gc(recursive)]` gives (below).
///
/// Two types that hold each other cannot be told apart from any other field: deriving for both
/// fails with E0391, "cycle detected when simplifying constant for the type system
/// `<impl ...>::HAS_CELLS`" (or `IS_LEAF`, ...), or, for types without type parameters, with
/// E0275, "overflow evaluating the requirement `Vec<Entry>: Leaf`". Put `#[gc(recursive)]` on
/// the field of one of them that leads to the other:
///
/// ```ignore
/// #[derive(Trace)]
/// struct Dir<'gc> {
///     name: Gc<'gc, str>,
///     #[gc(recursive)]
///     entries: Vec<Entry<'gc>>,
/// }
///
/// #[derive(Trace)]
/// enum Entry<'gc> {
///     File(Gc<'gc, str>),
///     Dir(Box<Dir<'gc>>),
/// }
/// ```
///
/// The same holds for a type that mentions itself through a type alias or a path with several
/// segments (`crate::Tree`), which the derive does not recognise as itself.
///
/// # Attributes
/// - `#[gc(ignore)]` on a field: the field is not traced. Its type must be `'static`, so it
///   cannot hold a managed pointer.
/// - `#[gc(recursive)]` on a field: its type leads back to this one. The field's layout facts
///   are not evaluated but assumed the worst (it may hold pointers, and cells in and out of
///   line), which is sound but makes the collector scan the type, and the type is no `Leaf`.
/// - `#[gc(bound = "T: Trace, U: Trace")]` on the type: these where-predicates replace the
///   inferred `Trace` bounds; `bound = ""` means none. Names in the string resolve where the type
///   is defined, so `Trace` must be imported there.
/// - `#[gc(unsafe_allow_drop)]` on the type: lifts the ban on `impl Drop`, and requires an
///   `unsafe impl tenured_gc::GcDrop for Ty {}`, whose safety contract is that `drop` never touches
///   a managed pointer (`Gc`, `GcWeak`, ...) held by the value: when it runs, the objects they
///   point to may already be dead.
///
/// Unions and `#[repr(packed)]` types are rejected: the collector rewrites pointer slots in place
/// and needs them aligned and known.
#[proc_macro_derive(Trace, attributes(gc))]
pub fn derive_trace(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
