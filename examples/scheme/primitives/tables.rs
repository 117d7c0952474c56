//! Hash tables keyed by `eqv?`, with R6RS's names: `make-eqv-hashtable` (and
//! `make-eq-hashtable`, the same here), `hashtable-set!`, `hashtable-ref`,
//! `hashtable-delete!`, `hashtable-contains?`, `hashtable-size`, `hashtable-keys` and
//! `hashtable?`.
//!
//! A table is a managed [`tenured_gc::GcHashMap`]: its keys may be pairs, vectors, strings
//! or procedures, found by identity after any number of collections, however often the
//! collector has moved them.

use tenured_gc::{Gc, GcHashMap};

use super::{prim, Ctx, Primitive};
use crate::error::Result;
use crate::value::{slots, EqvKey, Value};

pub static PRIMITIVES: &[Primitive] = &[
    prim("make-eqv-hashtable", 0, 0, make_table),
    prim("make-eq-hashtable", 0, 0, make_table),
    prim("hashtable?", 1, 1, is_table),
    prim("hashtable-set!", 3, 3, table_set),
    prim("hashtable-ref", 3, 3, table_ref),
    prim("hashtable-delete!", 2, 2, table_delete),
    prim("hashtable-contains?", 2, 2, table_contains),
    prim("hashtable-size", 1, 1, table_size),
    prim("hashtable-keys", 1, 1, table_keys),
];

fn make_table<'gc>(cx: &mut Ctx<'_, 'gc>, _: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Table(Gc::try_new(cx.m, GcHashMap::new())?))
}

fn is_table<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Bool(matches!(args[0], Value::Table(_))))
}

fn table_set<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let table = cx.table("hashtable-set!", args[0])?;
    table.try_insert(cx.m, EqvKey(args[1]), args[2])?;
    Ok(Value::Unspecified)
}

/// `(hashtable-ref TABLE KEY DEFAULT)`: KEY's value, or DEFAULT.
fn table_ref<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let table = cx.table("hashtable-ref", args[0])?;
    Ok(table.get(&EqvKey(args[1])).unwrap_or(args[2]))
}

fn table_delete<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let table = cx.table("hashtable-delete!", args[0])?;
    table.remove(cx.m, &EqvKey(args[1]));
    Ok(Value::Unspecified)
}

fn table_contains<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let table = cx.table("hashtable-contains?", args[0])?;
    Ok(Value::Bool(table.contains_key(&EqvKey(args[1]))))
}

fn table_size<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Int(cx.table("hashtable-size", args[0])?.len() as i64))
}

/// `(hashtable-keys TABLE)`: a vector of the keys, in the order they were added (as changed
/// by deletions).
fn table_keys<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let table = cx.table("hashtable-keys", args[0])?;
    let keys: Vec<_> = table.iter().map(|(key, _)| key.0).collect();
    Ok(Value::Vector(slots(cx.m, keys)?))
}
