//! The layout facts of a type, exact even when the type holds itself.
//!
//! The facts are the constants `IS_LEAF`, `HAS_CELLS` and `HAS_OUT_OF_LINE_CELLS`, folded over
//! the traced fields: the type is a leaf if every traced field is, and has cells if any has.
//! A type that does not hold itself gets them in one round, the `Trace` impl.
//!
//! # The fixpoint
//! The facts of `struct Tree { children: Vec<Tree>, label: String }` depend on themselves, and
//! the compiler rejects a constant that does. They are monotone booleans (more pointers or
//! cells in a part never mean fewer in the whole), so the true facts are the least fixpoint of
//! `facts = own ∨ W(facts)`, where `own` folds the fields that do not mention the type and `W`
//! the ones that do. Kleene iteration from `own` climbs to that fixpoint and, since three
//! booleans can only rise three times, reaches it by the fourth iterate. The derive writes the
//! iterates as impls: `Facts1` is `own`; `Facts2`, `Facts3` and finally `Trace` fold `own` with
//! the recursive fields, every mention of the type replaced by `Level1`, `Level2` and `Level3`,
//! stand-ins whose facts are those of the previous iterate. So `Trace` holds the exact facts,
//! and no constant depends on itself. A type without recursive fields gets only `Trace`.
//!
//! # Conservative facts
//! A mention with other generic arguments (`Pair<B, A>` in `Pair<A, B>`) ties the facts of
//! several types together, which three rounds may not settle; a type that comes back through
//! another one (`#[gc(recursive)]`) cannot be seen at all. Such fields get the worst facts
//! (not a leaf, cells in and out of line), which are sound and cost only speed.
//!
//! # Leaf
//! The `Leaf` bound of a recursive field assumes each mention of the type a leaf (`Level1`):
//! true by induction over the depth of a value. A field whose facts are assumed cannot be
//! looked into at all, so it makes the type no `Leaf`. `HeapSend` assumes the same of the
//! mentions, by the same induction, and likewise makes no impl for such a type.

use proc_macro2::{Ident, TokenStream};
use quote::{quote, quote_spanned};
use syn::{parse_quote, Generics, Type};

use crate::ast::{self, Container, Field};

/// One iterate of the facts of a recursive type (see the module doc).
#[derive(Clone, Copy)]
pub enum Round {
    Facts1,
    Facts2,
    Facts3,
    Trace,
}

impl Round {
    /// The trait whose constants hold this iterate.
    fn trait_path(self) -> TokenStream {
        match self {
            Round::Facts1 => quote!(::tenured_gc::__private::Facts1),
            Round::Facts2 => quote!(::tenured_gc::__private::Facts2),
            Round::Facts3 => quote!(::tenured_gc::__private::Facts3),
            Round::Trace => quote!(::tenured_gc::Trace),
        }
    }

    /// What stands in for the type in its recursive fields: the previous iterate. `None` in
    /// the first, which leaves those fields out.
    fn stand_in(self) -> Option<TokenStream> {
        match self {
            Round::Facts1 => None,
            Round::Facts2 => Some(quote!(::tenured_gc::__private::Level1)),
            Round::Facts3 => Some(quote!(::tenured_gc::__private::Level2)),
            Round::Trace => Some(quote!(::tenured_gc::__private::Level3)),
        }
    }
}

