//! The typed tree the derive works on.
//!
//! `syn::DeriveInput` is read once into a [`Container`]: its fields, grouped by variant for an
//! enum, with their `#[gc(...)]` attributes already parsed. Every node keeps a reference to the
//! `syn` node it came from, so later stages point errors and generated code at the user's source.
//!
//! # Recursion
//! Each field also records whether its type mentions the type being derived: `Self`, or a
//! one-segment path named like it (`Tree`, `Tree<'gc, T>`). Mentions inside the arguments of
//! `Gc` and `GcWeak` do not count: their layout facts do not depend on what they point to, so
//! they never make the facts depend on themselves. [`mentions`] walks the mentions for both
//! this and `recursion`, which replaces them, so the two always agree.

use proc_macro2::Span;
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{
    DataUnion, DeriveInput, Fields, GenericArgument, GenericParam, Generics, Ident, Lifetime,
    Member, Path, PathArguments, Type, TypePath,
};

use crate::attr::{self, ContainerAttrs, FieldAttrs};
use crate::errors::Errors;

/// The name of the brand lifetime when a type has several lifetimes.
pub const BRAND: &str = "gc";

/// The type the derive is applied to.
pub struct Container<'a> {
    pub original: &'a DeriveInput,
    pub attrs: ContainerAttrs,
    pub data: Data<'a>,
}

pub enum Data<'a> {
    Struct(Vec<Field<'a>>),
    Enum(Vec<Variant<'a>>),
    Union(&'a DataUnion),
}

pub struct Variant<'a> {
    pub original: &'a syn::Variant,
    pub fields: Vec<Field<'a>>,
}

pub struct Field<'a> {
    pub original: &'a syn::Field,
    /// How the field is named in `self.member`, patterns and `offset_of!`.
    pub member: Member,
    pub attrs: FieldAttrs,
    pub recursion: Recursion,
}

/// How a field's type refers to the type being derived.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Recursion {
    /// Not at all (outside `Gc` and `GcWeak`).
    None,
    /// Only as the type itself, with its own generic arguments: its facts are found by the
    /// bounded fixpoint.
    Direct,
    /// Through `#[gc(recursive)]`, with other generic arguments (`Pair<B, A>` in `Pair<A, B>`),
    /// or inside a projection: the field's facts are assumed the worst, and never evaluated.
    Assumed,
}

impl<'a> Container<'a> {
    pub fn from_ast(input: &'a DeriveInput, errors: &mut Errors) -> Self {
        let attrs = attr::container(&input.attrs, errors);
        let mut fields = |fields| self::fields(fields, input, errors);
        let data = match &input.data {
            syn::Data::Struct(data) => Data::Struct(fields(&data.fields)),
            syn::Data::Enum(data) => Data::Enum(
                data.variants
                    .iter()
                    .map(|original| Variant {
                        original,
                        fields: fields(&original.fields),
                    })
                    .collect(),
            ),
            syn::Data::Union(data) => Data::Union(data),
        };
        Container {
            original: input,
            attrs,
            data,
        }
    }

    pub fn ident(&self) -> &'a Ident {
        &self.original.ident
    }

    pub fn generics(&self) -> &'a Generics {
        &self.original.generics
    }

    /// Every field of the struct, or of every variant of the enum.
    pub fn fields(&self) -> Vec<&Field<'a>> {
        match &self.data {
            Data::Struct(fields) => fields.iter().collect(),
            Data::Enum(variants) => variants.iter().flat_map(|v| &v.fields).collect(),
            Data::Union(_) => Vec::new(),
        }
    }

    /// The lifetime that brands the managed pointers of the type: the one named `'gc`, else
    /// the only lifetime. `None` if there is no lifetime, or several and none named `'gc`.
    pub fn brand(&self) -> Option<&'a Lifetime> {
        let lifetimes: Vec<&Lifetime> = self.generics().lifetimes().map(|p| &p.lifetime).collect();
        match lifetimes.iter().find(|l| l.ident == BRAND) {
            Some(named) => Some(named),
            None if lifetimes.len() == 1 => Some(lifetimes[0]),
            None => None,
        }
    }
}

impl<'a> Field<'a> {
    pub fn ty(&self) -> &'a Type {
        &self.original.ty
    }

    pub fn is_traced(&self) -> bool {
        !self.attrs.ignore
    }

    /// Whether the derived facts of the type depend on this field's type's own.
    pub fn is_direct(&self) -> bool {
        self.is_traced() && self.recursion == Recursion::Direct
    }

    /// Whether this field's facts are assumed the worst.
    pub fn is_assumed(&self) -> bool {
        self.is_traced() && self.recursion == Recursion::Assumed
    }

    /// Where code about this field is reported: at its type, but resolved like the rest of the
    /// generated code so the names the derive introduces (`tracer`, `self`) stay visible.
    pub fn span(&self) -> Span {
        self.ty().span().resolved_at(Span::call_site())
    }
}

