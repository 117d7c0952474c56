//! Writes `trace_named`: the same fields as `trace`, each handed on with its name, for
//! retainer paths and heap snapshots. The collector never calls it, so it costs collections
//! nothing. Each field goes through `__private::NamedField`, so that a field whose type is not
//! `Trace` is reported once, by `trace`, and not again here.
//!
//! A struct's field is named after its member (`parent`, or `0` for a tuple struct); an enum
//! variant's field after the variant and the member (`Pair.0`). Ignored fields are left out,
//! as they are from `trace`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::{Ident, LitStr, Member};

use crate::ast::{Container, Data, Field};

/// The `trace_named` method of the `Trace` impl.
pub fn trace_named_fn(cont: &Container) -> TokenStream {
    let body = match &cont.data {
        Data::Struct(fields) => {
            let calls = traced(fields).map(|f| {
                let (member, name) = (&f.member, member_name(f));
                quote_spanned! {f.span()=>
                    ::tenured_gc::__private::NamedField(&mut self.#member)
                        .trace_named_field(tracer, ::core::option::Option::None, #name);
                }
            });
            quote!(#(#calls)*)
        }
        Data::Enum(variants) if variants.is_empty() => quote!(match *self {}),
        Data::Enum(variants) => {
            let arms = variants.iter().map(|variant| {
                let ident = &variant.original.ident;
                let variant_name = LitStr::new(&ident.unraw().to_string(), ident.span());
                let (patterns, calls): (Vec<_>, Vec<_>) = traced(&variant.fields)
                    .enumerate()
                    .map(|(i, f)| {
                        let (member, name) = (&f.member, member_name(f));
                        let binding = Ident::new(&format!("__binding_{i}"), f.span());
                        let call = quote_spanned! {f.span()=>
                            ::tenured_gc::__private::NamedField(#binding).trace_named_field(
                                tracer,
                                ::core::option::Option::Some(#variant_name),
                                #name,
                            );
                        };
                        (quote!(#member: #binding), call)
                    })
                    .unzip();
                quote!(Self::#ident { #(#patterns,)* .. } => { #(#calls)* })
            });
            quote!(match self { #(#arms)* })
        }
        // Rejected by `validate`.
        Data::Union(_) => TokenStream::new(),
    };
    quote! {
        #[inline]
        fn trace_named(&mut self, tracer: &mut ::tenured_gc::NamedTracer<'_>) {
            #[allow(unused_imports)]
            use ::tenured_gc::__private::{SkipNamedField as _, TraceNamedField as _};
            #body
        }
    }
}

fn traced<'f, 'a>(fields: &'f [Field<'a>]) -> impl Iterator<Item = &'f Field<'a>> {
    fields.iter().filter(|f| f.is_traced())
}

/// The field's name as a string literal: `parent`, `0`; a raw identifier without its `r#`.
fn member_name(field: &Field) -> LitStr {
    let name = match &field.member {
        Member::Named(ident) => ident.unraw().to_string(),
        Member::Unnamed(index) => index.index.to_string(),
    };
    LitStr::new(&name, field.span())
}
