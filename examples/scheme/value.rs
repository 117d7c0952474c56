//! Scheme values and the managed objects behind them.
//!
//! A [`Value`] is two words and `Copy`: immediate data (integers, booleans, symbols, the
//! empty list) inline, everything else a `Gc` pointer. Every mutable place a program can
//! reach is a [`GcCell`]: the car and cdr of a pair, a vector slot, a variable in a frame.
//! Vectors and frames keep their cells in one managed slice (`Gc<[GcCell<Value>]>`), so a
//! store into one is an ordinary barriered store into a managed object.

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use tenured_gc::{Gc, GcCell, GcHashMap, Mutation, Trace};

use crate::ast::Lambda;
use crate::error::{Error, Result};
use crate::primitives::Primitive;
use crate::symbol::Symbol;

/// A Scheme value.
///
/// `repr(u64)` makes the tag a whole word with the payload in the next: the default layout
/// packs `bool` and `u32` payloads next to a one-byte tag, and rustc then copies a value's
/// bytes 1 to 7 with two overlapping loads, which stall on the stores that wrote them (this
/// cost the interpreter a third of its time).
#[derive(Clone, Copy, Trace)]
#[repr(u64)]
pub enum Value<'gc> {
    /// The empty list.
    Nil,
    Bool(bool),
    Int(i64),
    Sym(Symbol),
    Str(Gc<'gc, str>),
    Pair(Gc<'gc, Pair<'gc>>),
    Vector(Slots<'gc>),
    Closure(Gc<'gc, Closure<'gc>>),
    Prim(Prim),
    /// A hash table keyed by `eqv?` (`make-eqv-hashtable`).
    Table(Gc<'gc, Table<'gc>>),
    /// The value of expressions that have none worth printing (`(if #f #f)`, `set!`).
    Unspecified,
    /// The content of a variable not yet defined; never seen by a program.
    Undefined,
}

/// A sequence of mutable places: a vector's elements or a frame's variables.
pub type Slots<'gc> = Gc<'gc, [GcCell<'gc, Value<'gc>>]>;

/// A cons cell.
#[derive(Trace)]
pub struct Pair<'gc> {
    pub car: GcCell<'gc, Value<'gc>>,
    pub cdr: GcCell<'gc, Value<'gc>>,
}

/// A procedure written in Scheme: its code and the environment it closes over.
#[derive(Trace)]
pub struct Closure<'gc> {
    pub lambda: Gc<'gc, Lambda<'gc>>,
    pub env: Env<'gc>,
}

/// A procedure written in Rust.
#[derive(Clone, Copy, Trace)]
pub struct Prim(#[gc(ignore)] pub &'static Primitive);

/// A hash table whose keys are compared with `eqv?`: an object (a pair, a string, a
/// procedure) is the same key only as itself, whatever it holds.
pub type Table<'gc> = GcHashMap<'gc, EqvKey<'gc>, Value<'gc>>;

/// A value as the key of a [`Table`]: equal to another when `eqv?`, and hashed alike then.
/// An object hashes by its identity hash, which stays the same when the collector moves
/// it, so the table keeps finding the entry.
#[derive(Clone, Copy, Trace)]
pub struct EqvKey<'gc>(pub Value<'gc>);

impl PartialEq for EqvKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        eqv(self.0, other.0)
    }
}

impl Eq for EqvKey<'_> {}

impl Hash for EqvKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(&self.0).hash(state);
        match self.0 {
            Value::Nil | Value::Unspecified | Value::Undefined => {}
            Value::Bool(b) => b.hash(state),
            Value::Int(n) => n.hash(state),
            Value::Sym(symbol) => symbol.hash(state),
            Value::Str(gc) => gc.hash(state),
            Value::Pair(gc) => gc.hash(state),
            Value::Vector(gc) => gc.hash(state),
            Value::Closure(gc) => gc.hash(state),
            // A primitive is a static: its address never changes.
            Value::Prim(prim) => std::ptr::hash(prim.0, state),
            Value::Table(gc) => gc.hash(state),
        }
    }
}

/// The variables of one scope, and the scope around it.
#[derive(Trace)]
pub struct Frame<'gc> {
    pub parent: Env<'gc>,
    pub slots: Slots<'gc>,
}

/// A lexical environment: the innermost frame, or `None` at top level (where variables are
/// globals).
pub type Env<'gc> = Option<Gc<'gc, Frame<'gc>>>;

impl<'gc> Value<'gc> {
    /// Everything but `#f` counts as true.
    pub fn is_true(self) -> bool {
        !matches!(self, Value::Bool(false))
    }
}

/// Allocates a pair.
pub fn cons<'gc>(m: &Mutation<'gc>, car: Value<'gc>, cdr: Value<'gc>) -> Result<Value<'gc>> {
    let pair = Pair {
        car: GcCell::new(car),
        cdr: GcCell::new(cdr),
    };
    Ok(Value::Pair(Gc::try_new(m, pair)?))
}

/// A list of `items` ending in `tail` (`Nil` for a proper list).
pub fn list_with_tail<'gc>(
    m: &Mutation<'gc>,
    items: &[Value<'gc>],
    tail: Value<'gc>,
) -> Result<Value<'gc>> {
    items
        .iter()
        .rev()
        .try_fold(tail, |list, &item| cons(m, item, list))
}

