//! The evaluator: a CEK machine whose whole state is one traced value.
//!
//! # State
//! A [`Machine`] holds the *control* (a node to evaluate, or a value just computed), the
//! *environment* (the innermost frame), the *continuation* (a stack of [`Kont`] frames, each
//! saying what to do with the next value) and a stack of evaluated operands. All of it is
//! traced: the interpreter hands the machine to [`Heap::run`](tenured_gc::Heap::run), which
//! collects between steps with the machine as a root. No Rust recursion holds a `Gc`, so
//! recursion in Scheme is bounded by memory, not by the Rust stack.
//!
//! # Transitions
//! [`Machine::run`] performs transitions until the program finishes or a budget is spent.
//! Evaluating a compound node pushes a frame and evaluates its first part; a value pops the
//! top frame and resumes it. Constants, variables and `lambda`s in operand position are
//! evaluated on the spot, without a frame.
//!
//! # Tail calls
//! A call pushes frames only while its operands are evaluated; when it is applied, the
//! continuation is the call's own. The last expression of a body, a branch of `if`, the
//! last operand of `and` and `or` are evaluated without pushing a frame. So every tail call
//! runs in constant space.

use tenured_gc::{Gc, GcCell, Mutation, Trace};

use crate::ast::{Global, Lambda, Node, Nodes, Scope, Slot};
use crate::error::{Error, Pos, Result};
use crate::primitives::{Body, Ctx};
use crate::printer::{render, Style};
use crate::value::{self, Closure, Env, Frame, Prim, Value};

/// The most continuation frames a program may have pending unless the interpreter says
/// otherwise (about 40 bytes each): deeper recursion is an error, not an exhausted memory.
pub const DEFAULT_MAX_DEPTH: usize = 4_000_000;

/// An evaluation in progress.
#[derive(Trace)]
pub struct Machine<'gc> {
    control: Control<'gc>,
    env: Env<'gc>,
    stack: Vec<Kont<'gc>>,
    /// Operands evaluated so far, for the calls and `let`s on the stack.
    values: Vec<Value<'gc>>,
    /// The most frames `stack` may hold.
    max_depth: usize,
}

#[derive(Clone, Copy, Trace)]
enum Control<'gc> {
    Eval(Gc<'gc, Node<'gc>>),
    Return(Value<'gc>),
}

/// What to do with the value being computed.
#[derive(Trace)]
enum Kont<'gc> {
    /// Choose a branch of an `if`.
    Branch {
        then: Gc<'gc, Node<'gc>>,
        otherwise: Option<Gc<'gc, Node<'gc>>>,
        env: Env<'gc>,
    },
    /// Drop the value of `exprs[index]` and go on with the next expression.
    Sequence {
        exprs: Nodes<'gc>,
        index: u32,
        env: Env<'gc>,
    },
    /// Keep the value of operand `index` and go on with the next one.
    Operands {
        site: Site<'gc>,
        exprs: Nodes<'gc>,
        index: u32,
        env: Env<'gc>,
    },
    /// Store the value of init `index` of a `letrec` in its frame and go on.
    Letrec {
        scope: Gc<'gc, Scope<'gc>>,
        index: u32,
        frame: Gc<'gc, Frame<'gc>>,
    },
    /// Store the value in a variable.
    Assign { target: Target<'gc>, env: Env<'gc> },
    /// Stop at a false value (`and`) or a true one (`or`), or go on with the next operand.
    Logic {
        exprs: Nodes<'gc>,
        index: u32,
        env: Env<'gc>,
        and: bool,
    },
}

/// What operands are evaluated for.
#[derive(Clone, Copy, Trace)]
enum Site<'gc> {
    /// A call at this position: the first value is the procedure.
    Call(Pos),
    /// A `let`: the values fill a new frame.
    Let(Gc<'gc, Scope<'gc>>),
}

