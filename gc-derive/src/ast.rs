//! The typed tree the derive works on.
//!
//! `syn::DeriveInput` is read once into a [`Container`]: its fields, grouped by variant for an
//! enum, with their `#[gc(...)]` attributes already parsed. Every node keeps a reference to the
//! `syn` node it came from, so later stages point errors and generated code at the user's source.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{DataUnion, DeriveInput, Fields, Generics, Ident, Lifetime, Member, Type};

use crate::attr::{self, ContainerAttrs, FieldAttrs};
use crate::validate::Errors;

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
}

impl<'a> Container<'a> {
    pub fn from_ast(input: &'a DeriveInput, errors: &mut Errors) -> Self {
        let attrs = attr::container(&input.attrs, errors);
        let data = match &input.data {
            syn::Data::Struct(data) => Data::Struct(fields(&data.fields, errors)),
            syn::Data::Enum(data) => Data::Enum(
                data.variants
                    .iter()
                    .map(|original| Variant {
                        original,
                        fields: fields(&original.fields, errors),
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

    /// Where code about this field is reported: at its type, but resolved like the rest of the
    /// generated code so the names the derive introduces (`tracer`, `self`) stay visible.
    pub fn span(&self) -> Span {
        self.ty().span().resolved_at(Span::call_site())
    }
}

fn fields<'a>(fields: &'a Fields, errors: &mut Errors) -> Vec<Field<'a>> {
    fields
        .iter()
        .enumerate()
        .map(|(i, original)| Field {
            original,
            member: match &original.ident {
                Some(ident) => Member::Named(ident.clone()),
                None => Member::from(i),
            },
            attrs: attr::field(&original.attrs, errors),
        })
        .collect()
}
