//! `#[derive(Trace)]` for gc-core.
//!
//! The derive is a pipeline, one module per stage:
//! - `ast` reads the `syn` input into a typed tree that keeps the original nodes for spans;
//! - `attr` parses the `#[gc(...)]` attributes while that tree is built;
//! - `validate` rejects the shapes the collector cannot handle;
//! - `expand` writes the `Trace` impl, the `Rebrand` impl and the guard against `Drop`.
//!
//! Every stage adds its errors to one collector, and nothing is generated unless all stages
//! pass, so a user sees every mistake of a type at once and no follow-on errors.

mod ast;
mod attr;
mod expand;
mod validate;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `gc_core::Trace` and `gc_core::Rebrand` for a struct or an enum.
///
/// ```ignore
/// use gc_core::{Gc, Trace};
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
/// - a blanket impl that conflicts with `impl Drop for Ty`, so such an impl fails to compile:
///   a destructor that ran during collection could read managed objects that are gone.
///
/// # Attributes
/// - `#[gc(ignore)]` on a field: the field is not traced. Its type must be `'static`, so it
///   cannot hold a managed pointer.
/// - `#[gc(bound = "T: Trace, U: Trace")]` on the type: these where-predicates replace the
///   inferred `Trace` bounds; `bound = ""` means none. Names in the string resolve where the type
///   is defined, so `Trace` must be imported there.
/// - `#[gc(unsafe_allow_drop)]` on the type: lifts the ban on `impl Drop`, and requires an
///   `unsafe impl gc_core::GcDrop for Ty {}`, whose safety contract is that `drop` never touches
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