/// A variable that receives a value.
#[derive(Clone, Copy, Trace)]
enum Target<'gc> {
    Local(Slot),
    /// `set!` of a global, which must be defined already.
    Global(Pos, Gc<'gc, Global<'gc>>),
    /// A top-level definition.
    Define(Gc<'gc, Global<'gc>>),
}

/// The frame `depth` frames out from `env`.
fn frame_at<'gc>(env: Env<'gc>, depth: u32) -> Gc<'gc, Frame<'gc>> {
    let mut frame = env.expect("the compiler resolved the variable to a frame");
    for _ in 0..depth {
        frame = frame.parent.expect("the compiler counted the frames");
    }
    frame
}

/// The cell of a local variable.
fn local<'gc>(env: Env<'gc>, slot: Slot) -> &'gc GcCell<'gc, Value<'gc>> {
    &Gc::as_ref(frame_at(env, slot.depth).slots)[slot.index as usize]
}

/// A new frame holding `values`.
fn new_frame<'gc>(
    m: &Mutation<'gc>,
    parent: Env<'gc>,
    values: impl IntoIterator<Item = Value<'gc>>,
) -> Result<Gc<'gc, Frame<'gc>>> {
    let slots = value::slots(m, values)?;
    Ok(Gc::try_new(m, Frame { parent, slots })?)
}

/// The value of a node that needs no continuation (a constant, a variable, a `lambda`), or
/// `None` for any other node.
#[inline(always)]
fn immediate<'gc>(
    cx: &Ctx<'_, 'gc>,
    node: &Node<'gc>,
    env: Env<'gc>,
) -> Result<Option<Value<'gc>>> {
    Ok(Some(match *node {
        Node::Const(value) => value,
        Node::Local { pos, name, slot } => match local(env, slot).get() {
            Value::Undefined => {
                let message = format!("{} is used before its definition", cx.symbols.name(name));
                return Err(Error::at(pos, message));
            }
            value => value,
        },
        Node::Global { pos, global } => match global.value.get() {
            Value::Undefined => {
                let message = format!("unbound variable: {}", cx.symbols.name(global.name));
                return Err(Error::at(pos, message));
            }
            value => value,
        },
        Node::Lambda(lambda) => Value::Closure(Gc::try_new(cx.m, Closure { lambda, env })?),
        _ => return Ok(None),
    }))
}

impl<'gc> Machine<'gc> {
    /// A machine about to evaluate `code` at top level, with at most `max_depth` frames of
    /// continuation.
    pub fn new(code: Gc<'gc, Node<'gc>>, max_depth: usize) -> Self {
        Machine {
            control: Control::Eval(code),
            env: None,
            stack: Vec::new(),
            values: Vec::new(),
            max_depth,
        }
    }

