//! The `#[gc(...)]` attributes.
//!
//! # Keys
//! On the type: `bound = "..."` (where-predicates that replace the inferred `Trace` bounds) and
//! `unsafe_allow_drop`. On a field: `ignore` and `recursive` (the field's type leads back to
//! this one through another type, so its layout facts must not be evaluated).
//!
//! # Errors
//! A key that is unknown, in the wrong place or repeated is an error spanned on that key (the
//! second one for a repeat), and parsing goes on so every mistake is reported in one pass.

use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::{
    Attribute, Error, Expr, ExprLit, Lit, LitStr, Meta, MetaNameValue, Token, WherePredicate,
};

use crate::errors::Errors;

pub const GC: &str = "gc";
pub const BOUND: &str = "bound";
pub const UNSAFE_ALLOW_DROP: &str = "unsafe_allow_drop";
pub const IGNORE: &str = "ignore";
pub const RECURSIVE: &str = "recursive";

const CONTAINER_KEYS: &[&str] = &[BOUND, UNSAFE_ALLOW_DROP];
const FIELD_KEYS: &[&str] = &[IGNORE, RECURSIVE];

/// The where-predicates of `#[gc(bound = "...")]`.
pub type Bound = Punctuated<WherePredicate, Token![,]>;

#[derive(Default)]
pub struct ContainerAttrs {
    pub bound: Option<Bound>,
    pub unsafe_allow_drop: bool,
}

#[derive(Default)]
pub struct FieldAttrs {
    pub ignore: bool,
    /// The `recursive` key, kept for the error if it comes with `ignore`.
    pub recursive: Option<Meta>,
}

pub fn container(attrs: &[Attribute], errors: &mut Errors) -> ContainerAttrs {
    let mut out = ContainerAttrs::default();
    for (key, meta) in keys(attrs, Place::Container, errors) {
        match key.as_str() {
            BOUND => out.bound = bound(&meta, errors),
            UNSAFE_ALLOW_DROP => out.unsafe_allow_drop = flag(&key, &meta, errors),
            _ => {}
        }
    }
    out
}

pub fn field(attrs: &[Attribute], errors: &mut Errors) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for (key, meta) in keys(attrs, Place::Field, errors) {
        match key.as_str() {
            IGNORE => out.ignore = flag(&key, &meta, errors),
            RECURSIVE => out.recursive = flag(&key, &meta, errors).then_some(meta),
            _ => {}
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Place {
    Container,
    Field,
}

impl Place {
    fn keys(self) -> &'static [&'static str] {
        match self {
            Place::Container => CONTAINER_KEYS,
            Place::Field => FIELD_KEYS,
        }
    }

    fn other(self) -> Place {
        match self {
            Place::Container => Place::Field,
            Place::Field => Place::Container,
        }
    }

    /// Why `key`, which belongs elsewhere, is wrong here.
    fn misplaced(self, key: &str) -> String {
        match self {
            Place::Container => format!("`{key}` is a field attribute: put it on a field"),
            Place::Field => {
                format!("`{key}` is a container attribute: put it on the struct or enum")
            }
        }
    }
}

/// The keys of every `#[gc(...)]` in `attrs` that are known, belong to `place` and are not
/// repeated, each with its meta item.
fn keys(attrs: &[Attribute], place: Place, errors: &mut Errors) -> Vec<(String, Meta)> {
    let mut out: Vec<(String, Meta)> = Vec::new();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident(GC)) {
        let metas = match attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
            Ok(metas) => metas,
            Err(err) => {
                errors.push(err);
                continue;
            }
        };
        for meta in metas {
            let key = meta.path().to_token_stream().to_string().replace(' ', "");
            let msg = if place.other().keys().contains(&key.as_str()) {
                place.misplaced(&key)
            } else if !place.keys().contains(&key.as_str()) {
                format!(
                    "unknown gc attribute `{key}`; expected {}",
                    one_of(place.keys())
                )
            } else if out.iter().any(|(seen, _)| *seen == key) {
                format!("duplicate gc attribute `{key}`")
            } else {
                out.push((key, meta));
                continue;
            };
            errors.push(Error::new_spanned(meta.path(), msg));
        }
    }
    out
}

fn one_of(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|key| format!("`{key}`")).collect();
    match quoted.as_slice() {
        [only] => only.clone(),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

/// A key that takes no value, such as `ignore`.
fn flag(key: &str, meta: &Meta, errors: &mut Errors) -> bool {
    if let Meta::Path(_) = meta {
        return true;
    }
    let msg = format!("`{key}` takes no value: write `#[gc({key})]`");
    errors.push(Error::new_spanned(meta, msg));
    false
}

fn bound(meta: &Meta, errors: &mut Errors) -> Option<Bound> {
    let Some(lit) = string_value(meta) else {
        let msg = r#"expected a string of where-predicates: `#[gc(bound = "T: Trace")]`"#;
        errors.push(Error::new_spanned(meta, msg));
        return None;
    };
    match lit.parse_with(Bound::parse_terminated) {
        Ok(bound) => Some(bound),
        Err(err) => {
            let msg = format!("`bound` must be where-predicates such as \"T: Trace\": {err}");
            errors.push(Error::new_spanned(lit, msg));
            None
        }
    }
}

fn string_value(meta: &Meta) -> Option<&LitStr> {
    match meta {
        Meta::NameValue(MetaNameValue {
            value: Expr::Lit(ExprLit {
                lit: Lit::Str(lit), ..
            }),
            ..
        }) => Some(lit),
        _ => None,
    }
}
