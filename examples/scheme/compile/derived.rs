//! The derived forms, compiled into the core nodes.
//!
//! - `let*`: nested one-variable `let`s.
//! - named `let` and `do`: a loop procedure bound by a one-variable `letrec` and called at
//!   once. `do` names its loop with a fresh symbol, which no program can capture.
//! - `cond` and `case`: nested `if`s; `=>` and `case` keep the tested value in a fresh
//!   variable, and `case` calls the `memv` primitive itself, not whatever the global
//!   variable `memv` holds.
//! - `and`, `or`: their own nodes, whose last expression is in tail position.
//! - `when`, `unless`: one-armed `if`s.

use tenured_gc::Gc;

use super::{bad_syntax, Binding, Compiled, Compiler};
use crate::ast::{Lambda, Node, Scope, Slot};
use crate::error::{Error, Pos, Result};
use crate::primitives;
use crate::reader::Syntax;
use crate::symbol::Symbol;
use crate::value::Value;

impl<'gc> Compiler<'_, 'gc> {
    pub(super) fn let_star_form(&mut self, pos: Pos, args: &[Syntax]) -> Compiled<'gc> {
        let [bindings, body @ ..] = args else {
            return Err(bad_syntax(
                pos,
                "let*",
                "(let* ((name value) ...) body ...)",
            ));
        };
        let bindings = self.bindings(bindings, "let*", false)?;
        self.let_star(pos, &bindings, body)
    }

    fn let_star(&mut self, pos: Pos, bindings: &[Binding<'_>], body: &[Syntax]) -> Compiled<'gc> {
        let [(name, init), rest @ ..] = bindings else {
            return self.let_bindings(pos, bindings, body);
        };
        if rest.is_empty() {
            return self.let_bindings(pos, bindings, body);
        }
        let init = self.named_expr(init, *name)?;
        self.scopes.push(vec![*name]);
        let inner = self.let_star(pos, rest, body);
        self.scopes.pop();
        self.one_variable_let(init, inner?)
    }

    /// A `let` of one fresh or already scoped variable around `body`, compiled in its scope.
    fn one_variable_let(
        &self,
        init: Gc<'gc, Node<'gc>>,
        body: Gc<'gc, Node<'gc>>,
    ) -> Compiled<'gc> {
        let scope = Scope {
            inits: self.nodes(vec![init])?,
            frame_size: 1,
            body,
        };
        self.node(Node::Let(Gc::try_new(self.m, scope)?))
    }

    pub(super) fn named_let(&mut self, pos: Pos, name: Symbol, args: &[Syntax]) -> Compiled<'gc> {
        let [bindings, body @ ..] = args else {
            return Err(bad_syntax(
                pos,
                "let",
                "(let name ((name value) ...) body ...)",
            ));
        };
        let bindings = self.bindings(bindings, "let", true)?;
        let inits = bindings
            .iter()
            .map(|&(var, init)| self.named_expr(init, var));
        let inits = inits.collect::<Result<Vec<_>>>()?;
        let params = bindings.iter().map(|&(var, _)| var).collect();
        self.loop_call(pos, name, inits, |c| {
            c.lambda(pos, Some(name), params, false, body)
        })
    }

    /// `((letrec ((name <lambda>)) name) inits ...)`: the procedure made by `lambda`, which
    /// is compiled where `name` is in scope, called with `inits`.
    fn loop_call(
        &mut self,
        pos: Pos,
        name: Symbol,
        inits: Vec<Gc<'gc, Node<'gc>>>,
        lambda: impl FnOnce(&mut Self) -> Result<Gc<'gc, Lambda<'gc>>>,
    ) -> Compiled<'gc> {
        self.scopes.push(vec![name]);
        let lambda = lambda(self);
        self.scopes.pop();
        let procedure = self.node(Node::Lambda(lambda?))?;
        let slot = Slot { depth: 0, index: 0 };
        let scope = Scope {
            inits: self.nodes(vec![procedure])?,
            frame_size: 1,
            body: self.node(Node::Local { pos, name, slot })?,
        };
        let letrec = self.node(Node::Letrec(Gc::try_new(self.m, scope)?))?;
        let mut exprs = vec![letrec];
        exprs.extend(inits);
        let exprs = self.nodes(exprs)?;
        self.node(Node::Call { pos, exprs })
    }

    pub(super) fn do_form(&mut self, pos: Pos, args: &[Syntax]) -> Compiled<'gc> {
        const SHAPE: &str = "(do ((variable init [step]) ...) (test expression ...) command ...)";
        let [specs, exit, commands @ ..] = args else {
            return Err(bad_syntax(pos, "do", SHAPE));
        };
        let specs = specs
            .as_list()
            .ok_or_else(|| bad_syntax(specs.pos, "do", SHAPE))?;
        let mut vars = Vec::with_capacity(specs.len());
        let mut inits = Vec::with_capacity(specs.len());
        let mut steps = Vec::with_capacity(specs.len());
        for spec in specs {
            let (var, init, step) = match spec.as_list() {
                Some([var, init]) => (var, init, None),
                Some([var, init, step]) => (var, init, Some(step)),
                _ => return Err(bad_syntax(spec.pos, "do", "(variable init [step])")),
            };
            let var = self.variable_name(var, "do")?;
            if vars.contains(&var) {
                let message = format!("do: {} is bound twice", self.name(var));
                return Err(Error::at(spec.pos, message));
            }
            vars.push(var);
            inits.push(self.expr(init)?);
            steps.push(step);
        }
        let Some((test, results)) = exit.as_list().and_then(<[Syntax]>::split_first) else {
            return Err(bad_syntax(exit.pos, "do", "(test expression ...)"));
        };
        let name = self.symbols.fresh("do-loop");
        let required = vars.len() as u32;
        self.loop_call(pos, name, inits, |c| {
            let (frame_size, body) = c.scoped(vars.clone(), &[], |c, _| {
                let test = c.expr(test)?;
                let results = results.iter().map(|e| c.expr(e));
                let results = results.collect::<Result<_>>()?;
                let done = c.sequence(results)?;
                let again = commands.iter().map(|e| c.expr(e));
                let mut again = again.collect::<Result<Vec<_>>>()?;
                let mut call = vec![c.variable(pos, name)?];
                for (&var, step) in vars.iter().zip(&steps) {
                    call.push(match step {
                        Some(step) => c.expr(step)?,
                        None => c.variable(pos, var)?,
                    });
                }
                let exprs = c.nodes(call)?;
                again.push(c.node(Node::Call { pos, exprs })?);
                let otherwise = Some(c.sequence(again)?);
                c.node(Node::If {
                    test,
                    then: done,
                    otherwise,
                })
            })?;
            let lambda = Lambda {
                name: Some(name),
                required,
                rest: false,
                frame_size,
                body,
            };
            Ok(Gc::try_new(c.m, lambda)?)
        })
    }

    pub(super) fn cond_form(&mut self, clauses: &[Syntax]) -> Compiled<'gc> {
        let Some((clause, rest)) = clauses.split_first() else {
            return self.constant(Value::Unspecified);
        };
        let shape = "a clause (test expression ...)";
        let Some((test, body)) = clause.as_list().and_then(<[Syntax]>::split_first) else {
            return Err(bad_syntax(clause.pos, "cond", shape));
        };
        if test.as_symbol() == Some(Symbol::ELSE) && self.resolve(Symbol::ELSE).is_none() {
            if !rest.is_empty() {
                return Err(Error::at(clause.pos, "cond: else must be the last clause"));
            }
            return self.expressions(clause.pos, "cond", body);
        }
        let test = self.expr(test)?;
        match body {
            [] if rest.is_empty() => Ok(test),
            [] => {
                let otherwise = self.cond_form(rest)?;
                self.node(Node::Or(self.nodes(vec![test, otherwise])?))
            }
            [arrow, receiver] if self.is_arrow(arrow) => {
                self.with_temporary(clause.pos, test, |c, value| {
                    let receiver = c.expr(receiver)?;
                    let exprs = c.nodes(vec![receiver, value])?;
                    let then = c.node(Node::Call {
                        pos: clause.pos,
                        exprs,
                    })?;
                    let otherwise = Some(c.cond_form(rest)?);
                    c.node(Node::If {
                        test: value,
                        then,
                        otherwise,
                    })
                })
            }
            _ => {
                let then = self.expressions(clause.pos, "cond", body)?;
                let otherwise = match rest {
                    [] => None,
                    _ => Some(self.cond_form(rest)?),
                };
                self.node(Node::If {
                    test,
                    then,
                    otherwise,
                })
            }
        }
    }

    fn is_arrow(&self, syntax: &Syntax) -> bool {
        syntax.as_symbol() == Some(Symbol::ARROW) && self.resolve(Symbol::ARROW).is_none()
    }

    /// At least one expression, in sequence.
    fn expressions(&mut self, pos: Pos, form: &str, body: &[Syntax]) -> Compiled<'gc> {
        if body.is_empty() {
            return Err(bad_syntax(pos, form, "at least one expression"));
        }
        let nodes = body.iter().map(|e| self.expr(e));
        let nodes = nodes.collect::<Result<Vec<_>>>()?;
        self.sequence(nodes)
    }

    /// Binds the value of `init` to a fresh variable around the code `body` compiles (given
    /// a reference to the variable).
    fn with_temporary(
        &mut self,
        pos: Pos,
        init: Gc<'gc, Node<'gc>>,
        body: impl FnOnce(&mut Self, Gc<'gc, Node<'gc>>) -> Compiled<'gc>,
    ) -> Compiled<'gc> {
        let name = self.symbols.fresh("value");
        self.scopes.push(vec![name]);
        let slot = Slot { depth: 0, index: 0 };
        let body = self
            .node(Node::Local { pos, name, slot })
            .and_then(|value| body(self, value));
        self.scopes.pop();
        self.one_variable_let(init, body?)
    }

    pub(super) fn case_form(&mut self, pos: Pos, args: &[Syntax]) -> Compiled<'gc> {
        let Some((key, clauses)) = args.split_first() else {
            return Err(bad_syntax(
                pos,
                "case",
                "(case key ((datum ...) expression ...) ...)",
            ));
        };
        let key = self.expr(key)?;
        self.with_temporary(pos, key, |c, value| c.case_clauses(value, clauses))
    }

    fn case_clauses(&mut self, value: Gc<'gc, Node<'gc>>, clauses: &[Syntax]) -> Compiled<'gc> {
        let Some((clause, rest)) = clauses.split_first() else {
            return self.constant(Value::Unspecified);
        };
        let shape = "a clause ((datum ...) expression ...)";
        let Some((data, body)) = clause.as_list().and_then(<[Syntax]>::split_first) else {
            return Err(bad_syntax(clause.pos, "case", shape));
        };
        let then = self.expressions(clause.pos, "case", body)?;
        if data.as_symbol() == Some(Symbol::ELSE) && self.resolve(Symbol::ELSE).is_none() {
            if !rest.is_empty() {
                return Err(Error::at(clause.pos, "case: else must be the last clause"));
            }
            return Ok(then);
        }
        if data.as_list().is_none() {
            return Err(bad_syntax(data.pos, "case", "a list of data"));
        }
        let memv = self.constant(primitives::value("memv"))?;
        let data = self.quote(data)?;
        let data = self.constant(data)?;
        let exprs = self.nodes(vec![memv, value, data])?;
        let test = self.node(Node::Call {
            pos: clause.pos,
            exprs,
        })?;
        let otherwise = match rest {
            [] => None,
            _ => Some(self.case_clauses(value, rest)?),
        };
        self.node(Node::If {
            test,
            then,
            otherwise,
        })
    }

    pub(super) fn logic_form(&mut self, args: &[Syntax], and: bool) -> Compiled<'gc> {
        let nodes = args.iter().map(|arg| self.expr(arg));
        let mut nodes = nodes.collect::<Result<Vec<_>>>()?;
        match nodes.len() {
            0 => self.constant(Value::Bool(and)),
            1 => Ok(nodes.pop().expect("one node")),
            _ if and => self.node(Node::And(self.nodes(nodes)?)),
            _ => self.node(Node::Or(self.nodes(nodes)?)),
        }
    }

    pub(super) fn when_form(&mut self, pos: Pos, args: &[Syntax], when: bool) -> Compiled<'gc> {
        let form = if when { "when" } else { "unless" };
        let Some((test, body)) = args.split_first() else {
            return Err(bad_syntax(pos, form, "a test and at least one expression"));
        };
        let test = self.expr(test)?;
        let body = self.expressions(pos, form, body)?;
        let nothing = self.constant(Value::Unspecified)?;
        let (then, otherwise) = if when {
            (body, nothing)
        } else {
            (nothing, body)
        };
        self.node(Node::If {
            test,
            then,
            otherwise: Some(otherwise),
        })
    }
}
