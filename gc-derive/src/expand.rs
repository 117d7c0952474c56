//! Writes the generated code.
//!
//! # Trace
//! `trace` hands every traced field to the tracer. The layout constants come from
//! [`recursion`], with the impls of the earlier rounds for a type that holds itself. A struct
//! also gets a `POINTER_MAP` when each traced field is a leaf or a single pointer slot. Each use
//! of a field's type is spanned at that type, so an unsatisfied `Trace` bound is reported at the
//! field.
//!
//! # Leaf
//! The type is a `Leaf` when every traced field's type is, with each mention of the type
//! assumed a leaf (see [`recursion`]).
//!
//! # HeapSend and HeapSync
//! The type may move to another thread with its heap (`SendHeap`) when every traced field's
//! type is `HeapSend`, with each mention of the type assumed so (by induction over the depth of
//! a value, as for `Leaf`), and every ignored field's type is `Send`; it may be read from every
//! thread in a frozen graph when every traced field's type is `HeapSync` and every ignored
//! field's type is `Send + Sync`.
//!
//! # Bounds
//! Each type parameter that appears in a traced field's type gets `T: Trace`, unless
//! `#[gc(bound = "...")]` gives the bounds instead.
//!
//! # Rebrand
//! `Branded` is the type with the brand lifetime replaced by `'__gc` and each type parameter
//! `T` by `<T as Rebrand<'__gc>>::Branded`. The parameters' bounds and the where clause are
//! restated under that substitution so the `Branded` type is well-formed.
//!
//! # Drop guard
//! The library's blanket impl of a guard trait for every `T: Drop` conflicts with the impl for
//! the derived type, so an `impl Drop` for it is a compile error (pin-project's trick). The
//! error can carry no note, so the trait's name says why and names the escape hatch.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::visit::{self, Visit};
use syn::visit_mut::{self, VisitMut};
use syn::{
    parse_quote, DeriveInput, GenericParam, Generics, Lifetime, LifetimeParam, Path,
    TraitBoundModifier, Type, TypeParamBound, TypePath, WherePredicate,
};

use crate::ast::{Container, Data, Field};
use crate::errors::Errors;
use crate::recursion::{self, Round};
use crate::validate;