/// A proper list of `items`.
pub fn list<'gc>(m: &Mutation<'gc>, items: &[Value<'gc>]) -> Result<Value<'gc>> {
    list_with_tail(m, items, Value::Nil)
}

/// Allocates a vector or a frame's slots holding `items`.
pub fn slots<'gc>(
    m: &Mutation<'gc>,
    items: impl IntoIterator<Item = Value<'gc>>,
) -> Result<Slots<'gc>> {
    let cells = items.into_iter().map(GcCell::new).collect();
    Ok(Gc::try_from_vec(m, cells)?)
}

/// Calls `visit` with each element of a proper list, or fails naming `who` if `list` is not
/// one (improper, or circular: a second pointer at half speed notices when the walk comes
/// round again).
pub fn for_each_item<'gc>(
    who: &str,
    list: Value<'gc>,
    mut visit: impl FnMut(Value<'gc>),
) -> Result<()> {
    let mut fast = list;
    let mut slow = list;
    let mut count = 0usize;
    loop {
        match fast {
            Value::Nil => return Ok(()),
            Value::Pair(pair) => {
                visit(pair.car.get());
                fast = pair.cdr.get();
            }
            _ => return Err(Error::new(format!("{who}: expected a proper list"))),
        }
        count += 1;
        if count.is_multiple_of(2) {
            slow = cdr_of(slow);
            if let (Value::Pair(a), Value::Pair(b)) = (fast, slow) {
                if Gc::ptr_eq(a, b) {
                    let message = format!("{who}: expected a proper list, got a circular one");
                    return Err(Error::new(message));
                }
            }
        }
    }
}

/// The elements of a proper list (see [`for_each_item`]).
pub fn list_items<'gc>(who: &str, list: Value<'gc>) -> Result<Vec<Value<'gc>>> {
    let mut items = Vec::new();
    for_each_item(who, list, |item| items.push(item))?;
    Ok(items)
}

/// The length of a proper list (see [`for_each_item`]).
pub fn list_length(who: &str, list: Value<'_>) -> Result<usize> {
    let mut length = 0;
    for_each_item(who, list, |_| length += 1)?;
    Ok(length)
}

fn cdr_of(value: Value<'_>) -> Value<'_> {
    match value {
        Value::Pair(pair) => pair.cdr.get(),
        other => other,
    }
}

/// Whether `value` is a proper list (finite and ending in the empty list).
pub fn is_list(value: Value<'_>) -> bool {
    list_length("list?", value).is_ok()
}

/// The address of a managed object, stable for the rest of the mutation scope: for tables
/// that must recognise an object they have seen (printing and comparing cyclic data).
pub fn address<T: tenured_gc::Object + ?Sized>(gc: Gc<'_, T>) -> usize {
    Gc::as_ptr(gc).cast::<u8>() as usize
}

/// `eqv?`: the same object, or the same immediate value.
pub fn eqv<'gc>(a: Value<'gc>, b: Value<'gc>) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil)
        | (Value::Unspecified, Value::Unspecified)
        | (Value::Undefined, Value::Undefined) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Sym(x), Value::Sym(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Pair(x), Value::Pair(y)) => x == y,
        (Value::Vector(x), Value::Vector(y)) => x == y,
        (Value::Closure(x), Value::Closure(y)) => x == y,
        (Value::Prim(x), Value::Prim(y)) => std::ptr::eq(x.0, y.0),
        (Value::Table(x), Value::Table(y)) => x == y,
        _ => false,
    }
}

/// `equal?`: the same shape with `eqv?` leaves and equal strings.
///
/// It terminates on circular data: a pair of objects already being compared is assumed
/// equal (two structures are equal unless some finite path tells them apart).
pub fn equal<'gc>(a: Value<'gc>, b: Value<'gc>) -> bool {
    let mut assumed = HashSet::new();
    let mut pending = vec![(a, b)];
    while let Some((a, b)) = pending.pop() {
        match (a, b) {
            (Value::Str(x), Value::Str(y)) => {
                if *x != *y {
                    return false;
                }
            }
            (Value::Pair(x), Value::Pair(y)) => {
                if assumed.insert((address(x), address(y))) {
                    pending.push((x.cdr.get(), y.cdr.get()));
                    pending.push((x.car.get(), y.car.get()));
                }
            }
            (Value::Vector(x), Value::Vector(y)) => {
                if x.len() != y.len() {
                    return false;
                }
                if assumed.insert((address(x), address(y))) {
                    let pairs = x.iter().zip(y.iter()).rev();
                    pending.extend(pairs.map(|(p, q)| (p.get(), q.get())));
                }
            }
            (a, b) => {
                if !eqv(a, b) {
                    return false;
                }
            }
        }
    }
    true
}

// A value, and the results the machine passes around most, fit in two registers.
const _: () = assert!(std::mem::size_of::<Value<'static>>() == 16);
const _: () = assert!(std::mem::size_of::<Option<Value<'static>>>() == 16);
const _: () = assert!(std::mem::size_of::<Result<Option<Value<'static>>>>() == 16);
