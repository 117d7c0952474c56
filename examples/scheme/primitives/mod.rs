//! The primitive procedures, written in Rust.
//!
//! Each [`Primitive`] names its arity, which the machine checks before calling it, and a
//! function from the argument values to a result. A primitive runs inside one transition of
//! the machine, so it may allocate but never sees a collection. Its errors have no position;
//! the machine places them at the call.
//!
//! - [`numbers`]: integer arithmetic (checked: overflow is an error) and comparison.
//! - [`lists`]: pairs and lists.
//! - [`data`]: strings, symbols and vectors.
//! - [`control`]: equivalence, type predicates, `apply`, output and `error`.
//! - [`tables`]: hash tables keyed by `eqv?`.
//! - [`heap`]: `heap-snapshot`, `heap-census` and `why-alive`, which look inside the heap.

mod control;
mod data;
pub mod heap;
mod lists;
mod numbers;
mod tables;

use std::io::Write;

use tenured_gc::{Gc, Mutation};

use crate::error::{Error, Result};
use crate::printer::{render, Style};
use crate::symbol::Interner;
use crate::value::{Pair, Prim, Slots, Table, Value};

/// What a primitive can reach besides its arguments.
pub struct Ctx<'a, 'gc> {
    pub m: &'a Mutation<'gc>,
    pub symbols: &'a mut Interner,
    pub out: &'a mut dyn Write,
    /// The program's name and arguments, for `command-line`.
    pub command_line: &'a [String],
}

/// The Rust function behind a primitive.
pub type PrimFn = for<'a, 'gc> fn(&mut Ctx<'a, 'gc>, &[Value<'gc>]) -> Result<Value<'gc>>;

/// What a primitive does when called.
pub enum Body {
    Fn(PrimFn),
    /// `apply`, which the machine performs itself: it calls a procedure in turn.
    Apply,
}

/// A procedure written in Rust.
pub struct Primitive {
    pub name: &'static str,
    pub min_args: usize,
    /// `None`: any number of arguments from `min_args` on.
    pub max_args: Option<usize>,
    pub body: Body,
}

impl Primitive {
    /// Checks the number of arguments of a call.
    pub fn check_arity(&self, count: usize) -> Result<()> {
        let ok = count >= self.min_args && self.max_args.is_none_or(|max| count <= max);
        if ok {
            return Ok(());
        }
        let expected = match self.max_args {
            Some(max) if max == self.min_args => format!("{max}"),
            Some(max) => format!("{} to {max}", self.min_args),
            None => format!("at least {}", self.min_args),
        };
        Err(Error::new(format!(
            "{}: wrong number of arguments: expected {expected}, got {count}",
            self.name
        )))
    }
}

/// A primitive taking between `min` and `max` arguments.
const fn prim(name: &'static str, min: usize, max: usize, f: PrimFn) -> Primitive {
    Primitive {
        name,
        min_args: min,
        max_args: Some(max),
        body: Body::Fn(f),
    }
}

/// A primitive taking any number of arguments from `min` on.
const fn variadic(name: &'static str, min: usize, f: PrimFn) -> Primitive {
    Primitive {
        name,
        min_args: min,
        max_args: None,
        body: Body::Fn(f),
    }
}

/// Every primitive, by group. Statics, not constants: a primitive is compared by address.
static GROUPS: [&[Primitive]; 6] = [
    numbers::PRIMITIVES,
    lists::PRIMITIVES,
    data::PRIMITIVES,
    tables::PRIMITIVES,
    control::PRIMITIVES,
    heap::PRIMITIVES,
];

/// Every primitive.
pub fn all() -> impl Iterator<Item = &'static Primitive> {
    GROUPS.iter().flat_map(|group| group.iter())
}

/// The primitive called `name`, as a value; the compiler uses some directly.
///
/// # Panics
/// If there is no such primitive.
pub fn value<'gc>(name: &str) -> Value<'gc> {
    match all().find(|primitive| primitive.name == name) {
        Some(primitive) => Value::Prim(Prim(primitive)),
        None => panic!("no primitive {name}"),
    }
}

/// The longest printed value an error message quotes in full.
const QUOTED_VALUE_LIMIT: usize = 60;

impl<'gc> Ctx<'_, 'gc> {
    /// The written form of `value`, shortened for an error message.
    pub fn quoted(&self, value: Value<'gc>) -> String {
        let text = render(value, self.symbols, Style::Write);
        match text.char_indices().nth(QUOTED_VALUE_LIMIT) {
            Some((end, _)) => format!("{}...", &text[..end]),
            None => text,
        }
    }

    /// `who: expected <what>, got <value>`.
    pub fn wrong_type(&self, who: &str, what: &str, value: Value<'gc>) -> Error {
        Error::new(format!(
            "{who}: expected {what}, got {}",
            self.quoted(value)
        ))
    }

    pub fn int(&self, who: &str, value: Value<'gc>) -> Result<i64> {
        match value {
            Value::Int(n) => Ok(n),
            _ => Err(self.wrong_type(who, "an integer", value)),
        }
    }

    /// An integer usable as an index or a length.
    pub fn index(&self, who: &str, value: Value<'gc>) -> Result<usize> {
        match value {
            Value::Int(n) if n >= 0 => Ok(n as usize),
            _ => Err(self.wrong_type(who, "a non-negative integer", value)),
        }
    }

    pub fn pair(&self, who: &str, value: Value<'gc>) -> Result<Gc<'gc, Pair<'gc>>> {
        match value {
            Value::Pair(pair) => Ok(pair),
            _ => Err(self.wrong_type(who, "a pair", value)),
        }
    }

    pub fn string(&self, who: &str, value: Value<'gc>) -> Result<Gc<'gc, str>> {
        match value {
            Value::Str(text) => Ok(text),
            _ => Err(self.wrong_type(who, "a string", value)),
        }
    }

    pub fn table(&self, who: &str, value: Value<'gc>) -> Result<Gc<'gc, Table<'gc>>> {
        match value {
            Value::Table(table) => Ok(table),
            _ => Err(self.wrong_type(who, "a hashtable", value)),
        }
    }

    pub fn vector(&self, who: &str, value: Value<'gc>) -> Result<Slots<'gc>> {
        match value {
            Value::Vector(vector) => Ok(vector),
            _ => Err(self.wrong_type(who, "a vector", value)),
        }
    }
}
