//! Named tracing: an object's edges with the names of the fields they sit in.
//!
//! Retainer paths ([`Heap::retainer_path`](crate::Heap::retainer_path)) and heap snapshots
//! ([`Heap::write_heap_snapshot`](crate::Heap::write_heap_snapshot)) say *which field* holds
//! each pointer: `Env.vars[12]`, not just "an `Env` points to it". They walk the heap with
//! [`Trace::trace_named`], which `#[derive(Trace)]` writes to name every field (and the
//! variant of an enum), and which the standard containers override to name indices (`[12]`)
//! and map keys (`{"key"}` for keys that print cheaply, `[entry 3]` otherwise).
//!
//! # No cost to collections
//! The collector never calls `trace_named`: it traces with [`Trace::trace`] alone. A name is
//! a chain of `Step`s on the walker's stack, rendered to text only where a walk keeps it.
//!
//! # Unnamed edges
//! A hand-written `Trace` impl that does not override `trace_named` gets the default, which
//! hands its edges to the walk with the name it is at; edges of an object whose type names
//! nothing are called `#0`, `#1`, ... in the order `trace` hands them.

use core::fmt::Write;
use core::ptr::NonNull;

use crate::trace::{EdgeVisitor, Leaf, Trace, Tracer};
use crate::type_info::TypeInfo;

/// Receives the named edges of an object: what a walk of retainer paths or a snapshot does
/// with each.
pub(crate) trait NamedVisitor {
    /// A strong pointer to the object at `target`, at the field `name` (`None`: unnamed).
    fn edge(&mut self, name: Option<&Step<'_>>, target: NonNull<u8>);
    /// A weak pointer that is not cleared.
    fn weak_edge(&mut self, name: Option<&Step<'_>>, target: NonNull<u8>);
}

/// The tracer of named walks: hands each managed pointer on with the name of the field that
/// holds it. Only tenured-gc creates one; `trace_named` impls pass it on to their fields
/// with [`field`](NamedTracer::field), [`index`](NamedTracer::index) and the like.
pub struct NamedTracer<'a> {
    visitor: &'a mut dyn NamedVisitor,
    /// Where in the object the tracer is: the innermost step of the name.
    at: Option<&'a Step<'a>>,
}

/// One part of an edge's name, linked to the part before it.
pub(crate) struct Step<'a> {
    part: Part<'a>,
    outer: Option<&'a Step<'a>>,
}

#[derive(Clone, Copy)]
enum Part<'a> {
    Field(&'static str),
    VariantField(&'static str, &'static str),
    Index(usize),
    Entry(usize, &'a dyn Leaf),
}

impl<'a> NamedTracer<'a> {
    pub(crate) fn new(visitor: &'a mut dyn NamedVisitor) -> Self {
        NamedTracer { visitor, at: None }
    }

    fn descend<T: Trace + ?Sized>(&mut self, part: Part<'_>, value: &mut T) {
        if T::IS_LEAF {
            return;
        }
        let step = Step {
            part,
            outer: self.at,
        };
        value.trace_named(&mut NamedTracer {
            visitor: &mut *self.visitor,
            at: Some(&step),
        })
    }

    /// Traces the field `name` of a struct (`"0"` for a tuple struct's first).
    #[inline]
    pub fn field<T: Trace + ?Sized>(&mut self, name: &'static str, value: &mut T) {
        self.descend(Part::Field(name), value)
    }

    /// Traces the field `name` of the enum variant `variant`.
    #[inline]
    pub fn variant_field<T: Trace + ?Sized>(
        &mut self,
        variant: &'static str,
        name: &'static str,
        value: &mut T,
    ) {
        self.descend(Part::VariantField(variant, name), value)
    }

    /// Traces the element at `index` of a sequence.
    #[inline]
    pub fn index<T: Trace + ?Sized>(&mut self, index: usize, value: &mut T) {
        self.descend(Part::Index(index), value)
    }

    /// Traces the value of the `index`th entry of a map, whose key is `key`: named `{key}`
    /// when the key's type prints itself cheaply (numbers, strings, ...), `[entry index]`
    /// otherwise.
    #[inline]
    pub fn entry<K: Leaf, T: Trace + ?Sized>(&mut self, index: usize, key: &K, value: &mut T) {
        self.descend(Part::Entry(index, key), value)
    }

    /// Traces `value` under the name the tracer is at: for a wrapper that adds no name of
    /// its own (`Option`, `Box`, a cell).
    #[inline]
    pub fn trace<T: Trace + ?Sized>(&mut self, value: &mut T) {
        if !T::IS_LEAF {
            value.trace_named(self)
        }
    }

    /// Traces `value` with [`Trace::trace`]: its edges get the name the tracer is at, or
    /// none. What `trace_named` does unless a type overrides it.
    pub fn unnamed<T: Trace + ?Sized>(&mut self, value: &mut T) {
        if !T::IS_LEAF {
            value.trace(&mut Tracer {
                visitor: &mut Unnamed(self),
            })
        }
    }
}

/// Turns the edges of `trace` into named edges at the tracer's current name.
struct Unnamed<'t, 'a>(&'t mut NamedTracer<'a>);

impl EdgeVisitor for Unnamed<'_, '_> {
    fn edge(&mut self, slot: &mut NonNull<u8>) {
        self.0.visitor.edge(self.0.at, *slot)
    }

    fn weak_edge(&mut self, slot: &mut Option<NonNull<u8>>) {
        if let Some(target) = *slot {
            self.0.visitor.weak_edge(self.0.at, target)
        }
    }
}

impl Step<'_> {
    /// Appends the name, outermost part first: `vars[12]`, `Pair.0`, `table{"x"}`.
    pub(crate) fn render(&self, out: &mut String) {
        if let Some(outer) = self.outer {
            outer.render(out)
        }
        let dot = |out: &mut String| {
            if !out.is_empty() {
                out.push('.')
            }
        };
        match self.part {
            Part::Field(name) => {
                dot(out);
                out.push_str(name)
            }
            Part::VariantField(variant, name) => {
                dot(out);
                let _ = write!(out, "{variant}.{name}");
            }
            Part::Index(index) => {
                let _ = write!(out, "[{index}]");
            }
            Part::Entry(index, key) => {
                let start = out.len();
                out.push('{');
                if key.name_key(out) {
                    out.push('}')
                } else {
                    out.truncate(start);
                    let _ = write!(out, "[entry {index}]");
                }
            }
        }
    }

    /// The index, if the whole name is one index (an element of a slice object).
    pub(crate) fn as_index(&self) -> Option<usize> {
        match (self.outer, self.part) {
            (None, Part::Index(index)) => Some(index),
            _ => None,
        }
    }
}