/// Runs the whole pipeline on one input.
pub fn derive(input: &DeriveInput) -> syn::Result<TokenStream> {
    let mut errors = Errors::default();
    let cont = Container::from_ast(input, &mut errors);
    validate::check(&cont, &mut errors);
    errors.finish()?;
    let trace = trace_impl(&cont);
    let leaf = leaf_impl(&cont);
    let heap_send = heap_send_impl(&cont);
    let heap_sync = heap_sync_impl(&cont);
    let rebrand = rebrand_impl(&cont);
    let guard = (!cont.attrs.unsafe_allow_drop).then(|| drop_guard(&cont));
    Ok(quote!(#trace #leaf #heap_send #heap_sync #rebrand #guard))
}

fn trace_impl(cont: &Container) -> TokenStream {
    let ident = cont.ident();
    let mut generics = cont.generics().clone();
    generics
        .make_where_clause()
        .predicates
        .extend(trace_bounds(cont));
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();

    let fields = cont.fields();
    let trace_facts = recursion::facts(cont, Round::Trace);
    // `offset_of!` needs a sized `Self`, which a `?Sized` parameter may prevent.
    let sized = !generics
        .type_params()
        .any(|p| is_unsized(&generics, &p.ident));
    let pointer_map = match &cont.data {
        Data::Struct(fields) if sized && !fields.is_empty() => Some(pointer_map(cont, fields)),
        _ => None,
    };
    let ignored = fields.iter().filter(|f| !f.is_traced()).map(|f| {
        let ty = f.ty();
        quote_spanned!(f.span()=> ::tenured_gc::__private::assert_ignored_field_is_static::<#ty>();)
    });
    let body = trace_body(cont);
    let trace_named = crate::named::trace_named_fn(cont);
    // With `Drop` allowed, the user must vouch for it with an `unsafe impl GcDrop`.
    let vouched = cont
        .attrs
        .unsafe_allow_drop
        .then(|| quote!(::tenured_gc::__private::assert_drop_is_vouched_for::<Self>();));
    let earlier_rounds = recursion::earlier_rounds(cont, &generics);
    quote! {
        #earlier_rounds

        #[automatically_derived]
        #[doc = " SAFETY: `trace` hands every traced field to the tracer and does nothing else; a field"]
        #[doc = " left out is `#[gc(ignore)]` and checked `'static` below. The layout constants fold"]
        #[doc = " the fields' own, so they are as true as theirs (`Trace`'s rules 4 to 7)."]
        unsafe impl #impl_generics ::tenured_gc::Trace for #ident #ty_generics #where_clause {
            #trace_facts
            #pointer_map

            #[inline]
            fn trace(&mut self, tracer: &mut ::tenured_gc::Tracer<'_>) {
                #(#ignored)*
                #vouched
                #body
            }

            #trace_named
        }
    }
}

/// Each field's offset if it is a pointer slot, `NO_SLOT` if it is a leaf; `None` if some
/// field is neither and the collector must call `trace`.
fn pointer_map(cont: &Container, fields: &[Field]) -> TokenStream {
    let fact = |f, name| recursion::field_const(cont, f, name, Round::Trace);
    let plain = fields.iter().filter(|f| f.is_traced()).map(|f| {
        let (leaf, slot) = (fact(f, "IS_LEAF"), fact(f, "POINTER_SLOT"));
        quote!((#leaf || #slot))
    });
    let entries = fields.iter().map(|f| {
        if !f.is_traced() {
            return quote!(::tenured_gc::NO_SLOT);
        }
        let slot = fact(f, "POINTER_SLOT");
        let member = &f.member;
        quote_spanned! {f.span()=>
            if #slot { ::core::mem::offset_of!(Self, #member) as u32 } else { ::tenured_gc::NO_SLOT }
        }
    });
    // `Some { 0: &[..] }` and not `Some(&[..])`: before Rust 1.89 only the braced form extends
    // the array's lifetime to `'static`.
    quote! {
        const POINTER_MAP: ::core::option::Option<&'static [u32]> = if true #(&& #plain)* {
            ::core::option::Option::Some { 0: &[#(#entries),*] }
        } else {
            ::core::option::Option::None
        };
    }
}

fn trace_body(cont: &Container) -> TokenStream {
    let variants = match &cont.data {
        Data::Struct(fields) => {
            let calls = fields.iter().filter(|f| f.is_traced()).map(|f| {
                let member = &f.member;
                quote_spanned!(f.span()=> tracer.trace(&mut self.#member);)
            });
            return quote!(#(#calls)*);
        }
        Data::Enum(variants) if variants.is_empty() => return quote!(match *self {}),
        Data::Enum(variants) => variants,
        // Rejected by `validate`.
        Data::Union(_) => return TokenStream::new(),
    };
    let arms = variants.iter().map(|variant| {
        let ident = &variant.original.ident;
        let traced = variant.fields.iter().filter(|f| f.is_traced());
        let (patterns, calls): (Vec<_>, Vec<_>) = traced
            .enumerate()
            .map(|(i, f)| {
                let member = &f.member;
                let binding = Ident::new(&format!("__binding_{i}"), f.span());
                let call = quote_spanned!(f.span()=> tracer.trace(#binding););
                (quote!(#member: #binding), call)
            })
            .unzip();
        quote!(Self::#ident { #(#patterns,)* .. } => { #(#calls)* })
    });
    quote!(match self { #(#arms)* })
}

/// The inferred `T: Trace` bounds, or those of `#[gc(bound = "...")]`.
fn trace_bounds(cont: &Container) -> Vec<WherePredicate> {
    if let Some(bound) = &cont.attrs.bound {
        return bound.iter().cloned().collect();
    }
    let params: Vec<&Ident> = cont.generics().type_params().map(|p| &p.ident).collect();
    let mut uses = ParamUses {
        params: &params,
        used: vec![false; params.len()],
    };
    for field in cont.fields().into_iter().filter(|f| f.is_traced()) {
        uses.visit_type(field.ty());
    }
    params
        .iter()
        .zip(uses.used)
        .filter(|(_, used)| *used)
        .map(|(param, _)| parse_quote!(#param: ::tenured_gc::Trace))
        .collect()
}

/// Marks the type parameters a type mentions, as `T` or as the head of `T::Assoc`.
struct ParamUses<'a> {
    params: &'a [&'a Ident],
    used: Vec<bool>,
}

impl<'ast> Visit<'ast> for ParamUses<'_> {
    fn visit_path(&mut self, path: &'ast Path) {
        if let (None, Some(first)) = (&path.leading_colon, path.segments.first()) {
            if let Some(i) = self.params.iter().position(|p| **p == first.ident) {
                self.used[i] = true;
            }
        }
        visit::visit_path(self, path);
    }
}

/// `unsafe impl Leaf` bounded by every traced field's type being a leaf; ignored fields are
/// `'static`, so they hold no managed pointer.
fn leaf_impl(cont: &Container) -> Option<TokenStream> {
    field_bound_impl(
        cont,
        quote!(::tenured_gc::Leaf),
        None,
        quote! {
            #[doc = " SAFETY: bounded by every traced field's type being a `Leaf`, and ignored fields are"]
            #[doc = " `'static`, so no value of this type holds a managed pointer."]
        },
    )
}

/// `unsafe impl HeapSend` bounded by every traced field's type being `HeapSend` and every
/// ignored field's type being `Send`.
fn heap_send_impl(cont: &Container) -> Option<TokenStream> {
    field_bound_impl(
        cont,
        quote!(::tenured_gc::HeapSend),
        Some(quote!(::core::marker::Send)),
        quote! {
            #[doc = " SAFETY: bounded by every traced field's type being `HeapSend` and every ignored"]
            #[doc = " field's being `Send`."]
        },
    )
}

/// `unsafe impl HeapSync` bounded by every traced field's type being `HeapSync` and every
/// ignored field's type being `Send + Sync`.
fn heap_sync_impl(cont: &Container) -> Option<TokenStream> {
    field_bound_impl(
        cont,
        quote!(::tenured_gc::HeapSync),
        Some(quote!(::core::marker::Send + ::core::marker::Sync)),
        quote! {
            #[doc = " SAFETY: bounded by every traced field's type being `HeapSync` and every ignored"]
            #[doc = " field's being `Send + Sync`."]
        },
    )
}

/// `unsafe impl #trait_path` for the type, bounded by every traced field's type (each mention of
/// the type replaced by a stand-in, see [`recursion`]) implementing it, and every ignored
/// field's type `ignored` where that is given; `None` if a field's facts are assumed, since its
/// type cannot be looked into without going round a cycle.
fn field_bound_impl(
    cont: &Container,
    trait_path: TokenStream,
    ignored: Option<TokenStream>,
    safety: TokenStream,
) -> Option<TokenStream> {
    let fields = cont.fields();
    if fields.iter().any(|f| f.is_assumed()) {
        return None;
    }
    let ident = cont.ident();
    let generics = cont.generics();
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let own = where_clause.into_iter().flat_map(|w| &w.predicates);
    let mut predicates: Vec<TokenStream> = own.map(ToTokens::to_token_stream).collect();
    for field in &fields {
        let (ty, bound) = if field.is_traced() {
            (recursion::stand_in_type(cont, field), &trait_path)
        } else {
            match &ignored {
                Some(bound) => (field.ty().clone(), bound),
                None => continue,
            }
        };
        // A false bound that names no parameter is an error where the impl is written; under
        // a binder it only keeps the impl from applying, like any other unmet bound.
        let binder = (!names_parameter(&ty, generics)).then(|| quote!(for<'__bound>));
        predicates.push(quote_spanned!(field.span()=> #binder #ty: #bound));
    }
    Some(quote! {
        #[automatically_derived]
        #safety
        unsafe impl #impl_generics #trait_path for #ident #ty_generics
        where
            #(#predicates,)*
        {}
    })
}

/// `ty` mentions a lifetime, type or const parameter of `generics`.
fn names_parameter(ty: &Type, generics: &Generics) -> bool {
    struct Names<'a> {
        generics: &'a Generics,
        found: bool,
    }
    impl<'ast> Visit<'ast> for Names<'_> {
        fn visit_lifetime(&mut self, lifetime: &'ast Lifetime) {
            self.found |= self.generics.lifetimes().any(|p| p.lifetime == *lifetime);
        }
        fn visit_path(&mut self, path: &'ast Path) {
            if let (None, Some(first)) = (&path.leading_colon, path.segments.first()) {
                let name = &first.ident;
                self.found |= self.generics.type_params().any(|p| p.ident == *name)
                    || self.generics.const_params().any(|p| p.ident == *name);
            }
            visit::visit_path(self, path);
        }
    }
    let mut names = Names {
        generics,
        found: false,
    };
    names.visit_type(ty);
    names.found
}

fn rebrand_impl(cont: &Container) -> TokenStream {
    let ident = cont.ident();
    let generics = cont.generics();
    let to = Lifetime::new("'__gc", Span::call_site());
    let subst = Subst {
        params: generics.type_params().map(|p| &p.ident).collect(),
        brand: cont.brand(),
        to: &to,
    };

    let mut added: Vec<WherePredicate> = Vec::new();
    for param in &generics.params {
        let inline: WherePredicate = match param {
            GenericParam::Type(param) => {
                let (ident, mut bounds) = (&param.ident, param.bounds.clone());
                added.push(parse_quote!(#ident: ::tenured_gc::Rebrand<#to>));
                // `Branded` may be unsized: the parameter's implicit `Sized` must be stated.
                if !is_unsized(generics, ident) {
                    bounds.push(parse_quote!(::core::marker::Sized));
                }
                parse_quote!(#ident: #bounds)
            }
            GenericParam::Lifetime(param) => {
                let (lifetime, bounds) = (&param.lifetime, &param.bounds);
                if Some(lifetime) != subst.brand {
                    // The trait requires `Branded: '__gc`.
                    added.push(parse_quote!(#lifetime: #to));
                }
                parse_quote!(#lifetime: #bounds)
            }
            GenericParam::Const(_) => continue,
        };
        added.extend(subst.restate(inline));
    }
    let where_predicates = generics.where_clause.iter().flat_map(|w| &w.predicates);
    added.extend(where_predicates.filter_map(|p| subst.restate(p.clone())));

    let mut impl_generics = generics.clone();
    let param = GenericParam::Lifetime(LifetimeParam::new(to.clone()));
    impl_generics.params.insert(0, param);
    let predicates = &mut impl_generics.make_where_clause().predicates;
    for predicate in added {
        if !predicates.iter().any(|p| *p == predicate) {
            predicates.push(predicate);
        }
    }
    let (impl_generics, _, where_clause) = impl_generics.split_for_impl();
    let (_, ty_generics, _) = generics.split_for_impl();

    let args: Vec<TokenStream> = generics
        .params
        .iter()
        .map(|param| match param {
            GenericParam::Type(param) => subst.branded(&param.ident).into_token_stream(),
            GenericParam::Lifetime(param) if Some(&param.lifetime) == subst.brand => quote!(#to),
            GenericParam::Lifetime(param) => param.lifetime.to_token_stream(),
            GenericParam::Const(param) => param.ident.to_token_stream(),
        })
        .collect();
    let branded = if args.is_empty() {
        quote!(#ident)
    } else {
        quote!(#ident<#(#args),*>)
    };
    quote! {
        #[automatically_derived]
        #[doc = " SAFETY: `Branded` is this type with its brand lifetime replaced and each type"]
        #[doc = " parameter rebranded, nothing else changed, so the layouts are the same."]
        unsafe impl #impl_generics ::tenured_gc::Rebrand<#to> for #ident #ty_generics #where_clause {
            type Branded = #branded;
        }
    }
}

/// Rewrites types and predicates from the original brand to `'__gc`.
struct Subst<'a> {
    params: Vec<&'a Ident>,
    brand: Option<&'a Lifetime>,
    to: &'a Lifetime,
}

impl Subst<'_> {
    /// `<T as Rebrand<'__gc>>::Branded`.
    fn branded(&self, param: &Ident) -> Type {
        let to = self.to;
        parse_quote!(<#param as ::tenured_gc::Rebrand<#to>>::Branded)
    }

    /// `predicate` under the substitution, without `?Sized` (only a type parameter may relax
    /// it); `None` if no bound is left.
    fn restate(&self, mut predicate: WherePredicate) -> Option<WherePredicate> {
        SubstVisitor(self).visit_where_predicate_mut(&mut predicate);
        let empty = match &mut predicate {
            WherePredicate::Type(p) => {
                p.bounds = p.bounds.iter().filter(|b| !is_maybe(b)).cloned().collect();
                p.bounds.is_empty()
            }
            WherePredicate::Lifetime(p) => p.bounds.is_empty(),
            _ => false,
        };
        (!empty).then_some(predicate)
    }
}

/// `param` is declared `?Sized`, inline or in the where clause.
fn is_unsized(generics: &Generics, param: &Ident) -> bool {
    let inline = generics.type_params().filter(|p| p.ident == *param);
    let inline = inline.flat_map(|p| &p.bounds);
    let clauses = generics.where_clause.iter().flat_map(|w| &w.predicates);
    let clauses = clauses.filter_map(|predicate| match predicate {
        WherePredicate::Type(p) => match &p.bounded_ty {
            Type::Path(TypePath { qself: None, path }) if path.is_ident(param) => Some(&p.bounds),
            _ => None,
        },
        _ => None,
    });
    inline.chain(clauses.flatten()).any(is_maybe)
}

fn is_maybe(bound: &TypeParamBound) -> bool {
    matches!(bound, TypeParamBound::Trait(t) if matches!(t.modifier, TraitBoundModifier::Maybe(_)))
}

struct SubstVisitor<'a, 'b>(&'b Subst<'a>);

impl VisitMut for SubstVisitor<'_, '_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(TypePath { qself: None, path }) = ty {
            if let Some(param) = path.get_ident().filter(|i| self.0.params.contains(i)) {
                *ty = self.0.branded(param);
                return;
            }
        }
        visit_mut::visit_type_mut(self, ty);
    }

    fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
        if Some(&*lifetime) == self.0.brand {
            *lifetime = self.0.to.clone();
        }
    }
}

/// The derived type's impl of the guard trait, which conflicts with the library's blanket impl
/// for every `T: Drop` if the type implements `Drop`. The trait's name is the error message.
fn drop_guard(cont: &Container) -> TokenStream {
    let ident = cont.ident();
    let (impl_generics, ty_generics, where_clause) = cont.generics().split_for_impl();
    let guard = Ident::new(DROP_GUARD, Span::call_site());
    quote! {
        #[automatically_derived]
        impl #impl_generics ::tenured_gc::__private::#guard for #ident #ty_generics
        #where_clause {}
    }
}

/// The name of the guard trait in `tenured_gc::__private`.
const DROP_GUARD: &str = "a_type_that_derives_Trace_must_not_implement_Drop_because_drop_runs_during_a_collection_when_the_objects_it_points_to_may_already_be_freed__opt_in_with_gc_unsafe_allow_drop_and_an_unsafe_impl_GcDrop";

#[cfg(test)]
mod tests {
    use super::derive;
    use syn::parse_quote;

    fn errors(input: syn::DeriveInput) -> Vec<String> {
        let error = derive(&input).expect_err("the input is invalid");
        error.into_iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn every_mistake_is_reported() {
        let found = errors(parse_quote! {
            #[repr(C, packed)]
            #[gc(skip, ignore, bound = "", bound = "")]
            enum E<'a, 'b> {
                #[gc(ignore)]
                A(#[gc(ignore, ignore, bound = "")] &'a i32, &'b i32),
            }
        });
        let expected = [
            "unknown gc attribute `skip`; expected one of `bound`, `unsafe_allow_drop`",
            "`ignore` is a field attribute: put it on a field",
            "duplicate gc attribute `bound`",
            "duplicate gc attribute `ignore`",
            "`bound` is a container attribute: put it on the struct or enum",
            "#[derive(Trace)] does not support #[repr(packed)]: pointer slots would be unaligned",
            "#[gc(...)] is not supported on enum variants; put #[gc(ignore)] on the variant's fields",
            "a type with several lifetimes must name its brand lifetime `'gc`",
        ];
        assert_eq!(found, expected);
    }

    #[test]
    fn rebrand_substitutes_brand_and_parameters() {
        let input = parse_quote! {
            struct S<'a, 'gc, T: Clone, const N: usize> where T: 'gc { x: &'a [T; N] }
        };
        let out = derive(&input).unwrap().to_string().replace(' ', "");
        let branded = "typeBranded=S<'a,'__gc,<Tas::tenured_gc::Rebrand<'__gc>>::Branded,N>;";
        assert!(out.contains(branded), "{out}");
        for bound in [
            "T:::tenured_gc::Rebrand<'__gc>",
            "<Tas::tenured_gc::Rebrand<'__gc>>::Branded:Clone+::core::marker::Sized",
            "<Tas::tenured_gc::Rebrand<'__gc>>::Branded:'__gc",
            "'a:'__gc",
        ] {
            assert!(out.contains(bound), "{bound} missing from {out}");
        }
    }
}
