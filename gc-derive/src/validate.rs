//! Rejects the shapes of type the collector cannot handle, before anything is generated.
//!
//! # Checks
//! - Unions: which field is live is unknown, so there is nothing sound to trace.
//! - `#[repr(packed)]`: pointer slots could be unaligned, and the collector rewrites them in
//!   place through aligned accesses.
//! - `#[gc(...)]` on an enum variant: no key applies there.
//! - Several lifetimes and none named `'gc`: the brand that `Rebrand` replaces is ambiguous.
//! - `#[gc(ignore, recursive)]`: an ignored field is not traced, so `recursive` would say
//!   nothing, and one of the two is a mistake.
//!
//! Each failed check adds an error spanned on the offending node to [`Errors`] and the checks go
//! on, so every mistake is reported at once.

use syn::punctuated::Punctuated;
use syn::{Attribute, Meta, Token};

use crate::ast::{Container, Data, BRAND};
use crate::attr::{GC, IGNORE, RECURSIVE};
use crate::errors::Errors;

pub fn check(cont: &Container, errors: &mut Errors) {
    if let Data::Union(data) = &cont.data {
        errors.spanned(data.union_token, "#[derive(Trace)] does not support unions");
    }
    for attr in cont.original.attrs.iter().filter(|attr| is_packed(attr)) {
        let msg = "#[derive(Trace)] does not support #[repr(packed)]: \
                   pointer slots would be unaligned";
        errors.spanned(attr, msg);
    }
    if let Data::Enum(variants) = &cont.data {
        for variant in variants {
            for attr in &variant.original.attrs {
                if attr.path().is_ident(GC) {
                    let msg = "#[gc(...)] is not supported on enum variants; \
                               put #[gc(ignore)] on the variant's fields";
                    errors.spanned(attr, msg);
                }
            }
        }
    }
    for field in cont.fields() {
        if let (true, Some(recursive)) = (field.attrs.ignore, &field.attrs.recursive) {
            let msg = format!(
                "`{RECURSIVE}` has no effect with `{IGNORE}`: an ignored field is not traced"
            );
            errors.spanned(recursive, msg);
        }
    }
    if cont.generics().lifetimes().count() > 1 && cont.brand().is_none() {
        let msg = format!("a type with several lifetimes must name its brand lifetime `'{BRAND}`");
        errors.spanned(cont.generics(), msg);
    }
}

/// `#[repr(packed)]` or `#[repr(packed(N))]`, alone or among other reprs.
fn is_packed(attr: &Attribute) -> bool {
    attr.path().is_ident("repr")
        && attr
            .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
            .is_ok_and(|reprs| reprs.iter().any(|repr| repr.path().is_ident("packed")))
}
