//! Looking inside the heap from a program: `heap-snapshot`, `heap-census` and `why-alive`.
//!
//! A primitive runs inside a step of the machine, where the heap cannot be walked; each of
//! these asks tenured-gc to look at the collection point after the step
//! (`Mutation::inspect_after_scope`), where the machine's state, its environments and
//! continuation included, is a root beside the globals. Their reports go to standard error.

use std::fs::File;

use tenured_gc::{Gc, Mutation, Object, Rebrand};

use super::{prim, Ctx, Primitive};
use crate::error::Result;
use crate::value::Value;

pub static PRIMITIVES: &[Primitive] = &[
    prim("heap-snapshot", 1, 1, heap_snapshot),
    prim("heap-census", 0, 0, heap_census),
    prim("why-alive", 1, 1, why_alive),
];

/// Writes a heap snapshot to `path`, in the V8 format Chrome DevTools opens; reports it.
pub fn write_snapshot(path: &str, write: impl FnOnce(File) -> std::io::Result<String>) {
    match File::create(path).and_then(write) {
        Ok(summary) => eprintln!("heap snapshot: {summary} written to {path}"),
        Err(e) => eprintln!("heap-snapshot: cannot write {path}: {e}"),
    }
}

/// `(heap-snapshot "FILE")`: writes a snapshot of the heap to FILE after the current step.
fn heap_snapshot<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let path = cx.string("heap-snapshot", args[0])?.to_string();
    cx.m.inspect_after_scope(move |heap| {
        write_snapshot(&path, |file| {
            let s = heap.write_heap_snapshot(file)?;
            Ok(format!(
                "{} nodes, {} edges, {} bytes",
                s.nodes, s.edges, s.bytes
            ))
        })
    });
    Ok(Value::Unspecified)
}

/// `(heap-census)`: prints what the globals reach, by type, after the current step.
fn heap_census<'gc>(cx: &mut Ctx<'_, 'gc>, _: &[Value<'gc>]) -> Result<Value<'gc>> {
    cx.m.inspect_after_scope(|heap| eprint!("{}", heap.census()));
    Ok(Value::Unspecified)
}

/// Prints, after the current step, why the object of `gc` is alive.
fn report_path<'gc, T>(m: &Mutation<'gc>, shown: String, gc: Gc<'gc, T>)
where
    T: ?Sized + Object + Rebrand<'static>,
{
    let weak = m.weak_root(gc);
    m.inspect_after_scope(move |heap| match heap.retainer_path(&weak) {
        Some(path) => eprintln!("why-alive {shown}: {path}"),
        None => eprintln!("why-alive {shown}: nothing reaches it"),
    });
}

/// `(why-alive VALUE)`: prints the shortest path of references that keeps VALUE alive.
fn why_alive<'gc>(cx: &mut Ctx<'_, 'gc>, args: &[Value<'gc>]) -> Result<Value<'gc>> {
    let shown = cx.quoted(args[0]);
    match args[0] {
        Value::Str(gc) => report_path(cx.m, shown, gc),
        Value::Pair(gc) => report_path(cx.m, shown, gc),
        Value::Vector(gc) => report_path(cx.m, shown, gc),
        Value::Closure(gc) => report_path(cx.m, shown, gc),
        Value::Table(gc) => report_path(cx.m, shown, gc),
        value => return Err(cx.wrong_type("why-alive", "an object in the heap", value)),
    }
    Ok(Value::Unspecified)
}
