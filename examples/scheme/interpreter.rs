//! The interpreter: one heap, its global environment, and the loop that runs the machine.
//!
//! # Running a form
//! A top-level form is compiled in one mutation scope (the code is rooted), then evaluated
//! by [`Heap::run`]: each step runs a few thousand transitions of the [`Machine`] and hands
//! it back, and between steps the collector may run. So a loop that allocates for minutes
//! keeps a bounded heap.
//!
//! # Slices
//! Every [`STEPS_PER_SLICE`] steps the machine is parked in a rooted managed object and
//! `Heap::run` returns, so the interpreter can sample the heap's size (for the peak it
//! reports); then the machine resumes. A program's output is the same however it is sliced.

use std::io::{self, Write};
use std::ops::ControlFlow;

use tenured_gc::{ConfigError, Gc, GcRefCell, Heap, HeapConfig, Mutation, Root, RunState, Trace};

use crate::ast::{Globals, Node};
use crate::compile::compile;
use crate::error::{Error, Result};
use crate::machine::{show, Machine};
use crate::primitives::{self, Ctx};
use crate::reader::Syntax;
use crate::symbol::Interner;
use crate::value::{Prim, Value};

/// Transitions per step of `Heap::run`: enough to make a collection point cheap, few enough
/// that a step allocates a small part of the nursery.
const TRANSITIONS_PER_STEP: u32 = 4096;

/// Steps per slice: the heap's size is sampled between slices.
const STEPS_PER_SLICE: u32 = 16;

/// A Scheme interpreter.
pub struct Interpreter {
    heap: Heap,
    globals: Root<Globals<'static>>,
    symbols: Interner,
    out: Output,
    command_line: Vec<String>,
    /// The most continuation frames a program may have pending.
    max_depth: usize,
    /// The most bytes the heap has reserved at any sample.
    peak_reserved: usize,
}

/// A machine between slices.
#[derive(Trace)]
struct Parked<'gc> {
    machine: GcRefCell<'gc, Option<Machine<'gc>>>,
}

/// How a slice of evaluation ended.
enum Slice {
    Paused(Root<Parked<'static>>),
    Finished(Result<Option<String>>),
}

/// Parks `machine` in a rooted object, or hands it back if the heap is full.
fn park<'gc>(
    m: &Mutation<'gc>,
    machine: Machine<'gc>,
) -> std::result::Result<Root<Parked<'static>>, Machine<'gc>> {
    let empty = Parked {
        machine: GcRefCell::new(None),
    };
    match Gc::try_new(m, empty) {
        Ok(parked) => {
            *parked.machine.borrow_mut(m) = Some(machine);
            Ok(m.root(parked))
        }
        Err(_) => Err(machine),
    }
}

fn unpark<'gc>(m: &Mutation<'gc>, parked: &Root<Parked<'static>>) -> Machine<'gc> {
    let parked = parked.get(m);
    let machine = parked.machine.borrow_mut(m).take();
    machine.expect("a parked machine resumes once")
}

/// One step of `Heap::run`: a budget of transitions, then the machine goes on, is parked
/// (at the end of a slice), or has finished.
fn step<'gc>(
    cx: &mut Ctx<'_, 'gc>,
    mut machine: Machine<'gc>,
    end_of_slice: bool,
    want_value: bool,
) -> ControlFlow<Slice, Machine<'gc>> {
    match machine.run(cx, TRANSITIONS_PER_STEP) {
        Err(e) => ControlFlow::Break(Slice::Finished(Err(e))),
        Ok(Some(value)) => {
            let shown = want_value.then(|| show(cx, value)).flatten();
            ControlFlow::Break(Slice::Finished(Ok(shown)))
        }
        Ok(None) if !end_of_slice => ControlFlow::Continue(machine),
        Ok(None) => match park(cx.m, machine) {
            Ok(parked) => ControlFlow::Break(Slice::Paused(parked)),
            Err(machine) => ControlFlow::Continue(machine),
        },
    }
}

