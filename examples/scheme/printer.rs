//! Printing values the way `display` and `write` do.
//!
//! `write` quotes and escapes strings; `display` prints their characters. Both print
//! circular structure with datum labels, as R7RS asks: `#0=(1 2 . #0#)`. A first pass finds
//! the pairs and vectors that are reached again while still being printed (the targets of
//! back edges); only those get a label.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use crate::symbol::Interner;
use crate::value::{address, Value};

/// How strings are printed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Display,
    Write,
}

/// Structure nested deeper than this (through cars and vector elements) prints as `...`,
/// so that printing never exhausts the Rust stack.
const MAX_DEPTH: usize = 10_000;

/// The printed form of `value`.
pub fn render(value: Value<'_>, symbols: &Interner, style: Style) -> String {
    let mut printer = Printer {
        out: String::new(),
        symbols,
        style,
        labels: cycle_targets(value),
        next_label: 0,
    };
    printer.value(value, 0);
    printer.out
}

/// The address of a pair or vector.
fn compound_address(value: Value<'_>) -> Option<usize> {
    match value {
        Value::Pair(pair) => Some(address(pair)),
        Value::Vector(vector) => Some(address(vector)),
        _ => None,
    }
}

/// The objects that need a label: those reached again from inside themselves. Maps each to
/// its label number once it has been printed.
fn cycle_targets(root: Value<'_>) -> HashMap<usize, Option<u32>> {
    enum Visit<'gc> {
        Enter(Value<'gc>),
        Exit(usize),
    }
    let mut targets = HashMap::new();
    if compound_address(root).is_none() {
        return targets;
    }
    let mut on_path = HashSet::new();
    let mut finished = HashSet::new();
    let mut work = vec![Visit::Enter(root)];
    while let Some(visit) = work.pop() {
        let value = match visit {
            Visit::Exit(addr) => {
                on_path.remove(&addr);
                finished.insert(addr);
                continue;
            }
            Visit::Enter(value) => value,
        };
        let Some(addr) = compound_address(value) else {
            continue;
        };
        if on_path.contains(&addr) {
            targets.insert(addr, None);
            continue;
        }
        if !finished.contains(&addr) {
            on_path.insert(addr);
            work.push(Visit::Exit(addr));
            match value {
                Value::Pair(pair) => {
                    work.push(Visit::Enter(pair.cdr.get()));
                    work.push(Visit::Enter(pair.car.get()));
                }
                Value::Vector(vector) => {
                    work.extend(vector.iter().rev().map(|cell| Visit::Enter(cell.get())));
                }
                _ => {}
            }
        }
    }
    targets
}

struct Printer<'a> {
    out: String,
    symbols: &'a Interner,
    style: Style,
    labels: HashMap<usize, Option<u32>>,
    next_label: u32,
}

impl Printer<'_> {
    fn value(&mut self, value: Value<'_>, depth: usize) {
        if depth > MAX_DEPTH {
            self.out.push_str("...");
            return;
        }
        match value {
            Value::Nil => self.out.push_str("()"),
            Value::Bool(true) => self.out.push_str("#t"),
            Value::Bool(false) => self.out.push_str("#f"),
            Value::Int(n) => write!(self.out, "{n}").expect("writing to a String"),
            Value::Sym(symbol) => self.out.push_str(self.symbols.name(symbol)),
            Value::Str(text) if self.style == Style::Display => self.out.push_str(&text),
            Value::Str(text) => self.string_literal(&text),
            Value::Pair(pair) => {
                if self.label(address(pair)) {
                    self.list(value, depth);
                }
            }
            Value::Vector(vector) => {
                if self.label(address(vector)) {
                    self.out.push_str("#(");
                    for (i, cell) in vector.iter().enumerate() {
                        if i > 0 {
                            self.out.push(' ');
                        }
                        self.value(cell.get(), depth + 1);
                    }
                    self.out.push(')');
                }
            }
            Value::Closure(closure) => match closure.lambda.name {
                Some(name) => write!(self.out, "#<procedure {}>", self.symbols.name(name))
                    .expect("writing to a String"),
                None => self.out.push_str("#<procedure>"),
            },
            Value::Prim(prim) => {
                write!(self.out, "#<procedure {}>", prim.0.name).expect("writing to a String")
            }
            Value::Table(table) => {
                write!(self.out, "#<hashtable {}>", table.len()).expect("writing to a String")
            }
            Value::Unspecified => self.out.push_str("#<unspecified>"),
            Value::Undefined => self.out.push_str("#<undefined>"),
        }
    }

    /// Prints the label of a labelled object: its definition (`#0=`) the first time, and
    /// returns `true` if the object's contents must follow; its reference (`#0#`) later.
    fn label(&mut self, addr: usize) -> bool {
        match self.labels.get_mut(&addr) {
            None => true,
            Some(Some(label)) => {
                write!(self.out, "#{label}#").expect("writing to a String");
                false
            }
            Some(slot @ None) => {
                let label = self.next_label;
                self.next_label += 1;
                *slot = Some(label);
                write!(self.out, "#{label}=").expect("writing to a String");
                true
            }
        }
    }

    /// A list, walking its cdrs in a loop: a long list is not deep.
    fn list(&mut self, list: Value<'_>, depth: usize) {
        self.out.push('(');
        let mut rest = list;
        let mut first = true;
        loop {
            match rest {
                Value::Pair(pair) if first || !self.labels.contains_key(&address(pair)) => {
                    if !first {
                        self.out.push(' ');
                    }
                    first = false;
                    self.value(pair.car.get(), depth + 1);
                    rest = pair.cdr.get();
                }
                Value::Nil => break,
                tail => {
                    self.out.push_str(" . ");
                    self.value(tail, depth + 1);
                    break;
                }
            }
        }
        self.out.push(')');
    }

    fn string_literal(&mut self, text: &str) {
        self.out.push('"');
        for c in text.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\t' => self.out.push_str("\\t"),
                '\r' => self.out.push_str("\\r"),
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }
}
