//! Compiled code: a tree of managed nodes with variables resolved to frame slots.
//!
//! Code lives in the managed heap like the data it works on: a closure points at its
//! [`Lambda`], and quoted constants are ordinary values inside [`Node::Const`]. Local
//! variables are resolved at compile time to a [`Slot`] (how many frames out, which
//! variable); globals to the [`Global`] cell that holds them. Nodes that can fail at run
//! time carry the position of their source, for the error message.

use tenured_gc::{Gc, GcCell, GcIndexMap, Mutation, Trace};

use crate::error::{Pos, Result};
use crate::symbol::Symbol;
use crate::value::Value;

/// Where a local variable lives: `depth` frames out from the current one, at `index`.
#[derive(Clone, Copy, Trace)]
pub struct Slot {
    pub depth: u32,
    pub index: u32,
}

/// An expression.
#[derive(Trace)]
pub enum Node<'gc> {
    /// A literal or quoted datum.
    Const(Value<'gc>),
    /// A local variable (which letrec may not have initialised yet).
    Local {
        pos: Pos,
        name: Symbol,
        slot: Slot,
    },
    /// A global variable (which may not be defined yet).
    Global {
        pos: Pos,
        global: Gc<'gc, Global<'gc>>,
    },
    /// `set!` of a local variable, or its initialisation by an internal `define`.
    SetLocal {
        slot: Slot,
        value: Gc<'gc, Node<'gc>>,
    },
    /// `set!` of a global variable, which must be defined.
    SetGlobal {
        pos: Pos,
        global: Gc<'gc, Global<'gc>>,
        value: Gc<'gc, Node<'gc>>,
    },
    /// A top-level `define`.
    Define {
        global: Gc<'gc, Global<'gc>>,
        value: Gc<'gc, Node<'gc>>,
    },
    If {
        test: Gc<'gc, Node<'gc>>,
        then: Gc<'gc, Node<'gc>>,
        otherwise: Option<Gc<'gc, Node<'gc>>>,
    },
    Lambda(Gc<'gc, Lambda<'gc>>),
    /// Expressions evaluated in order; the last one's value is the result. At least two.
    Sequence(Nodes<'gc>),
    /// A procedure call: the operator, then the operands.
    Call {
        pos: Pos,
        exprs: Nodes<'gc>,
    },
    /// `let`: the initial values are computed outside the new frame.
    Let(Gc<'gc, Scope<'gc>>),
    /// `letrec` and `letrec*`: the new frame exists while the initial values are computed.
    Letrec(Gc<'gc, Scope<'gc>>),
    /// `and` of at least two expressions.
    And(Nodes<'gc>),
    /// `or` of at least two expressions.
    Or(Nodes<'gc>),
}

/// A sequence of expressions.
pub type Nodes<'gc> = Gc<'gc, [Gc<'gc, Node<'gc>>]>;

/// A `let` or `letrec`: a new frame of `frame_size` variables, the first ones bound to
/// `inits`, the rest to the body's internal definitions.
#[derive(Trace)]
pub struct Scope<'gc> {
    pub inits: Nodes<'gc>,
    pub frame_size: u32,
    pub body: Gc<'gc, Node<'gc>>,
}

/// The code of a procedure.
#[derive(Trace)]
pub struct Lambda<'gc> {
    /// The name it was defined with, for printing and error messages.
    pub name: Option<Symbol>,
    /// The number of parameters before the rest parameter, if any.
    pub required: u32,
    /// Whether the extra arguments are gathered into a list bound to the last parameter.
    pub rest: bool,
    /// Parameters plus internal definitions; no frame is made when it is zero.
    pub frame_size: u32,
    pub body: Gc<'gc, Node<'gc>>,
}

/// A global variable.
#[derive(Trace)]
pub struct Global<'gc> {
    pub name: Symbol,
    pub value: GcCell<'gc, Value<'gc>>,
}

/// The global environment: every global variable the program has mentioned, by name. A
/// `GcIndexMap`, so that a minor collection scans only the globals defined since the last one,
/// however many a program has.
#[derive(Trace)]
pub struct Globals<'gc> {
    table: GcIndexMap<'gc, Symbol, Gc<'gc, Global<'gc>>>,
}

impl<'gc> Globals<'gc> {
    pub fn new(m: &Mutation<'gc>) -> Gc<'gc, Globals<'gc>> {
        Gc::new(
            m,
            Globals {
                table: GcIndexMap::new(),
            },
        )
    }

    /// The variable called `name`, made (undefined) the first time it is mentioned, so
    /// that code can refer to a global before its definition runs.
    pub fn lookup(&self, m: &Mutation<'gc>, name: Symbol) -> Result<Gc<'gc, Global<'gc>>> {
        if let Some(global) = self.table.get(&name) {
            return Ok(global);
        }
        let global = Gc::try_new(
            m,
            Global {
                name,
                value: GcCell::new(Value::Undefined),
            },
        )?;
        self.table.try_insert(m, name, global)?;
        Ok(global)
    }
}
