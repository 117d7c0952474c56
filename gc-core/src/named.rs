//! Named tracing: an object's edges with the names of the fields they sit in.
//!
//! Retainer paths ([`Heap::retainer_path`](crate::Heap::retainer_path)) and heap snapshots
//! ([`Heap::write_heap_snapshot`](crate::Heap::write_heap_snapshot)) say *which field* holds
//! each pointer: `Env.vars[12]`, not just "an `Env` points to it". They walk the heap with
//! [`Trace::trace_named`](crate::Trace::trace_named), which `#[derive(Trace)]` writes to name every field (and the
//! variant of an enum), and which the standard containers override to name indices (`[12]`)
//! and map keys (`{"key"}` for keys that print cheaply, `[entry 3]` otherwise).
//!
//! # No cost to collections
//! The collector never calls `trace_named`: it traces with [`Trace::trace`](crate::Trace::trace) alone. A name is
//! a chain of `Step`s on the walker's stack, rendered to text only where a walk keeps it.
//!
//! # Unnamed edges
//! A hand-written `Trace` impl that does not override `trace_named` gets the default, which
//! hands its edges to the walk with the name it is at; edges of an object whose type names
//! nothing are called `#0`, `#1`, ... in the order `trace` hands them.

use core::fmt::Write;
use core::ptr::NonNull;

use crate::trace::{NamedTracer, NamedVisitor, Part, Step};
use crate::type_info::TypeInfo;

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
