//! Symbols: names interned once and compared as numbers.
//!
//! The table lives outside the managed heap and a symbol is a plain number: the collector
//! never looks at one, `eq?` on two is a comparison of numbers, and a symbol hashes by its
//! number in an `eqv?` hashtable (where objects hash by their identity hash). The syntactic keywords
//! are interned first, in a fixed order, so the compiler can name them as constants.

use std::collections::HashMap;

use tenured_gc::Trace;

/// An interned name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Trace)]
pub struct Symbol(u32);

/// Declares the keywords: their spellings, interned in order, and a constant for each.
macro_rules! keywords {
    ($($constant:ident = $name:literal,)*) => {
        const KEYWORDS: &[&str] = &[$($name),*];

        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        enum KeywordIndex { $($constant),* }

        impl Symbol {
            $(pub const $constant: Symbol = Symbol(KeywordIndex::$constant as u32);)*
        }
    };
}

keywords! {
    QUOTE = "quote",
    QUASIQUOTE = "quasiquote",
    UNQUOTE = "unquote",
    UNQUOTE_SPLICING = "unquote-splicing",
    LAMBDA = "lambda",
    DEFINE = "define",
    SET = "set!",
    IF = "if",
    COND = "cond",
    ELSE = "else",
    ARROW = "=>",
    CASE = "case",
    AND = "and",
    OR = "or",
    WHEN = "when",
    UNLESS = "unless",
    BEGIN = "begin",
    LET = "let",
    LET_STAR = "let*",
    LETREC = "letrec",
    LETREC_STAR = "letrec*",
    DO = "do",
}

/// R7RS syntax this interpreter does not implement: interned right after the keywords, so
/// that using it is reported as unsupported rather than as an unbound variable.
const UNSUPPORTED_SYNTAX: &[&str] = &[
    "define-syntax",
    "let-syntax",
    "letrec-syntax",
    "syntax-rules",
    "define-record-type",
    "guard",
    "parameterize",
    "case-lambda",
    "let-values",
    "define-values",
];

impl Symbol {
    /// Whether the symbol names a special form (or syntax this interpreter rejects).
    pub fn is_keyword(self) -> bool {
        (self.0 as usize) < KEYWORDS.len() + UNSUPPORTED_SYNTAX.len()
    }
}

/// The symbol table.
pub struct Interner {
    names: Vec<Box<str>>,
    ids: HashMap<Box<str>, Symbol>,
}

impl Interner {
    /// A table holding the keywords.
    pub fn new() -> Self {
        let mut interner = Interner {
            names: Vec::new(),
            ids: HashMap::new(),
        };
        for name in KEYWORDS.iter().chain(UNSUPPORTED_SYNTAX) {
            interner.intern(name);
        }
        interner
    }

    /// The symbol spelled `name`, the same one every time.
    pub fn intern(&mut self, name: &str) -> Symbol {
        if let Some(&symbol) = self.ids.get(name) {
            return symbol;
        }
        let symbol = self.push(name);
        self.ids.insert(name.into(), symbol);
        symbol
    }

    /// A symbol spelled `name` that no program can write: the compiler names the variables
    /// it introduces with these, so they cannot capture the program's own.
    pub fn fresh(&mut self, name: &str) -> Symbol {
        self.push(name)
    }

    fn push(&mut self, name: &str) -> Symbol {
        let id = u32::try_from(self.names.len()).expect("fewer than 2^32 symbols");
        self.names.push(name.into());
        Symbol(id)
    }

    /// The spelling of `symbol`.
    pub fn name(&self, symbol: Symbol) -> &str {
        &self.names[symbol.0 as usize]
    }
}
