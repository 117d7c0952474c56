//! Running a program file, and the REPL.
//!
//! Both read one datum at a time and evaluate it before reading the next, so definitions
//! take effect in order. An error in a file stops it; in the REPL it is reported and the
//! session goes on. The REPL reads lines until the pending text holds complete data, so an
//! expression may span lines; an unclosed `(` at the end of the input is reported.

use std::fs;
use std::io::{self, BufRead, IsTerminal, Write};
use std::process::ExitCode;

use crate::error::{Error, Pos};
use crate::interpreter::Interpreter;
use crate::reader::{ReadError, Reader};

/// The source name in the REPL's error messages.
const STDIN: &str = "<stdin>";

fn report(interpreter: &mut Interpreter, source: &str, error: &Error) {
    interpreter.fresh_line();
    eprintln!("{}", error.report(source));
}

/// Runs every form of the file at `path`; stops at the first error.
pub fn run_file(interpreter: &mut Interpreter, path: &str) -> ExitCode {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("scheme: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut reader = Reader::new(&text, Pos::START);
    loop {
        let result = match reader.next(interpreter.symbols()) {
            Ok(None) => return ExitCode::SUCCESS,
            Ok(Some(syntax)) => interpreter.eval(&syntax, false).map(drop),
            Err(e) => Err(e.into_error()),
        };
        if let Err(e) = result {
            report(interpreter, path, &e);
            return ExitCode::FAILURE;
        }
    }
}

/// Text read but not yet evaluated: the start of a datum that needs more lines.
struct Pending {
    text: String,
    start: Pos,
}

/// Reads, evaluates and prints until the end of standard input.
pub fn repl(interpreter: &mut Interpreter) -> ExitCode {
    let stdin = io::stdin();
    let interactive = stdin.is_terminal();
    let mut lines = stdin.lock();
    let mut pending = Pending {
        text: String::new(),
        start: Pos::START,
    };
    let mut next_line = 1;
    loop {
        if interactive {
            interpreter.fresh_line();
            print!(
                "{}",
                if pending.text.trim().is_empty() {
                    "> "
                } else {
                    "... "
                }
            );
            let _ = io::stdout().flush();
        }
        let mut line = String::new();
        match lines.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("scheme: cannot read standard input: {e}");
                return ExitCode::FAILURE;
            }
        }
        if pending.text.is_empty() {
            pending.start = Pos {
                line: next_line,
                column: 1,
            };
        }
        next_line += 1;
        pending.text.push_str(&line);
        pending = eval_pending(interpreter, pending);
    }
    if !pending.text.trim().is_empty() {
        // The input ended inside a datum: read it once more to report where it began.
        let mut reader = Reader::new(&pending.text, pending.start);
        if let Err(e) = reader.next(interpreter.symbols()) {
            report(interpreter, STDIN, &e.into_error());
        }
    }
    if interactive {
        interpreter.fresh_line();
    }
    ExitCode::SUCCESS
}

/// Evaluates the complete data in `pending`; returns what is left of an incomplete one.
fn eval_pending(interpreter: &mut Interpreter, pending: Pending) -> Pending {
    let mut reader = Reader::new(&pending.text, pending.start);
    loop {
        let (offset, start) = (reader.offset(), reader.pos());
        match reader.next(interpreter.symbols()) {
            Ok(Some(syntax)) => match interpreter.eval(&syntax, true) {
                Ok(Some(value)) => interpreter.print_line(&value),
                Ok(None) => interpreter.flush(),
                Err(e) => report(interpreter, STDIN, &e),
            },
            Ok(None) => break,
            Err(ReadError::Incomplete(_)) => {
                return Pending {
                    text: pending.text[offset..].to_string(),
                    start,
                }
            }
            Err(ReadError::Invalid(e)) => {
                // The rest of the text is unreliable after a syntax error: drop it.
                report(interpreter, STDIN, &e);
                break;
            }
        }
    }
    Pending {
        text: String::new(),
        start: Pos::START,
    }
}
