//! Integer arithmetic and comparison. Results that do not fit in 64 bits are errors.

use super::{prim, variadic, Ctx, Primitive};
use crate::error::{Error, Result};
use crate::value::Value;

pub static PRIMITIVES: &[Primitive] = &[
    variadic("+", 0, add),
    variadic("-", 1, subtract),
    variadic("*", 0, multiply),
    prim("quotient", 2, 2, quotient),
    prim("remainder", 2, 2, remainder),
    prim("modulo", 2, 2, modulo),
    variadic("=", 1, equal),
    variadic("<", 1, less),
    variadic(">", 1, greater),
    variadic("<=", 1, less_or_equal),
    variadic(">=", 1, greater_or_equal),
    prim("zero?", 1, 1, is_zero),
    prim("positive?", 1, 1, is_positive),
    prim("negative?", 1, 1, is_negative),
    prim("even?", 1, 1, is_even),
    prim("odd?", 1, 1, is_odd),
    prim("abs", 1, 1, abs),
    variadic("min", 1, min),
    variadic("max", 1, max),
    prim("number?", 1, 1, is_number),
    prim("integer?", 1, 1, is_number),
];

fn overflow(who: &str) -> Error {
    Error::new(format!("{who}: integer overflow"))
}

/// Folds the integer arguments with a checked operation.
fn fold<'gc>(
    cx: &Ctx<'_, 'gc>,
    who: &str,
    init: i64,
    args: &[Value<'gc>],
    op: fn(i64, i64) -> Option<i64>,
) -> Result<Value<'gc>> {
    let mut acc = init;
    for &arg in args {
        acc = op(acc, cx.int(who, arg)?).ok_or_else(|| overflow(who))?;
    }
    Ok(Value::Int(acc))
}

fn add<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    fold(cx, "+", 0, args, i64::checked_add)
}

fn multiply<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    fold(cx, "*", 1, args, i64::checked_mul)
}

fn subtract<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let first = cx.int("-", args[0])?;
    if args.len() == 1 {
        return first
            .checked_neg()
            .map(Value::Int)
            .ok_or_else(|| overflow("-"));
    }
    fold(cx, "-", first, &args[1..], i64::checked_sub)
}

/// The two integer arguments of a division, the divisor non-zero.
fn division_args<'gc>(cx: &Ctx<'_, 'gc>, who: &str, args: &[Value<'gc>]) -> Result<(i64, i64)> {
    let (n, d) = (cx.int(who, args[0])?, cx.int(who, args[1])?);
    if d == 0 {
        return Err(Error::new(format!("{who}: division by zero")));
    }
    Ok((n, d))
}

fn quotient<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let (n, d) = division_args(cx, "quotient", args)?;
    n.checked_div(d)
        .map(Value::Int)
        .ok_or_else(|| overflow("quotient"))
}

fn remainder<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let (n, d) = division_args(cx, "remainder", args)?;
    Ok(Value::Int(n.checked_rem(d).unwrap_or(0)))
}

/// The remainder with the sign of the divisor.
fn modulo<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let (n, d) = division_args(cx, "modulo", args)?;
    let r = n.checked_rem(d).unwrap_or(0);
    Ok(Value::Int(if r != 0 && (r < 0) != (d < 0) {
        r + d
    } else {
        r
    }))
}

/// Whether `holds` holds between each argument and the next.
fn compare<'gc>(
    cx: &Ctx<'_, 'gc>,
    who: &str,
    args: &[Value<'gc>],
    holds: fn(&i64, &i64) -> bool,
) -> Result<Value<'gc>> {
    let mut previous = cx.int(who, args[0])?;
    let mut all = true;
    for &arg in &args[1..] {
        let next = cx.int(who, arg)?;
        all &= holds(&previous, &next);
        previous = next;
    }
    Ok(Value::Bool(all))
}

fn equal<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    compare(cx, "=", args, i64::eq)
}

fn less<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    compare(cx, "<", args, i64::lt)
}

fn greater<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    compare(cx, ">", args, i64::gt)
}

fn less_or_equal<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    compare(cx, "<=", args, i64::le)
}

fn greater_or_equal<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    compare(cx, ">=", args, i64::ge)
}

/// A predicate on one integer.
fn test<'gc>(
    cx: &Ctx<'_, 'gc>,
    who: &str,
    arg: Value<'gc>,
    holds: fn(i64) -> bool,
) -> Result<Value<'gc>> {
    Ok(Value::Bool(holds(cx.int(who, arg)?)))
}

fn is_zero<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    test(cx, "zero?", args[0], |n| n == 0)
}

fn is_positive<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    test(cx, "positive?", args[0], |n| n > 0)
}

fn is_negative<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    test(cx, "negative?", args[0], |n| n < 0)
}

fn is_even<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    test(cx, "even?", args[0], |n| n % 2 == 0)
}

fn is_odd<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    test(cx, "odd?", args[0], |n| n % 2 != 0)
}

fn abs<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let n = cx.int("abs", args[0])?;
    n.checked_abs()
        .map(Value::Int)
        .ok_or_else(|| overflow("abs"))
}

fn min<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    fold(cx, "min", i64::MAX, args, |a, b| Some(a.min(b)))
}

fn max<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    fold(cx, "max", i64::MIN, args, |a, b| Some(a.max(b)))
}

fn is_number<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Bool(matches!(args[0], Value::Int(_))))
}
