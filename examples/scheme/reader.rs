//! The reader: source text to syntax trees that remember where each datum began.
//!
//! A [`Syntax`] is plain Rust data; the compiler turns it into managed code, and `quote`
//! into managed data. The reader knows the difference between text that is wrong (a stray
//! `)`) and text that has merely stopped early (an open `(`): the REPL reads another line
//! for the second.

use crate::error::{Error, Pos};
use crate::symbol::{Interner, Symbol};

/// The deepest nesting of lists and vectors accepted: the compiler and the printer recurse
/// on nesting, and must not run out of stack.
const MAX_NESTING: usize = 1000;

/// A datum and the position of its first character.
#[derive(Debug)]
pub struct Syntax {
    pub pos: Pos,
    pub datum: Datum,
}

/// What the reader can read.
#[derive(Debug)]
pub enum Datum {
    Int(i64),
    Bool(bool),
    Str(String),
    Sym(Symbol),
    /// A list; `tail` is what follows the dot of an improper list.
    List(Vec<Syntax>, Option<Box<Syntax>>),
    Vector(Vec<Syntax>),
}

impl Syntax {
    /// The elements of a proper list.
    pub fn as_list(&self) -> Option<&[Syntax]> {
        match &self.datum {
            Datum::List(items, None) => Some(items),
            _ => None,
        }
    }

    /// The symbol, if the datum is one.
    pub fn as_symbol(&self) -> Option<Symbol> {
        match self.datum {
            Datum::Sym(symbol) => Some(symbol),
            _ => None,
        }
    }
}

/// Why reading stopped.
#[derive(Debug)]
pub enum ReadError {
    /// The text ended inside a datum; more text may complete it.
    Incomplete(Error),
    /// The text is not valid syntax.
    Invalid(Error),
}

impl ReadError {
    /// The error, whichever kind it is.
    pub fn into_error(self) -> Error {
        match self {
            ReadError::Incomplete(e) | ReadError::Invalid(e) => e,
        }
    }
}

type ReadResult<T> = Result<T, ReadError>;

fn invalid(pos: Pos, message: impl Into<String>) -> ReadError {
    ReadError::Invalid(Error::at(pos, message))
}

fn incomplete(pos: Pos, message: impl Into<String>) -> ReadError {
    ReadError::Incomplete(Error::at(pos, message))
}

/// Whether `c` ends a symbol or a number.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '"' | ';')
}