/// The text of an edge's name: the rendered steps, or `#ordinal` for an unnamed edge (the
/// ordinal counts the edges the object has handed on before it).
pub(crate) fn edge_name(name: Option<&Step<'_>>, ordinal: u32) -> String {
    let mut out = String::new();
    match name {
        Some(step) => step.render(&mut out),
        None => {
            let _ = write!(out, "#{ordinal}");
        }
    }
    out
}

/// Hands the named edges of the object at `obj`, of type `info`, to `visitor`.
///
/// # Safety
/// - `obj` must be the start of a live object of type `info` whose value is intact, and no
///   reference to that value may be alive (no scope is open).
pub(crate) unsafe fn scan_named(obj: NonNull<u8>, info: &TypeInfo, visitor: &mut dyn NamedVisitor) {
    if let Some(trace_named) = info.trace_named {
        // SAFETY: the caller's promise.
        unsafe { trace_named(obj, &mut NamedTracer::new(visitor)) }
    }
}

/// Shortens a type name for people: no module paths and no lifetimes, so
/// `alloc::vec::Vec<tenured_gc::gc::Gc<'_, app::Node<'_>>>` is `Vec<Gc<Node>>`.
pub(crate) fn short_type_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut chars = name.chars().peekable();
    let mut word = String::new();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if c == ':' && chars.peek() == Some(&':') {
            // A path separator: what came before it is a module.
            chars.next();
            word.clear();
            continue;
        }
        out.push_str(&word);
        word.clear();
        if c == '\'' {
            // A lifetime, and the separator after it.
            while chars
                .next_if(|c| c.is_alphanumeric() || *c == '_')
                .is_some()
            {}
            if chars.next_if_eq(&',').is_some() {
                chars.next_if_eq(&' ');
            } else if out.ends_with(", ") && chars.peek() == Some(&'>') {
                out.truncate(out.len() - 2);
            } else if chars.peek() == Some(&' ') && out.ends_with('&') {
                chars.next();
            }
            continue;
        }
        if c == '>' && out.ends_with('<') {
            out.pop();
            continue;
        }
        out.push(c);
    }
    out.push_str(&word);
    out
}

#[cfg(test)]
mod tests {
    use super::short_type_name;

    #[test]
    fn type_names_lose_paths_and_lifetimes() {
        let cases = [
            (
                "alloc::vec::Vec<tenured_gc::gc::Gc<'_, app::Node<'_>>>",
                "Vec<Gc<Node>>",
            ),
            (
                "[tenured_gc::cell::GcCell<'_, core::option::Option<tenured_gc::gc::Gc<'_, u64>>>]",
                "[GcCell<Option<Gc<u64>>>]",
            ),
            ("&'static str", "&str"),
            ("(u64, alloc::string::String)", "(u64, String)"),
            ("app::Pair<'_, T, 3>", "Pair<T, 3>"),
            ("str", "str"),
        ];
        for (name, short) in cases {
            assert_eq!(short_type_name(name), short, "{name}");
        }
    }
}
