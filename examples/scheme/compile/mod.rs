//! The compiler: syntax trees to managed code.
//!
//! # Scopes
//! The compiler keeps the variables of every enclosing frame (innermost last) and resolves
//! each variable to a [`Slot`] or, failing that, to a global. A scope with no variables makes
//! no frame at run time, and is not kept here either, so depths agree.
//!
//! # Bodies
//! A body (of a `lambda`, `let`, `letrec`...) may start with internal definitions, which
//! become extra variables of the body's frame, filled in order (`letrec*` semantics). The
//! compiler scans the body for them, through nested `begin`s, before compiling any of it,
//! so definitions can refer to each other.
//!
//! # Keywords
//! Special forms are recognised by their keyword unless a local variable shadows it. A
//! keyword cannot be defined globally, nor used as a variable's value.
//!
//! The derived forms (`let*`, named `let`, `do`, `cond`, `case`, `and`, `or`, `when`,
//! `unless`) are in [`derived`].

mod derived;

use tenured_gc::{Gc, Mutation};

use crate::ast::{Globals, Lambda, Node, Nodes, Scope, Slot};
use crate::error::{Error, Pos, Result};
use crate::reader::{Datum, Syntax};
use crate::symbol::{Interner, Symbol};
use crate::value::{self, Value};

/// Compiles one top-level form.
pub fn compile<'gc>(
    m: &Mutation<'gc>,
    symbols: &mut Interner,
    globals: Gc<'gc, Globals<'gc>>,
    syntax: &Syntax,
) -> Result<Gc<'gc, Node<'gc>>> {
    let mut compiler = Compiler {
        m,
        symbols,
        globals,
        scopes: Vec::new(),
    };
    compiler.toplevel(syntax)
}

type Compiled<'gc> = Result<Gc<'gc, Node<'gc>>>;

/// A `(name value)` binding of `let` and its kin.
type Binding<'s> = (Symbol, &'s Syntax);

struct Compiler<'a, 'gc> {
    m: &'a Mutation<'gc>,
    symbols: &'a mut Interner,
    globals: Gc<'gc, Globals<'gc>>,
    /// The variables of each enclosing frame, innermost last.
    scopes: Vec<Vec<Symbol>>,
}

/// A syntax error in the form `form`, which should look like `expected`.
fn bad_syntax(pos: Pos, form: &str, expected: &str) -> Error {
    Error::at(pos, format!("bad syntax in {form}: expected {expected}"))
}