/// Reads data one at a time from a text.
pub struct Reader<'a> {
    text: &'a str,
    offset: usize,
    pos: Pos,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader of `text`, whose first character is at `start`.
    pub fn new(text: &'a str, start: Pos) -> Self {
        Reader {
            text,
            offset: 0,
            pos: start,
            depth: 0,
        }
    }

    /// The byte offset of the next unread character.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The position of the next unread character.
    pub fn pos(&self) -> Pos {
        self.pos
    }

    /// The next datum, or `None` at the end of the text.
    pub fn next(&mut self, symbols: &mut Interner) -> ReadResult<Option<Syntax>> {
        self.skip_atmosphere(symbols)?;
        if self.peek().is_none() {
            return Ok(None);
        }
        self.datum(symbols).map(Some)
    }

    fn peek(&self) -> Option<char> {
        self.text[self.offset..].chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.text[self.offset..].chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.offset += c.len_utf8();
        if c == '\n' {
            self.pos.line += 1;
            self.pos.column = 1;
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    /// Skips whitespace and comments: `; line`, `#| block |#` (nested) and `#;` datum.
    fn skip_atmosphere(&mut self, symbols: &mut Interner) -> ReadResult<()> {
        loop {
            match (self.peek(), self.peek_second()) {
                (Some(c), _) if c.is_whitespace() => {
                    self.bump();
                }
                (Some(';'), _) => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                (Some('#'), Some('|')) => self.block_comment()?,
                (Some('#'), Some(';')) => {
                    let start = self.pos;
                    self.bump();
                    self.bump();
                    self.skip_atmosphere(symbols)?;
                    if self.peek().is_none() {
                        return Err(incomplete(start, "'#;' is not followed by a datum"));
                    }
                    self.datum(symbols)?;
                }
                _ => return Ok(()),
            }
        }
    }

    fn block_comment(&mut self) -> ReadResult<()> {
        let start = self.pos;
        self.bump();
        self.bump();
        let mut depth = 1;
        while depth > 0 {
            match (self.bump(), self.peek()) {
                (None, _) => return Err(incomplete(start, "unterminated block comment '#|'")),
                (Some('|'), Some('#')) => {
                    self.bump();
                    depth -= 1;
                }
                (Some('#'), Some('|')) => {
                    self.bump();
                    depth += 1;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Reads the datum that starts at the next character, which exists.
    fn datum(&mut self, symbols: &mut Interner) -> ReadResult<Syntax> {
        let pos = self.pos;
        let datum = match self.peek().expect("the caller checked for the end") {
            '(' => self.list(symbols, ')')?,
            '[' => self.list(symbols, ']')?,
            c @ (')' | ']') => {
                self.bump();
                return Err(invalid(pos, format!("unexpected '{c}'")));
            }
            '\'' => self.abbreviation(symbols, 1, Symbol::QUOTE)?,
            '`' => self.abbreviation(symbols, 1, Symbol::QUASIQUOTE)?,
            ',' if self.peek_second() == Some('@') => {
                self.abbreviation(symbols, 2, Symbol::UNQUOTE_SPLICING)?
            }
            ',' => self.abbreviation(symbols, 1, Symbol::UNQUOTE)?,
            '"' => self.string()?,
            '#' => self.hash_syntax(symbols)?,
            _ => self.atom(symbols)?,
        };
        Ok(Syntax { pos, datum })
    }

    /// `'d` and its kin: `(quote d)`.
    fn abbreviation(
        &mut self,
        symbols: &mut Interner,
        len: usize,
        head: Symbol,
    ) -> ReadResult<Datum> {
        let pos = self.pos;
        let prefix = &self.text[self.offset..self.offset + len];
        let message = format!("'{prefix}' is not followed by a datum");
        for _ in 0..len {
            self.bump();
        }
        self.skip_atmosphere(symbols)?;
        match self.peek() {
            None => Err(incomplete(pos, message)),
            Some(')' | ']') => Err(invalid(pos, message)),
            Some(_) => {
                let quoted = self.datum(symbols)?;
                let head = Syntax {
                    pos,
                    datum: Datum::Sym(head),
                };
                Ok(Datum::List(vec![head, quoted], None))
            }
        }
    }

    fn enter(&mut self, pos: Pos) -> ReadResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(invalid(
                pos,
                format!("lists nested more than {MAX_NESTING} deep"),
            ));
        }
        Ok(())
    }

    /// A list or an improper list, up to the `close` bracket.
    fn list(&mut self, symbols: &mut Interner, close: char) -> ReadResult<Datum> {
        let (items, tail) = self.sequence(symbols, close, true)?;
        Ok(Datum::List(items, tail))
    }

    /// The elements of a list or vector whose opening bracket is next.
    fn sequence(
        &mut self,
        symbols: &mut Interner,
        close: char,
        dotted: bool,
    ) -> ReadResult<(Vec<Syntax>, Option<Box<Syntax>>)> {
        let open_pos = self.pos;
        let open = self.bump().expect("an opening bracket");
        self.enter(open_pos)?;
        let mut items = Vec::new();
        let mut tail = None;
        loop {
            self.skip_atmosphere(symbols)?;
            let pos = self.pos;
            match self.peek() {
                None => return Err(incomplete(open_pos, format!("unclosed '{open}'"))),
                Some(c @ (')' | ']')) => {
                    self.bump();
                    if c != close {
                        let message = format!(
                            "'{c}' does not match the '{open}' at {open_pos} (expected '{close}')"
                        );
                        return Err(invalid(pos, message));
                    }
                    break;
                }
                Some('.') if dotted && self.at_lone_dot() => {
                    if items.is_empty() {
                        self.bump();
                        return Err(invalid(pos, "'.' without a datum before it"));
                    }
                    tail = Some(Box::new(self.dotted_tail(symbols, open_pos, open, close)?));
                    break;
                }
                Some(_) => items.push(self.datum(symbols)?),
            }
        }
        self.depth -= 1;
        Ok((items, tail))
    }

    fn at_lone_dot(&self) -> bool {
        self.peek_second().is_none_or(is_delimiter)
    }

    /// The datum after the dot of an improper list, and the closing bracket.
    fn dotted_tail(
        &mut self,
        symbols: &mut Interner,
        open_pos: Pos,
        open: char,
        close: char,
    ) -> ReadResult<Syntax> {
        let dot = self.pos;
        self.bump();
        self.skip_atmosphere(symbols)?;
        match self.peek() {
            None => return Err(incomplete(open_pos, format!("unclosed '{open}'"))),
            Some(')' | ']') => return Err(invalid(dot, "'.' without a datum after it")),
            Some(_) => {}
        }
        let tail = self.datum(symbols)?;
        self.skip_atmosphere(symbols)?;
        let pos = self.pos;
        match self.bump() {
            None => Err(incomplete(open_pos, format!("unclosed '{open}'"))),
            Some(c) if c == close => Ok(tail),
            Some(_) => Err(invalid(
                pos,
                format!("expected '{close}' after the datum that follows '.'"),
            )),
        }
    }

    fn string(&mut self) -> ReadResult<Datum> {
        let start = self.pos;
        self.bump();
        let mut text = String::new();
        loop {
            let pos = self.pos;
            match self.bump() {
                None => return Err(incomplete(start, "unterminated string")),
                Some('"') => return Ok(Datum::Str(text)),
                Some('\\') => match self.bump() {
                    None => return Err(incomplete(start, "unterminated string")),
                    Some('n') => text.push('\n'),
                    Some('t') => text.push('\t'),
                    Some('r') => text.push('\r'),
                    Some('a') => text.push('\u{7}'),
                    Some('0') => text.push('\0'),
                    Some(c @ ('\\' | '"' | '|')) => text.push(c),
                    Some('x') => text.push(self.hex_escape(pos)?),
                    Some(c) if c == '\n' || c.is_whitespace() => self.line_continuation(c),
                    Some(c) => return Err(invalid(pos, format!("unknown string escape '\\{c}'"))),
                },
                Some(c) => text.push(c),
            }
        }
    }

    /// `\x41;`: a character by its hexadecimal code.
    fn hex_escape(&mut self, pos: Pos) -> ReadResult<char> {
        let mut digits = String::new();
        while let Some(c) = self.bump() {
            if c == ';' {
                return u32::from_str_radix(&digits, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| invalid(pos, format!("invalid character code '\\x{digits};'")));
            }
            digits.push(c);
        }
        Err(incomplete(pos, "unterminated '\\x' escape"))
    }

    /// A backslash at the end of a line joins it to the next, without the indentation.
    fn line_continuation(&mut self, first: char) {
        let mut newline_seen = first == '\n';
        while let Some(c) = self.peek() {
            if c == '\n' && !newline_seen {
                newline_seen = true;
            } else if !(c.is_whitespace() && c != '\n') {
                break;
            }
            self.bump();
        }
    }

    fn hash_syntax(&mut self, symbols: &mut Interner) -> ReadResult<Datum> {
        let pos = self.pos;
        match self.peek_second() {
            Some('(') => {
                self.bump();
                let (items, _) = self.sequence(symbols, ')', false)?;
                Ok(Datum::Vector(items))
            }
            Some('\\') => Err(invalid(pos, "characters (#\\...) are not supported")),
            _ => {
                let token = self.token();
                match token {
                    "#t" | "#true" => Ok(Datum::Bool(true)),
                    "#f" | "#false" => Ok(Datum::Bool(false)),
                    _ => Err(invalid(pos, format!("unknown syntax '{token}'"))),
                }
            }
        }
    }

    /// The characters up to the next delimiter.
    fn token(&mut self) -> &'a str {
        let start = self.offset;
        while self.peek().is_some_and(|c| !is_delimiter(c)) {
            self.bump();
        }
        &self.text[start..self.offset]
    }

    /// A number or a symbol.
    fn atom(&mut self, symbols: &mut Interner) -> ReadResult<Datum> {
        let pos = self.pos;
        let token = self.token();
        let digits = token.strip_prefix(['+', '-']).unwrap_or(token);
        let numeric = digits.starts_with(|c: char| c.is_ascii_digit())
            || (digits.starts_with('.') && digits[1..].starts_with(|c: char| c.is_ascii_digit()));
        if !numeric {
            return Ok(Datum::Sym(symbols.intern(token)));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            let message =
                format!("unsupported number syntax '{token}' (only integers are supported)");
            return Err(invalid(pos, message));
        }
        token
            .parse()
            .map(Datum::Int)
            .map_err(|_| invalid(pos, format!("integer literal '{token}' is out of range")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str) -> Result<Vec<Syntax>, ReadError> {
        let mut symbols = Interner::new();
        let mut reader = Reader::new(text, Pos::START);
        let mut all = Vec::new();
        while let Some(syntax) = reader.next(&mut symbols)? {
            all.push(syntax);
        }
        Ok(all)
    }

    /// Whether reading `text` stops early (rather than on an error), and the message.
    fn failure(text: &str) -> (bool, String) {
        match read_all(text).expect_err("the text is not valid") {
            ReadError::Incomplete(e) => (true, e.report("t")),
            ReadError::Invalid(e) => (false, e.report("t")),
        }
    }

    #[test]
    fn reads_positions_and_data() {
        let all = read_all(
            "(a 1)\n  '(b . -2) #(1 \"x\\n\") ; comment\n#| #| nested |# |# #;(skipped) #t",
        )
        .unwrap();
        assert_eq!(all.len(), 4);
        assert_eq!(all[1].pos, Pos { line: 2, column: 3 });
        assert!(matches!(all[3].datum, Datum::Bool(true)));
        match &all[2].datum {
            Datum::Vector(items) => {
                assert!(matches!(&items[1].datum, Datum::Str(s) if s == "x\n"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tells_incomplete_from_invalid() {
        let unclosed = (true, "t:1:1: error: unclosed '('".to_string());
        assert_eq!(failure("(a (b c)"), unclosed);
        let stray = (false, "t:1:4: error: unexpected ')'".to_string());
        assert_eq!(failure("(a))"), stray);
        assert!(failure("\"abc").0);
        for invalid in ["(a . b c)", "1.5", "99999999999999999999", "#\\a"] {
            assert!(!failure(invalid).0, "{invalid}");
        }
    }
}