/// The impls of the iterates before `Trace`, under the bounds of `generics`; `None` for a type
/// without recursive fields, whose facts need no earlier round.
pub fn earlier_rounds(cont: &Container, generics: &Generics) -> Option<TokenStream> {
    if !cont.fields().iter().any(|f| f.is_direct()) {
        return None;
    }
    let ident = cont.ident();
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let rounds = [Round::Facts1, Round::Facts2, Round::Facts3].map(|round| {
        let facts = facts(cont, round);
        let facts_trait = round.trait_path();
        quote! {
            #[automatically_derived]
            impl #impl_generics #facts_trait for #ident #ty_generics #where_clause {
                #facts
            }
        }
    });
    Some(quote!(#(#rounds)*))
}

/// The constants `IS_LEAF`, `HAS_CELLS` and `HAS_OUT_OF_LINE_CELLS` of `round`, folded over
/// the traced fields.
pub fn facts(cont: &Container, round: Round) -> TokenStream {
    let fields = cont.fields();
    let traced: Vec<&Field> = fields.iter().copied().filter(|f| f.is_traced()).collect();
    let fold = |name| -> Vec<TokenStream> {
        let facts = traced.iter().map(|f| field_const(cont, f, name, round));
        facts.flatten().collect()
    };
    let (is_leaf, has_cells) = (fold("IS_LEAF"), fold("HAS_CELLS"));
    let out_of_line = fold("HAS_OUT_OF_LINE_CELLS");
    quote! {
        const IS_LEAF: bool = true #(&& #is_leaf)*;
        const HAS_CELLS: bool = false #(|| #has_cells)*;
        const HAS_OUT_OF_LINE_CELLS: bool = false #(|| #out_of_line)*;
    }
}

/// `<F as Trace>::NAME` for the type `F` of `field` as `round` evaluates it, spanned at that
/// type: with the stand-in in place of each mention of the container in a recursive field,
/// and the worst value for a field whose facts are assumed. `None` for a recursive field in
/// the first round.
pub fn field_const(
    cont: &Container,
    field: &Field,
    name: &str,
    round: Round,
) -> Option<TokenStream> {
    let span = field.span();
    if field.is_assumed() {
        let worst = !matches!(name, "IS_LEAF" | "POINTER_SLOT");
        return Some(quote_spanned!(span=> #worst));
    }
    let mut ty = field.ty().clone();
    if field.is_direct() {
        let stand_in = round.stand_in()?;
        ast::mentions(&mut ty, cont.ident(), |mention, _| {
            *mention = parse_quote!(#stand_in<#mention>)
        });
    }
    let name = Ident::new(name, span);
    Some(quote_spanned!(span=> <#ty as ::tenured_gc::Trace>::#name))
}

/// The type of `field` as the `Leaf` and `HeapSend` bounds of the container state it: each
/// mention of the container is assumed a leaf, and `HeapSend` (see the module doc).
pub fn stand_in_type(cont: &Container, field: &Field) -> Type {
    let mut ty = field.ty().clone();
    if field.is_direct() {
        ast::mentions(&mut ty, cont.ident(), |mention, _| {
            *mention = parse_quote!(::tenured_gc::__private::Level1<#mention>)
        });
    }
    ty
}

#[cfg(test)]
mod tests {
    use syn::parse_quote;

    use crate::expand::derive;

    fn expand(input: syn::DeriveInput) -> String {
        derive(&input).unwrap().to_string().replace(' ', "")
    }

    #[test]
    fn only_recursive_types_get_earlier_rounds() {
        let plain = expand(parse_quote! { struct List<'gc> { next: Option<Gc<'gc, List<'gc>>> } });
        assert!(!plain.contains("Facts1"), "{plain}");
        let tree = expand(parse_quote! { struct Tree<T> { kids: Vec<Tree<T>>, v: T } });
        for round in ["Facts1forTree<T>", "Facts2forTree<T>", "Facts3forTree<T>"] {
            assert!(tree.contains(round), "{round} missing from {tree}");
        }
        assert!(tree.contains(
            "<Vec<::tenured_gc::__private::Level3<Tree<T>>>as::tenured_gc::Trace>::IS_LEAF"
        ));
        assert!(tree.contains("::tenured_gc::Leaffor"), "{tree}");
    }

    #[test]
    fn swapped_arguments_and_the_attribute_assume_the_worst() {
        for input in [
            parse_quote! { struct Pair<A, B> { a: A, next: Option<Box<Pair<B, A>>> } },
            parse_quote! { struct Dir { #[gc(recursive)] entries: Vec<Entry> } },
        ] {
            let out = expand(input);
            assert!(!out.contains("Facts1"), "{out}");
            assert!(out.contains("&&false;constHAS_CELLS"), "{out}");
            assert!(!out.contains("::tenured_gc::Leaffor"), "{out}");
        }
    }
}