impl Interpreter {
    /// An interpreter with the primitives defined, writing to standard output.
    /// `command_line` is what `(command-line)` returns; recursion deeper than `max_depth`
    /// pending calls is an error.
    pub fn new(
        config: HeapConfig,
        command_line: Vec<String>,
        max_depth: usize,
    ) -> std::result::Result<Self, ConfigError> {
        let mut heap = Heap::with_config(config)?;
        let mut symbols = Interner::new();
        let globals = heap.mutate(|m| {
            let globals = Globals::new(m);
            for primitive in primitives::all() {
                let name = symbols.intern(primitive.name);
                let global = globals
                    .lookup(m, name)
                    .expect("the primitives fit in any heap");
                global.value.set(m, Value::Prim(Prim(primitive)));
            }
            m.root(globals)
        });
        Ok(Interpreter {
            heap,
            globals,
            symbols,
            out: Output::new(),
            command_line,
            max_depth,
            peak_reserved: 0,
        })
    }

    /// The symbol table, for the reader.
    pub fn symbols(&mut self) -> &mut Interner {
        &mut self.symbols
    }

    /// Compiles and runs one top-level form. With `want_value`, returns the written form
    /// of its value unless it is unspecified.
    pub fn eval(&mut self, syntax: &Syntax, want_value: bool) -> Result<Option<String>> {
        let Interpreter {
            heap,
            globals,
            symbols,
            ..
        } = self;
        let code = heap.mutate(|m| {
            let code = compile(m, symbols, globals.get(m), syntax)?;
            Ok::<_, Error>(m.root(code))
        })?;
        self.execute(&code, want_value)
    }

    fn execute(&mut self, code: &Root<Node<'static>>, want_value: bool) -> Result<Option<String>> {
        let mut parked: Option<Root<Parked<'static>>> = None;
        loop {
            let Interpreter {
                heap,
                symbols,
                out,
                command_line,
                max_depth,
                ..
            } = self;
            let mut steps = 0;
            let slice = heap.run(
                |m| {
                    RunState::new(match &parked {
                        Some(parked) => unpark(m, parked),
                        None => Machine::new(code.get(m), *max_depth),
                    })
                },
                |m, machine| {
                    let mut cx = Ctx {
                        m,
                        symbols: &mut *symbols,
                        out: &mut *out,
                        command_line,
                    };
                    steps += 1;
                    step(&mut cx, machine, steps == STEPS_PER_SLICE, want_value)
                },
            );
            self.sample();
            match slice {
                Slice::Paused(next) => parked = Some(next),
                Slice::Finished(result) => return result,
            }
        }
    }

    fn sample(&mut self) {
        self.peak_reserved = self.peak_reserved.max(self.heap.stats().heap_reserved);
    }

    /// Writes the program's pending output.
    pub fn flush(&mut self) {
        // A closed standard output is not worth a second error message.
        let _ = self.out.flush();
    }

    /// Makes sure the program's output ends with a newline, for a REPL that prints next.
    pub fn fresh_line(&mut self) {
        if !self.out.at_line_start {
            let _ = self.out.write_all(b"\n");
        }
        self.flush();
    }

    /// Prints `text` on a line of its own in the program's output.
    pub fn print_line(&mut self, text: &str) {
        self.fresh_line();
        let _ = writeln!(self.out, "{text}");
    }

    /// Writes a heap snapshot to `path` (what the globals reach) and reports it on standard
    /// error.
    pub fn write_heap_snapshot(&self, path: &str) {
        primitives::heap::write_snapshot(path, |file| {
            let s = self.heap.write_heap_snapshot(file)?;
            Ok(format!(
                "{} nodes, {} edges, {} bytes",
                s.nodes, s.edges, s.bytes
            ))
        })
    }

    /// The census of what the globals reach, as a table.
    pub fn census(&self) -> String {
        self.heap.census().to_string()
    }

    /// One line of heap statistics.
    pub fn stats_line(&mut self) -> String {
        self.sample();
        let stats = self.heap.stats();
        let pause_total = stats.minor.total + stats.major.total;
        let pause_max = stats.minor.max.max(stats.major.max);
        format!(
            "gc: minor={} major={} pause_total_ms={:.3} pause_max_ms={:.3} \
             peak_reserved_kib={} allocated_mib={}",
            stats.minor.count,
            stats.major.count,
            pause_total.as_secs_f64() * 1e3,
            pause_max.as_secs_f64() * 1e3,
            self.peak_reserved / 1024,
            stats.bytes_allocated / (1024 * 1024),
        )
    }
}

/// Standard output, remembering whether it is at the start of a line.
struct Output {
    inner: io::Stdout,
    at_line_start: bool,
}

impl Output {
    fn new() -> Self {
        Output {
            inner: io::stdout(),
            at_line_start: true,
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buf)?;
        if let Some(&last) = buf[..written].last() {
            self.at_line_start = last == b'\n';
        }
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