fn fields<'a>(fields: &'a Fields, input: &DeriveInput, errors: &mut Errors) -> Vec<Field<'a>> {
    fields
        .iter()
        .enumerate()
        .map(|(i, original)| {
            let attrs = attr::field(&original.attrs, errors);
            let recursion = if attrs.recursive.is_some() {
                Recursion::Assumed
            } else {
                recursion(&original.ty, input)
            };
            Field {
                original,
                member: match &original.ident {
                    Some(ident) => Member::Named(ident.clone()),
                    None => Member::from(i),
                },
                attrs,
                recursion,
            }
        })
        .collect()
}

/// How `ty` mentions the type `input` declares.
fn recursion(ty: &Type, input: &DeriveInput) -> Recursion {
    let own_args = own_arguments(&input.generics);
    let mut found = Recursion::None;
    mentions(&mut ty.clone(), &input.ident, |mention, in_projection| {
        let direct = !in_projection && has_own_arguments(mention, &own_args);
        found = match (found, direct) {
            (Recursion::Assumed, _) | (_, false) => Recursion::Assumed,
            (_, true) => Recursion::Direct,
        };
    });
    found
}

/// The container's generic parameters as a mention of it must name them, in order.
fn own_arguments(generics: &Generics) -> Vec<String> {
    let names = generics.params.iter().map(|param| match param {
        GenericParam::Lifetime(p) => p.lifetime.to_token_stream(),
        GenericParam::Type(p) => p.ident.to_token_stream(),
        GenericParam::Const(p) => p.ident.to_token_stream(),
    });
    names.map(|name| name.to_string()).collect()
}

/// `Self`, or the container's name with exactly its own parameters as arguments.
fn has_own_arguments(mention: &Type, own_args: &[String]) -> bool {
    let Type::Path(TypePath { path, .. }) = mention else {
        return false;
    };
    let segment = &path.segments[0];
    if segment.ident == "Self" {
        return true;
    }
    let args: Vec<String> = match &segment.arguments {
        PathArguments::None => Vec::new(),
        PathArguments::AngleBracketed(args) => args
            .args
            .iter()
            .map(|arg| match arg {
                GenericArgument::Lifetime(_)
                | GenericArgument::Type(_)
                | GenericArgument::Const(_) => arg.to_token_stream().to_string(),
                _ => String::new(),
            })
            .collect(),
        PathArguments::Parenthesized(_) => return false,
    };
    args == own_args
}

/// Calls `on_mention` with every mention of the type named `ident` in `ty`, outside the
/// arguments of `Gc` and `GcWeak`, and whether it sits inside a projection (`<X as Tr>::A`),
/// where replacing it would change which type is meant. The callback may rewrite the mention.
pub fn mentions(ty: &mut Type, ident: &Ident, on_mention: impl FnMut(&mut Type, bool)) {
    Mentions {
        ident,
        on_mention,
        in_projection: false,
    }
    .visit_type_mut(ty)
}

struct Mentions<'a, F> {
    ident: &'a Ident,
    on_mention: F,
    in_projection: bool,
}

impl<F: FnMut(&mut Type, bool)> VisitMut for Mentions<'_, F> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(TypePath { qself, path }) = ty {
            if qself.is_some() {
                let outer = std::mem::replace(&mut self.in_projection, true);
                visit_mut::visit_type_mut(self, ty);
                self.in_projection = outer;
                return;
            }
            if self.is_mention(path) {
                (self.on_mention)(ty, self.in_projection);
                return;
            }
            if is_managed_pointer(path) {
                return;
            }
        }
        visit_mut::visit_type_mut(self, ty)
    }
}

impl<F> Mentions<'_, F> {
    fn is_mention(&self, path: &Path) -> bool {
        path.leading_colon.is_none()
            && path.segments.len() == 1
            && (path.segments[0].ident == "Self" || path.segments[0].ident == *self.ident)
    }
}

/// `Gc<..>` or `GcWeak<..>`, under any path.
fn is_managed_pointer(path: &Path) -> bool {
    path.segments
        .last()
        .is_some_and(|last| last.ident == "Gc" || last.ident == "GcWeak")
}
