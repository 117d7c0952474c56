//! Errors in Scheme programs, and the source positions they point at.

use std::fmt;

use tenured_gc::{AllocError, Trace};

/// A place in the source: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Trace)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    /// The first character of a source.
    pub const START: Pos = Pos { line: 1, column: 1 };
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// An error in a Scheme program: what went wrong and, once known, where.
///
/// It is one pointer, so that a `Result<Value>` is two words and comes back in registers:
/// the machine's hot paths return them all the time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(Box<Details>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Details {
    pos: Option<Pos>,
    message: String,
}

impl Error {
    /// An error at `pos`, if known.
    pub fn new_at(pos: Option<Pos>, message: impl Into<String>) -> Self {
        Error(Box::new(Details {
            pos,
            message: message.into(),
        }))
    }

    /// An error whose position the caller fills in (primitives do not know where they were
    /// called from; the machine does).
    pub fn new(message: impl Into<String>) -> Self {
        Error::new_at(None, message)
    }

    /// An error at `pos`.
    pub fn at(pos: Pos, message: impl Into<String>) -> Self {
        Error::new_at(Some(pos), message)
    }

    /// The error, placed at `pos` unless it already has a position.
    pub fn or_at(mut self, pos: Pos) -> Self {
        self.0.pos.get_or_insert(pos);
        self
    }

    /// The message as a user sees it, prefixed with the source name and the position.
    pub fn report(&self, source: &str) -> String {
        match self.0.pos {
            Some(pos) => format!("{source}:{pos}: error: {}", self.0.message),
            None => format!("{source}: error: {}", self.0.message),
        }
    }
}

impl From<AllocError> for Error {
    fn from(e: AllocError) -> Self {
        Error::new(format!("out of memory: {e}"))
    }
}

/// The result of anything that can fail in a Scheme program.
pub type Result<T, E = Error> = std::result::Result<T, E>;
