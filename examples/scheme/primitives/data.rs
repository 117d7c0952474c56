//! Strings, symbols and vectors.

use tenured_gc::Gc;

use super::{prim, variadic, Ctx, Primitive};
use crate::error::{Error, Result};
use crate::value::{list, list_items, slots, Value};

pub static PRIMITIVES: &[Primitive] = &[
    prim("string?", 1, 1, is_string),
    variadic("string-append", 0, string_append),
    prim("string-length", 1, 1, string_length),
    variadic("string=?", 1, string_equal),
    prim("substring", 2, 3, substring),
    prim("number->string", 1, 2, number_to_string),
    prim("string->number", 1, 2, string_to_number),
    prim("symbol?", 1, 1, is_symbol),
    prim("symbol->string", 1, 1, symbol_to_string),
    prim("string->symbol", 1, 1, string_to_symbol),
    prim("vector?", 1, 1, is_vector),
    prim("make-vector", 1, 2, make_vector),
    variadic("vector", 0, vector),
    prim("vector-length", 1, 1, vector_length),
    prim("vector-ref", 2, 2, vector_ref),
    prim("vector-set!", 3, 3, vector_set),
    prim("vector-fill!", 2, 2, vector_fill),
    prim("vector->list", 1, 1, vector_to_list),
    prim("list->vector", 1, 1, list_to_vector),
];

/// The longest vector `make-vector` makes: a mistyped length is an error, not an abort.
const MAX_VECTOR_LENGTH: usize = 1 << 26;

fn new_string<'gc>(cx: &Ctx<'_, 'gc>, text: &str) -> Result<Value<'gc>> {
    Ok(Value::Str(Gc::try_new_str(cx.m, text)?))
}

fn is_string<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Bool(matches!(args[0], Value::Str(_))))
}

fn string_append<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let mut text = String::new();
    for &arg in args {
        text.push_str(&cx.string("string-append", arg)?);
    }
    new_string(cx, &text)
}

fn string_length<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Int(
        cx.string("string-length", args[0])?.chars().count() as i64,
    ))
}

fn string_equal<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let first = cx.string("string=?", args[0])?;
    let mut all = true;
    for &arg in &args[1..] {
        all &= *cx.string("string=?", arg)? == *first;
    }
    Ok(Value::Bool(all))
}

/// The characters from `start` to `end` (or the end).
fn substring<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let text = cx.string("substring", args[0])?;
    let len = text.chars().count();
    let start = cx.index("substring", args[1])?;
    let end = match args.get(2) {
        Some(&end) => cx.index("substring", end)?,
        None => len,
    };
    if start > end || end > len {
        let message =
            format!("substring: range {start} to {end} is outside a string of length {len}");
        return Err(Error::new(message));
    }
    let part: String = text.chars().skip(start).take(end - start).collect();
    new_string(cx, &part)
}

/// The radix argument of the number conversions: 2 to 36, 10 by default.
fn radix<'gc>(cx: &Ctx<'_, 'gc>, who: &str, arg: Option<&Value<'gc>>) -> Result<u32> {
    match arg {
        None => Ok(10),
        Some(&Value::Int(r)) if (2..=36).contains(&r) => Ok(r as u32),
        Some(&other) => Err(cx.wrong_type(who, "a radix from 2 to 36", other)),
    }
}

fn number_to_string<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let n = cx.int("number->string", args[0])?;
    let radix = radix(cx, "number->string", args.get(1))?;
    let mut digits = Vec::new();
    let mut rest = n.unsigned_abs();
    loop {
        let digit = char::from_digit((rest % u64::from(radix)) as u32, radix).expect("a digit");
        digits.push(digit);
        rest /= u64::from(radix);
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        digits.push('-');
    }
    new_string(cx, &digits.iter().rev().collect::<String>())
}

fn string_to_number<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let text = cx.string("string->number", args[0])?;
    let radix = radix(cx, "string->number", args.get(1))?;
    Ok(match i64::from_str_radix(&text, radix) {
        Ok(n) => Value::Int(n),
        Err(_) => Value::Bool(false),
    })
}

fn is_symbol<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Bool(matches!(args[0], Value::Sym(_))))
}

fn symbol_to_string<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    match args[0] {
        Value::Sym(symbol) => new_string(cx, cx.symbols.name(symbol)),
        other => Err(cx.wrong_type("symbol->string", "a symbol", other)),
    }
}

fn string_to_symbol<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let text = cx.string("string->symbol", args[0])?;
    Ok(Value::Sym(cx.symbols.intern(&text)))
}

fn is_vector<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Bool(matches!(args[0], Value::Vector(_))))
}

fn make_vector<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let len = cx.index("make-vector", args[0])?;
    if len > MAX_VECTOR_LENGTH {
        let message = format!("make-vector: length {len} is over the limit of {MAX_VECTOR_LENGTH}");
        return Err(Error::new(message));
    }
    let fill = args.get(1).copied().unwrap_or(Value::Int(0));
    Ok(Value::Vector(slots(cx.m, std::iter::repeat_n(fill, len))?))
}

fn vector<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Vector(slots(cx.m, args.iter().copied())?))
}

fn vector_length<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Int(cx.vector("vector-length", args[0])?.len() as i64))
}

/// The index argument of `vector-ref` and `vector-set!`, checked against the length.
fn vector_index<'gc>(cx: &Ctx<'_, 'gc>, who: &str, len: usize, index: Value<'gc>) -> Result<usize> {
    let i = cx.index(who, index)?;
    if i >= len {
        return Err(Error::new(format!(
            "{who}: index {i} is out of range for a vector of length {len}"
        )));
    }
    Ok(i)
}

fn vector_ref<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let vector = cx.vector("vector-ref", args[0])?;
    let i = vector_index(cx, "vector-ref", vector.len(), args[1])?;
    Ok(vector[i].get())
}

fn vector_set<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let vector = cx.vector("vector-set!", args[0])?;
    let i = vector_index(cx, "vector-set!", vector.len(), args[1])?;
    vector[i].set(cx.m, args[2]);
    Ok(Value::Unspecified)
}

fn vector_fill<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let vector = cx.vector("vector-fill!", args[0])?;
    for cell in vector.iter() {
        cell.set(cx.m, args[1]);
    }
    Ok(Value::Unspecified)
}

fn vector_to_list<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let vector = cx.vector("vector->list", args[0])?;
    let items: Vec<Value<'gc>> = vector.iter().map(|cell| cell.get()).collect();
    list(cx.m, &items)
}

fn list_to_vector<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let items = list_items("list->vector", args[0])?;
    Ok(Value::Vector(slots(cx.m, items)?))
}
