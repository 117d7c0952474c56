//! Pairs and lists. Every walk over a list notices a circular one instead of looping.

use super::{prim, variadic, Ctx, Primitive};
use crate::error::{Error, Result};
use crate::value::{
    cons, equal, eqv, is_list, list, list_items, list_length, list_with_tail, Value,
};

pub static PRIMITIVES: &[Primitive] = &[
    prim("cons", 2, 2, cons_),
    prim("car", 1, 1, car),
    prim("cdr", 1, 1, cdr),
    prim("set-car!", 2, 2, set_car),
    prim("set-cdr!", 2, 2, set_cdr),
    prim("caar", 1, 1, caar),
    prim("cadr", 1, 1, cadr),
    prim("cdar", 1, 1, cdar),
    prim("cddr", 1, 1, cddr),
    prim("caddr", 1, 1, caddr),
    variadic("list", 0, list_),
    prim("length", 1, 1, length),
    prim("reverse", 1, 1, reverse),
    variadic("append", 0, append),
    prim("list-tail", 2, 2, list_tail),
    prim("list-ref", 2, 2, list_ref),
    prim("null?", 1, 1, is_null),
    prim("pair?", 1, 1, is_pair),
    prim("list?", 1, 1, is_list_),
    prim("memq", 2, 2, memq),
    prim("memv", 2, 2, memv),
    prim("member", 2, 2, member),
    prim("assq", 2, 2, assq),
    prim("assv", 2, 2, assv),
    prim("assoc", 2, 2, assoc),
];

fn cons_<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    cons(cx.m, args[0], args[1])
}

fn car<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(cx.pair("car", args[0])?.car.get())
}

fn cdr<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(cx.pair("cdr", args[0])?.cdr.get())
}

fn set_car<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    cx.pair("set-car!", args[0])?.car.set(cx.m, args[1]);
    Ok(Value::Unspecified)
}

fn set_cdr<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    cx.pair("set-cdr!", args[0])?.cdr.set(cx.m, args[1]);
    Ok(Value::Unspecified)
}

/// Follows `path` (read right to left, as in the name `cadr`: `d` then `a`).
fn walk<'gc>(
    cx: &Ctx<'_, 'gc>,
    who: &str,
    path: &str,
    mut value: Value<'gc>,
) -> Result<Value<'gc>> {
    for step in path.bytes().rev() {
        let pair = cx.pair(who, value)?;
        value = if step == b'a' {
            pair.car.get()
        } else {
            pair.cdr.get()
        };
    }
    Ok(value)
}

fn caar<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    walk(cx, "caar", "aa", args[0])
}

fn cadr<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    walk(cx, "cadr", "ad", args[0])
}

fn cdar<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    walk(cx, "cdar", "da", args[0])
}

fn cddr<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    walk(cx, "cddr", "dd", args[0])
}

fn caddr<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    walk(cx, "caddr", "add", args[0])
}

fn list_<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    list(cx.m, args)
}

fn length<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Int(list_length("length", args[0])? as i64))
}

fn reverse<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let items = list_items("reverse", args[0])?;
    items
        .into_iter()
        .try_fold(Value::Nil, |acc, item| cons(cx.m, item, acc))
}

/// Copies every list but the last, which the result shares.
fn append<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let Some((&last, lists)) = args.split_last() else {
        return Ok(Value::Nil);
    };
    lists.iter().rev().try_fold(last, |tail, &list| {
        list_with_tail(cx.m, &list_items("append", list)?, tail)
    })
}

/// The list after its first `k` pairs.
fn drop_pairs<'gc>(
    cx: &Ctx<'_, 'gc>,
    who: &str,
    list: Value<'gc>,
    k: Value<'gc>,
) -> Result<Value<'gc>> {
    let k = cx.index(who, k)?;
    let mut rest = list;
    for _ in 0..k {
        match rest {
            Value::Pair(pair) => rest = pair.cdr.get(),
            _ => {
                return Err(Error::new(format!(
                    "{who}: index {k} is past the end of the list"
                )))
            }
        }
    }
    Ok(rest)
}

fn list_tail<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    drop_pairs(cx, "list-tail", args[0], args[1])
}

fn list_ref<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    match drop_pairs(cx, "list-ref", args[0], args[1])? {
        Value::Pair(pair) => Ok(pair.car.get()),
        _ => Err(Error::new(format!(
            "list-ref: index {} is past the end of the list",
            cx.quoted(args[1])
        ))),
    }
}

fn is_null<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Bool(matches!(args[0], Value::Nil)))
}

fn is_pair<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Bool(matches!(args[0], Value::Pair(_))))
}

fn is_list_<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Bool(is_list(args[0])))
}

/// The first pair of `list` whose car matches `item`, or `#f`.
fn find_member<'gc>(
    who: &str,
    item: Value<'gc>,
    list: Value<'gc>,
    matches: fn(Value<'gc>, Value<'gc>) -> bool,
) -> Result<Value<'gc>> {
    let mut rest = list;
    for candidate in list_items(who, list)? {
        if matches(item, candidate) {
            return Ok(rest);
        }
        if let Value::Pair(pair) = rest {
            rest = pair.cdr.get();
        }
    }
    Ok(Value::Bool(false))
}

fn memq<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    find_member("memq", args[0], args[1], eqv)
}

fn memv<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    find_member("memv", args[0], args[1], eqv)
}

fn member<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    find_member("member", args[0], args[1], equal)
}

/// The first pair of the association list `alist` whose car matches `key`, or `#f`.
fn find_association<'gc>(
    cx: &Ctx<'_, 'gc>,
    who: &str,
    key: Value<'gc>,
    alist: Value<'gc>,
    matches: fn(Value<'gc>, Value<'gc>) -> bool,
) -> Result<Value<'gc>> {
    for entry in list_items(who, alist)? {
        let pair = cx.pair(who, entry)?;
        if matches(key, pair.car.get()) {
            return Ok(entry);
        }
    }
    Ok(Value::Bool(false))
}

fn assq<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    find_association(cx, "assq", args[0], args[1], eqv)
}

fn assv<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    find_association(cx, "assv", args[0], args[1], eqv)
}

fn assoc<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    find_association(cx, "assoc", args[0], args[1], equal)
}