impl<'gc> Compiler<'_, 'gc> {
    fn node(&self, node: Node<'gc>) -> Compiled<'gc> {
        Ok(Gc::try_new(self.m, node)?)
    }

    fn nodes(&self, nodes: Vec<Gc<'gc, Node<'gc>>>) -> Result<Nodes<'gc>> {
        Ok(Gc::try_from_vec(self.m, nodes)?)
    }

    fn constant(&self, value: Value<'gc>) -> Compiled<'gc> {
        self.node(Node::Const(value))
    }

    /// The nodes in order; their last value is the result.
    fn sequence(&self, mut nodes: Vec<Gc<'gc, Node<'gc>>>) -> Compiled<'gc> {
        match nodes.len() {
            0 => self.constant(Value::Unspecified),
            1 => Ok(nodes.pop().expect("one node")),
            _ => self.node(Node::Sequence(self.nodes(nodes)?)),
        }
    }

    fn name(&self, symbol: Symbol) -> &str {
        self.symbols.name(symbol)
    }

    /// The local variable `name`, if one is in scope.
    fn resolve(&self, name: Symbol) -> Option<Slot> {
        self.scopes
            .iter()
            .rev()
            .enumerate()
            .find_map(|(depth, scope)| {
                let index = scope.iter().rposition(|&n| n == name)?;
                Some(Slot {
                    depth: depth as u32,
                    index: index as u32,
                })
            })
    }

    /// The keyword and the arguments of a special form; `None` for anything else.
    fn special_form<'s>(&self, syntax: &'s Syntax) -> Option<(Symbol, &'s [Syntax])> {
        let items = syntax.as_list()?;
        let head = items.first()?.as_symbol()?;
        (head.is_keyword() && self.resolve(head).is_none()).then(|| (head, &items[1..]))
    }

    /// A name that a form binds.
    fn variable_name(&self, syntax: &Syntax, form: &str) -> Result<Symbol> {
        syntax
            .as_symbol()
            .ok_or_else(|| bad_syntax(syntax.pos, form, "a variable name"))
    }

    fn toplevel(&mut self, syntax: &Syntax) -> Compiled<'gc> {
        match self.special_form(syntax) {
            Some((Symbol::DEFINE, args)) => {
                let (name, value) = self.definition(syntax.pos, args)?;
                if name.is_keyword() {
                    let message =
                        format!("define: cannot redefine the keyword {}", self.name(name));
                    return Err(Error::at(syntax.pos, message));
                }
                let global = self.globals.lookup(self.m, name)?;
                self.node(Node::Define { global, value })
            }
            Some((Symbol::BEGIN, forms)) => {
                let nodes = forms.iter().map(|form| self.toplevel(form));
                let nodes = nodes.collect::<Result<Vec<_>>>()?;
                self.sequence(nodes)
            }
            _ => self.expr(syntax),
        }
    }

    fn expr(&mut self, syntax: &Syntax) -> Compiled<'gc> {
        match &syntax.datum {
            Datum::Sym(name) => self.variable(syntax.pos, *name),
            Datum::List(items, tail) => self.combination(syntax, items, tail.is_some()),
            _ => {
                let value = self.quote(syntax)?;
                self.constant(value)
            }
        }
    }

    /// An expression that, if it is a `lambda`, makes a procedure called `name`.
    fn named_expr(&mut self, syntax: &Syntax, name: Symbol) -> Compiled<'gc> {
        match self.special_form(syntax) {
            Some((Symbol::LAMBDA, args)) => self.lambda_form(syntax.pos, args, Some(name)),
            _ => self.expr(syntax),
        }
    }

    fn variable(&mut self, pos: Pos, name: Symbol) -> Compiled<'gc> {
        if let Some(slot) = self.resolve(name) {
            return self.node(Node::Local { pos, name, slot });
        }
        if name.is_keyword() {
            let message = format!(
                "bad syntax: {} is a keyword, not a variable",
                self.name(name)
            );
            return Err(Error::at(pos, message));
        }
        let global = self.globals.lookup(self.m, name)?;
        self.node(Node::Global { pos, global })
    }

    /// A list in an expression: a special form or a call.
    fn combination(&mut self, syntax: &Syntax, items: &[Syntax], dotted: bool) -> Compiled<'gc> {
        let pos = syntax.pos;
        if dotted {
            return Err(Error::at(
                pos,
                "bad syntax: a dotted list is not an expression",
            ));
        }
        if items.is_empty() {
            let message = "bad syntax: () is not an expression (write '() for the empty list)";
            return Err(Error::at(pos, message));
        }
        if let Some((keyword, args)) = self.special_form(syntax) {
            return self.special(pos, keyword, args);
        }
        let exprs = items.iter().map(|item| self.expr(item));
        let exprs = exprs.collect::<Result<_>>()?;
        let exprs = self.nodes(exprs)?;
        self.node(Node::Call { pos, exprs })
    }

    fn special(&mut self, pos: Pos, keyword: Symbol, args: &[Syntax]) -> Compiled<'gc> {
        match keyword {
            Symbol::QUOTE => self.quote_form(pos, args),
            Symbol::IF => self.if_form(pos, args),
            Symbol::SET => self.set_form(pos, args),
            Symbol::LAMBDA => self.lambda_form(pos, args, None),
            Symbol::BEGIN => {
                let nodes = args.iter().map(|arg| self.expr(arg));
                let nodes = nodes.collect::<Result<Vec<_>>>()?;
                self.sequence(nodes)
            }
            Symbol::LET => self.let_form(pos, args),
            Symbol::LETREC | Symbol::LETREC_STAR => self.letrec_form(pos, args),
            Symbol::LET_STAR => self.let_star_form(pos, args),
            Symbol::COND => self.cond_form(args),
            Symbol::CASE => self.case_form(pos, args),
            Symbol::AND => self.logic_form(args, true),
            Symbol::OR => self.logic_form(args, false),
            Symbol::WHEN => self.when_form(pos, args, true),
            Symbol::UNLESS => self.when_form(pos, args, false),
            Symbol::DO => self.do_form(pos, args),
            Symbol::DEFINE => Err(Error::at(
                pos,
                "bad syntax: define is only allowed at top level or at the start of a body",
            )),
            Symbol::ELSE | Symbol::ARROW | Symbol::UNQUOTE | Symbol::UNQUOTE_SPLICING => {
                let message = format!("bad syntax: {} outside of its form", self.name(keyword));
                Err(Error::at(pos, message))
            }
            _ => {
                let message = format!(
                    "{} is not supported by this interpreter",
                    self.name(keyword)
                );
                Err(Error::at(pos, message))
            }
        }
    }

    fn quote_form(&mut self, pos: Pos, args: &[Syntax]) -> Compiled<'gc> {
        let [datum] = args else {
            return Err(bad_syntax(pos, "quote", "(quote datum)"));
        };
        let value = self.quote(datum)?;
        self.constant(value)
    }

    /// The managed value of a datum.
    fn quote(&self, syntax: &Syntax) -> Result<Value<'gc>> {
        Ok(match &syntax.datum {
            Datum::Int(n) => Value::Int(*n),
            Datum::Bool(b) => Value::Bool(*b),
            Datum::Str(text) => Value::Str(Gc::try_new_str(self.m, text)?),
            Datum::Sym(name) => Value::Sym(*name),
            Datum::List(items, tail) => {
                let tail = match tail {
                    Some(tail) => self.quote(tail)?,
                    None => Value::Nil,
                };
                let items = items.iter().map(|item| self.quote(item));
                value::list_with_tail(self.m, &items.collect::<Result<Vec<_>>>()?, tail)?
            }
            Datum::Vector(items) => {
                let items = items.iter().map(|item| self.quote(item));
                Value::Vector(value::slots(self.m, items.collect::<Result<Vec<_>>>()?)?)
            }
        })
    }

    fn if_form(&mut self, pos: Pos, args: &[Syntax]) -> Compiled<'gc> {
        let (test, then, otherwise) = match args {
            [test, then] => (test, then, None),
            [test, then, otherwise] => (test, then, Some(otherwise)),
            _ => return Err(bad_syntax(pos, "if", "(if test consequent [alternative])")),
        };
        let test = self.expr(test)?;
        let then = self.expr(then)?;
        let otherwise = otherwise.map(|e| self.expr(e)).transpose()?;
        self.node(Node::If {
            test,
            then,
            otherwise,
        })
    }

    fn set_form(&mut self, pos: Pos, args: &[Syntax]) -> Compiled<'gc> {
        let [target, value] = args else {
            return Err(bad_syntax(pos, "set!", "(set! variable expression)"));
        };
        let name = self.variable_name(target, "set!")?;
        let value = self.expr(value)?;
        match self.resolve(name) {
            Some(slot) => self.node(Node::SetLocal { slot, value }),
            None => {
                let global = self.globals.lookup(self.m, name)?;
                self.node(Node::SetGlobal { pos, global, value })
            }
        }
    }

    fn lambda_form(&mut self, pos: Pos, args: &[Syntax], name: Option<Symbol>) -> Compiled<'gc> {
        let [params, body @ ..] = args else {
            return Err(bad_syntax(pos, "lambda", "(lambda parameters body ...)"));
        };
        let (params, rest) = match &params.datum {
            Datum::Sym(name) => (vec![*name], true),
            Datum::List(items, tail) => self.parameters(items, tail.as_deref())?,
            _ => return Err(bad_syntax(params.pos, "lambda", "a list of parameters")),
        };
        let lambda = self.lambda(pos, name, params, rest, body)?;
        self.node(Node::Lambda(lambda))
    }

    /// The names of `(a b . rest)`, and whether there is a rest parameter.
    fn parameters(&self, items: &[Syntax], tail: Option<&Syntax>) -> Result<(Vec<Symbol>, bool)> {
        let mut names = Vec::new();
        for item in items.iter().chain(tail) {
            let name = self.variable_name(item, "lambda")?;
            if names.contains(&name) {
                let message = format!("duplicate parameter {}", self.name(name));
                return Err(Error::at(item.pos, message));
            }
            names.push(name);
        }
        Ok((names, tail.is_some()))
    }

    fn lambda(
        &mut self,
        pos: Pos,
        name: Option<Symbol>,
        params: Vec<Symbol>,
        rest: bool,
        body: &[Syntax],
    ) -> Result<Gc<'gc, Lambda<'gc>>> {
        let required = (params.len() - usize::from(rest)) as u32;
        let (frame_size, body) = self.scoped(params, body, |c, forms| c.body(pos, forms))?;
        let lambda = Lambda {
            name,
            required,
            rest,
            frame_size,
            body,
        };
        Ok(Gc::try_new(self.m, lambda)?)
    }

    /// Compiles, with `inside`, code in a new frame that holds `binders` followed by the
    /// internal definitions of `body`. Returns the frame's size (0: no frame is needed).
    fn scoped<R>(
        &mut self,
        binders: Vec<Symbol>,
        body: &[Syntax],
        inside: impl FnOnce(&mut Self, &[&Syntax]) -> Result<R>,
    ) -> Result<(u32, R)> {
        self.scopes.push(binders);
        let forms = self.flatten_body(body);
        for form in &forms {
            if let Some(name) = self.defined_name(form)? {
                let scope = self.scopes.last_mut().expect("pushed above");
                if !scope.contains(&name) {
                    scope.push(name);
                }
            }
        }
        let frame_size = self.scopes.last().expect("pushed above").len();
        if frame_size == 0 {
            self.scopes.pop();
        }
        let result = inside(self, &forms);
        if frame_size > 0 {
            self.scopes.pop();
        }
        Ok((frame_size as u32, result?))
    }

    /// The forms of a body, with those of its `begin` forms spliced in.
    fn flatten_body<'s>(&self, body: &'s [Syntax]) -> Vec<&'s Syntax> {
        let mut forms = Vec::new();
        for form in body {
            match self.special_form(form) {
                Some((Symbol::BEGIN, inner)) => forms.extend(self.flatten_body(inner)),
                _ => forms.push(form),
            }
        }
        forms
    }

    /// The name an internal definition defines, or `None` if `form` is not one.
    fn defined_name(&self, form: &Syntax) -> Result<Option<Symbol>> {
        let Some((Symbol::DEFINE, args)) = self.special_form(form) else {
            return Ok(None);
        };
        let target = args.first().map(|target| match &target.datum {
            Datum::List(items, _) => items.first().and_then(Syntax::as_symbol),
            _ => target.as_symbol(),
        });
        match target.flatten() {
            Some(name) => Ok(Some(name)),
            None => Err(bad_syntax(form.pos, "define", DEFINE_SHAPE)),
        }
    }

    /// A body: internal definitions (whose names are in the innermost scope already), then
    /// expressions.
    fn body(&mut self, pos: Pos, forms: &[&Syntax]) -> Compiled<'gc> {
        if forms.is_empty() {
            return Err(Error::at(pos, "bad syntax: empty body"));
        }
        let mut nodes = Vec::with_capacity(forms.len());
        for form in forms {
            let node = match self.special_form(form) {
                Some((Symbol::DEFINE, args)) => {
                    let (name, value) = self.definition(form.pos, args)?;
                    let slot = self.resolve(name).expect("scanned into the body's scope");
                    self.node(Node::SetLocal { slot, value })?
                }
                _ => self.expr(form)?,
            };
            nodes.push(node);
        }
        self.sequence(nodes)
    }

    /// The name and the value of a definition.
    fn definition(&mut self, pos: Pos, args: &[Syntax]) -> Result<(Symbol, Gc<'gc, Node<'gc>>)> {
        match args {
            [target, value] if target.as_symbol().is_some() => {
                let name = target.as_symbol().expect("checked by the guard");
                Ok((name, self.named_expr(value, name)?))
            }
            [target, body @ ..] if !body.is_empty() => {
                let Datum::List(items, tail) = &target.datum else {
                    return Err(bad_syntax(pos, "define", DEFINE_SHAPE));
                };
                let Some((name, params)) = items.split_first() else {
                    return Err(bad_syntax(pos, "define", DEFINE_SHAPE));
                };
                let name = self.variable_name(name, "define")?;
                let (params, rest) = self.parameters(params, tail.as_deref())?;
                let lambda = self.lambda(pos, Some(name), params, rest, body)?;
                Ok((name, self.node(Node::Lambda(lambda))?))
            }
            _ => Err(bad_syntax(pos, "define", DEFINE_SHAPE)),
        }
    }

    /// The `(name value)` pairs of a binding list; with `unique`, each name only once.
    fn bindings<'s>(
        &self,
        syntax: &'s Syntax,
        form: &str,
        unique: bool,
    ) -> Result<Vec<Binding<'s>>> {
        let items = syntax
            .as_list()
            .ok_or_else(|| bad_syntax(syntax.pos, form, "a list of bindings ((name value) ...)"))?;
        let mut bindings: Vec<Binding<'s>> = Vec::with_capacity(items.len());
        for item in items {
            let Some([name, init]) = item.as_list() else {
                return Err(bad_syntax(item.pos, form, "a binding (name value)"));
            };
            let name = self.variable_name(name, form)?;
            if unique && bindings.iter().any(|&(n, _)| n == name) {
                let message = format!("{form}: {} is bound twice", self.name(name));
                return Err(Error::at(item.pos, message));
            }
            bindings.push((name, init));
        }
        Ok(bindings)
    }

    fn let_form(&mut self, pos: Pos, args: &[Syntax]) -> Compiled<'gc> {
        if let Some((Some(name), rest)) = args.split_first().map(|(f, r)| (f.as_symbol(), r)) {
            return self.named_let(pos, name, rest);
        }
        let [bindings, body @ ..] = args else {
            return Err(bad_syntax(pos, "let", "(let ((name value) ...) body ...)"));
        };
        let bindings = self.bindings(bindings, "let", true)?;
        self.let_bindings(pos, &bindings, body)
    }

    /// A `let` whose bindings are parsed.
    fn let_bindings(
        &mut self,
        pos: Pos,
        bindings: &[Binding<'_>],
        body: &[Syntax],
    ) -> Compiled<'gc> {
        let inits = bindings
            .iter()
            .map(|&(name, init)| self.named_expr(init, name));
        let inits = inits.collect::<Result<Vec<_>>>()?;
        let names = bindings.iter().map(|&(name, _)| name).collect();
        let (frame_size, body) = self.scoped(names, body, |c, forms| c.body(pos, forms))?;
        if frame_size == 0 {
            return Ok(body);
        }
        let scope = Scope {
            inits: self.nodes(inits)?,
            frame_size,
            body,
        };
        self.node(Node::Let(Gc::try_new(self.m, scope)?))
    }

    fn letrec_form(&mut self, pos: Pos, args: &[Syntax]) -> Compiled<'gc> {
        let [bindings, body @ ..] = args else {
            return Err(bad_syntax(
                pos,
                "letrec",
                "(letrec ((name value) ...) body ...)",
            ));
        };
        let bindings = self.bindings(bindings, "letrec", true)?;
        let names = bindings.iter().map(|&(name, _)| name).collect();
        let (frame_size, (inits, body)) = self.scoped(names, body, |c, forms| {
            let inits = bindings
                .iter()
                .map(|&(name, init)| c.named_expr(init, name));
            let inits = inits.collect::<Result<Vec<_>>>()?;
            Ok((inits, c.body(pos, forms)?))
        })?;
        if frame_size == 0 {
            return Ok(body);
        }
        let scope = Scope {
            inits: self.nodes(inits)?,
            frame_size,
            body,
        };
        self.node(Node::Letrec(Gc::try_new(self.m, scope)?))
    }
}

const DEFINE_SHAPE: &str = "(define name expression) or (define (name parameter ...) body ...)";
