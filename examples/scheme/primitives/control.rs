//! Equivalence, type predicates, `apply`, output, `error` and `command-line`.

use super::{prim, variadic, Body, Ctx, Primitive};
use crate::error::{Error, Result};
use crate::printer::{render, Style};
use crate::value::{self, eqv, Value};

pub static PRIMITIVES: &[Primitive] = &[
    prim("not", 1, 1, not),
    prim("eq?", 2, 2, is_eqv),
    prim("eqv?", 2, 2, is_eqv),
    prim("equal?", 2, 2, is_equal),
    prim("boolean?", 1, 1, is_boolean),
    prim("procedure?", 1, 1, is_procedure),
    Primitive {
        name: "apply",
        min_args: 2,
        max_args: None,
        body: Body::Apply,
    },
    prim("display", 1, 1, display),
    prim("write", 1, 1, write),
    prim("newline", 0, 0, newline),
    variadic("error", 1, error),
    prim("command-line", 0, 0, command_line),
];

fn not<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Bool(!args[0].is_true()))
}

fn is_eqv<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Bool(eqv(args[0], args[1])))
}

fn is_equal<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Bool(value::equal(args[0], args[1])))
}

fn is_boolean<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Bool(matches!(args[0], Value::Bool(_))))
}

fn is_procedure<'gc>(_: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    Ok(Value::Bool(matches!(
        args[0],
        Value::Closure(_) | Value::Prim(_)
    )))
}

/// Writes `text` to the program's output.
fn output<'gc>(cx: &mut Ctx<'_, 'gc>, who: &str, text: &str) -> Result<Value<'gc>> {
    cx.out
        .write_all(text.as_bytes())
        .map_err(|e| Error::new(format!("{who}: cannot write the output: {e}")))?;
    Ok(Value::Unspecified)
}

fn display<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let text = render(args[0], cx.symbols, Style::Display);
    output(cx, "display", &text)
}

fn write<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let text = render(args[0], cx.symbols, Style::Write);
    output(cx, "write", &text)
}

fn newline<'gc>(cx: &mut Ctx<'_, 'gc>, _: &[Value<'gc>]) -> Result<Value<'gc>> {
    output(cx, "newline", "\n")
}

/// `(error message irritant ...)`: stops the program with the message and the irritants.
fn error<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let mut message = render(args[0], cx.symbols, Style::Display);
    for (i, &irritant) in args[1..].iter().enumerate() {
        message.push_str(if i == 0 { ": " } else { " " });
        message.push_str(&render(irritant, cx.symbols, Style::Write));
    }
    Err(Error::new(message))
}

/// The program's name and its arguments, as a list of strings.
fn command_line<'gc>(cx: &mut Ctx<'_, 'gc>, _: &[Value<'gc>]) -> Result<Value<'gc>> {
    let words = cx.command_line.iter().map(|word| {
        let text = tenured_gc::Gc::try_new_str(cx.m, word)?;
        Ok(Value::Str(text))
    });
    value::list(cx.m, &words.collect::<Result<Vec<_>>>()?)
}