    /// Runs up to `budget` transitions. Returns the program's value if it finished.
    ///
    /// An error without a position of its own (running out of memory or stack) is placed at
    /// the innermost call still pending.
    pub fn run(&mut self, cx: &mut Ctx<'_, 'gc>, budget: u32) -> Result<Option<Value<'gc>>> {
        self.transitions(cx, budget)
            .map_err(|e| match self.innermost_call() {
                Some(pos) => e.or_at(pos),
                None => e,
            })
    }

    /// The transitions of [`Machine::run`]. The control register stays in a local while
    /// they run: each returns the next control in registers instead of storing it in the
    /// machine.
    fn transitions(&mut self, cx: &mut Ctx<'_, 'gc>, budget: u32) -> Result<Option<Value<'gc>>> {
        let mut control = self.control;
        for _ in 0..budget {
            control = match control {
                Control::Eval(node) => self.eval(cx, node)?,
                Control::Return(value) => match self.stack.pop() {
                    Some(kont) => self.resume(cx, kont, value)?,
                    None => return Ok(Some(value)),
                },
            };
        }
        self.control = control;
        Ok(None)
    }

    /// Where the innermost call whose operands are being evaluated is.
    fn innermost_call(&self) -> Option<Pos> {
        self.stack.iter().rev().find_map(|kont| match kont {
            Kont::Operands {
                site: Site::Call(pos),
                ..
            } => Some(*pos),
            _ => None,
        })
    }

    fn push(&mut self, kont: Kont<'gc>) -> Result<()> {
        if self.stack.len() >= self.max_depth {
            let depth = self.max_depth;
            return Err(Error::new(format!(
                "recursion too deep: more than {depth} calls pending"
            )));
        }
        self.stack.push(kont);
        Ok(())
    }

    /// Goes on with `node` in `env`, with nothing new pending.
    fn tail(&mut self, node: Gc<'gc, Node<'gc>>, env: Env<'gc>) -> Control<'gc> {
        self.env = env;
        Control::Eval(node)
    }

    /// Pushes `kont` and evaluates `node` in `env`.
    fn push_eval(
        &mut self,
        kont: Kont<'gc>,
        node: Gc<'gc, Node<'gc>>,
        env: Env<'gc>,
    ) -> Result<Control<'gc>> {
        self.push(kont)?;
        Ok(self.tail(node, env))
    }

    fn eval(&mut self, cx: &mut Ctx<'_, 'gc>, node: Gc<'gc, Node<'gc>>) -> Result<Control<'gc>> {
        let env = self.env;
        match *node {
            Node::Const(_) | Node::Local { .. } | Node::Global { .. } | Node::Lambda(_) => {
                let value = immediate(cx, &node, env)?.expect("an immediate node");
                Ok(Control::Return(value))
            }
            Node::If {
                test,
                then,
                otherwise,
            } => {
                let kont = Kont::Branch {
                    then,
                    otherwise,
                    env,
                };
                self.push_eval(kont, test, env)
            }
            Node::Sequence(exprs) => self.sequence(exprs, 0, env),
            Node::Call { pos, exprs } => self.operands(cx, Site::Call(pos), exprs, 0, env),
            Node::Let(scope) => self.operands(cx, Site::Let(scope), scope.inits, 0, env),
            Node::Letrec(scope) => {
                let undefined = std::iter::repeat_n(Value::Undefined, scope.frame_size as usize);
                let frame = new_frame(cx.m, env, undefined)?;
                self.letrec(cx, scope, 0, frame)
            }
            Node::SetLocal { slot, value } => self.assign(cx, Target::Local(slot), value, env),
            Node::SetGlobal { pos, global, value } => {
                self.assign(cx, Target::Global(pos, global), value, env)
            }
            Node::Define { global, value } => self.assign(cx, Target::Define(global), value, env),
            Node::And(exprs) => self.logic(exprs, 0, env, true),
            Node::Or(exprs) => self.logic(exprs, 0, env, false),
        }
    }

    fn resume(
        &mut self,
        cx: &mut Ctx<'_, 'gc>,
        kont: Kont<'gc>,
        value: Value<'gc>,
    ) -> Result<Control<'gc>> {
        match kont {
            Kont::Branch {
                then,
                otherwise,
                env,
            } => Ok(match (value.is_true(), otherwise) {
                (true, _) => self.tail(then, env),
                (false, Some(otherwise)) => self.tail(otherwise, env),
                (false, None) => Control::Return(Value::Unspecified),
            }),
            Kont::Sequence { exprs, index, env } => self.sequence(exprs, index as usize + 1, env),
            Kont::Operands {
                site,
                exprs,
                index,
                env,
            } => {
                self.values.push(value);
                self.operands(cx, site, exprs, index as usize + 1, env)
            }
            Kont::Letrec {
                scope,
                index,
                frame,
            } => {
                frame.slots[index as usize].set(cx.m, value);
                self.letrec(cx, scope, index as usize + 1, frame)
            }
            Kont::Assign { target, env } => self.store(cx, target, env, value),
            Kont::Logic {
                exprs,
                index,
                env,
                and,
            } => {
                if value.is_true() != and {
                    return Ok(Control::Return(value));
                }
                self.logic(exprs, index as usize + 1, env, and)
            }
        }
    }

    /// Evaluates `exprs[index..]` in order; the last one in tail position.
    fn sequence(&mut self, exprs: Nodes<'gc>, index: usize, env: Env<'gc>) -> Result<Control<'gc>> {
        if index + 1 == exprs.len() {
            return Ok(self.tail(exprs[index], env));
        }
        let kont = Kont::Sequence {
            exprs,
            index: index as u32,
            env,
        };
        self.push_eval(kont, exprs[index], env)
    }

    /// Evaluates `and` / `or` operands from `index` on; the last one in tail position.
    fn logic(
        &mut self,
        exprs: Nodes<'gc>,
        index: usize,
        env: Env<'gc>,
        and: bool,
    ) -> Result<Control<'gc>> {
        if index + 1 == exprs.len() {
            return Ok(self.tail(exprs[index], env));
        }
        let kont = Kont::Logic {
            exprs,
            index: index as u32,
            env,
            and,
        };
        self.push_eval(kont, exprs[index], env)
    }

    /// Evaluates operands from `index` on, pushing their values; then completes the call
    /// or the `let`.
    fn operands(
        &mut self,
        cx: &mut Ctx<'_, 'gc>,
        site: Site<'gc>,
        exprs: Nodes<'gc>,
        mut index: usize,
        env: Env<'gc>,
    ) -> Result<Control<'gc>> {
        while let Some(&expr) = exprs.get(index) {
            match immediate(cx, &expr, env)? {
                Some(value) => {
                    self.values.push(value);
                    index += 1;
                }
                None => {
                    // A call needs no environment once its last operand is under way: the
                    // continuation lets go of it, so that what only the environment holds
                    // can die during the operand's evaluation (a deep recursion in the last
                    // operand must not keep every level's variables alive).
                    let last_of_call = matches!(site, Site::Call(_)) && index + 1 == exprs.len();
                    let kont = Kont::Operands {
                        site,
                        exprs,
                        index: index as u32,
                        env: if last_of_call { None } else { env },
                    };
                    return self.push_eval(kont, expr, env);
                }
            }
        }
        let base = self.values.len() - exprs.len();
        match site {
            Site::Call(pos) => self.apply(cx, pos, base),
            Site::Let(scope) => {
                let values = self.values.drain(base..);
                let padding = scope.frame_size as usize - values.len();
                let values = values.chain(std::iter::repeat_n(Value::Undefined, padding));
                let frame = new_frame(cx.m, env, values)?;
                Ok(self.tail(scope.body, Some(frame)))
            }
        }
    }

    /// Evaluates the inits of a `letrec` from `index` on into `frame`, then its body.
    fn letrec(
        &mut self,
        cx: &mut Ctx<'_, 'gc>,
        scope: Gc<'gc, Scope<'gc>>,
        mut index: usize,
        frame: Gc<'gc, Frame<'gc>>,
    ) -> Result<Control<'gc>> {
        let env = Some(frame);
        while let Some(&init) = scope.inits.get(index) {
            match immediate(cx, &init, env)? {
                Some(value) => {
                    frame.slots[index].set(cx.m, value);
                    index += 1;
                }
                None => {
                    let kont = Kont::Letrec {
                        scope,
                        index: index as u32,
                        frame,
                    };
                    return self.push_eval(kont, init, env);
                }
            }
        }
        Ok(self.tail(scope.body, env))
    }

    fn assign(
        &mut self,
        cx: &mut Ctx<'_, 'gc>,
        target: Target<'gc>,
        value: Gc<'gc, Node<'gc>>,
        env: Env<'gc>,
    ) -> Result<Control<'gc>> {
        match immediate(cx, &value, env)? {
            Some(value) => self.store(cx, target, env, value),
            None => self.push_eval(Kont::Assign { target, env }, value, env),
        }
    }

    fn store(
        &mut self,
        cx: &mut Ctx<'_, 'gc>,
        target: Target<'gc>,
        env: Env<'gc>,
        value: Value<'gc>,
    ) -> Result<Control<'gc>> {
        match target {
            Target::Local(slot) => local(env, slot).set(cx.m, value),
            Target::Global(pos, global) => {
                if let Value::Undefined = global.value.get() {
                    let name = cx.symbols.name(global.name);
                    return Err(Error::at(pos, format!("set!: unbound variable: {name}")));
                }
                global.value.set(cx.m, value);
            }
            Target::Define(global) => global.value.set(cx.m, value),
        }
        Ok(Control::Return(Value::Unspecified))
    }

    /// Applies `values[base]` to `values[base + 1..]`, which it pops.
    fn apply(&mut self, cx: &mut Ctx<'_, 'gc>, pos: Pos, base: usize) -> Result<Control<'gc>> {
        loop {
            let argc = self.values.len() - base - 1;
            let primitive = match self.values[base] {
                Value::Closure(closure) => {
                    return self.enter(cx, pos, closure, base).map_err(|e| e.or_at(pos))
                }
                Value::Prim(Prim(primitive)) => primitive,
                other => {
                    let message = format!("not a procedure: {}", cx.quoted(other));
                    return Err(Error::at(pos, message));
                }
            };
            primitive.check_arity(argc).map_err(|e| e.or_at(pos))?;
            match primitive.body {
                Body::Fn(f) => {
                    let result = f(cx, &self.values[base + 1..]).map_err(|e| e.or_at(pos))?;
                    self.values.truncate(base);
                    return Ok(Control::Return(result));
                }
                Body::Apply => {
                    // (apply f a ... list) is (f a ... items-of-list).
                    let list = self.values.pop().expect("apply has at least two arguments");
                    let items = value::list_items("apply", list).map_err(|e| e.or_at(pos))?;
                    self.values.remove(base);
                    self.values.extend(items);
                }
            }
        }
    }

    /// Calls a closure: binds its parameters in a new frame and evaluates its body there.
    fn enter(
        &mut self,
        cx: &mut Ctx<'_, 'gc>,
        pos: Pos,
        closure: Gc<'gc, Closure<'gc>>,
        base: usize,
    ) -> Result<Control<'gc>> {
        let lambda = closure.lambda;
        let args = &self.values[base + 1..];
        let required = lambda.required as usize;
        if args.len() < required || (!lambda.rest && args.len() > required) {
            return Err(Error::at(pos, arity_message(cx, &lambda, args.len())));
        }
        let env = if lambda.frame_size == 0 {
            closure.env
        } else {
            let rest = match lambda.rest {
                true => Some(value::list(cx.m, &args[required..])?),
                false => None,
            };
            let bound = required + usize::from(lambda.rest);
            let padding = std::iter::repeat_n(Value::Undefined, lambda.frame_size as usize - bound);
            let values = args[..required].iter().copied().chain(rest).chain(padding);
            Some(new_frame(cx.m, closure.env, values)?)
        };
        self.values.truncate(base);
        Ok(self.tail(lambda.body, env))
    }
}

/// `fib: wrong number of arguments: expected 1, got 2`.
fn arity_message(cx: &Ctx<'_, '_>, lambda: &Lambda<'_>, count: usize) -> String {
    let name = match lambda.name {
        Some(name) => cx.symbols.name(name).to_string(),
        None => "#<procedure>".to_string(),
    };
    let expected = match lambda.rest {
        true => format!("at least {}", lambda.required),
        false => lambda.required.to_string(),
    };
    format!("{name}: wrong number of arguments: expected {expected}, got {count}")
}

/// The written form of a value, as the REPL shows it.
pub fn show(cx: &Ctx<'_, '_>, value: Value<'_>) -> Option<String> {
    match value {
        Value::Unspecified => None,
        value => Some(render(value, cx.symbols, Style::Write)),
    }
}
