//! A small Scheme whose every value, environment frame and piece of code lives in the
//! tenured-gc heap.
//!
//! ```text
//! cargo run --release --example scheme -- [OPTION ...] [FILE.scm [ARG ...]]
//! ```
//!
//! With a file, runs it (`(command-line)` returns the file's name and the `ARG`s); without
//! one, reads expressions from standard input and prints their values (a REPL). Options:
//! - `--stats`: print a last line of heap statistics on standard error: `gc: minor=N
//!   major=N pause_total_ms=T pause_max_ms=T peak_reserved_kib=K allocated_mib=M` (the
//!   peak of the heap's reserved memory is sampled between slices of 65536 transitions);
//! - `--heap-limit MIB`: the most memory the heap may reserve (default 4096);
//! - `--nursery-kib KIB`: the size of the nursery's eden (default 4096); the old
//!   generation's budget before its first major collection is four times as much;
//! - `--max-depth CALLS`: the most calls that may be pending (default 4000000);
//! - `--heap-snapshot FILE`: when the program ends, write a heap snapshot of what its globals
//!   reach to FILE, in the V8 `.heapsnapshot` format that Chrome DevTools' Memory panel opens;
//! - `--census`: when the program ends, print the census of what its globals reach, by type,
//!   on standard error.
//!
//! A program can look inside the heap itself: `(heap-snapshot "FILE")`, `(heap-census)` and
//! `(why-alive VALUE)` (see `primitives/heap.rs`).
//!
//! # The language
//! An R7RS-small subset: integers (64-bit, overflow is an error), booleans, strings,
//! symbols, pairs and lists, vectors and procedures; `quote`, `lambda`, `define`, `set!`,
//! `if`, `cond`, `case`, `and`, `or`, `when`, `unless`, `begin`, `let` (and named `let`),
//! `let*`, `letrec`, `letrec*`, `do`, internal definitions, and proper tail calls. The
//! primitives are listed in `primitives/`.
//!
//! # Parts
//! - [`reader`]: text to [`Syntax`](reader::Syntax) trees with positions.
//! - [`compile`]: syntax to managed code ([`ast`]), variables resolved to frame slots.
//! - [`machine`]: the CEK machine that evaluates code, one bounded step at a time.
//! - [`interpreter`]: the heap, the globals, and the `Heap::run` loop around the machine.
//! - [`value`], [`printer`], [`primitives`], [`symbol`], [`error`]: the data and the
//!   library.
//! - [`session`]: running a file, and the REPL.
//!
//! Unit tests: `cargo test --example scheme`; the programs in `examples/scheme/programs/`
//! are checked by `tests/examples.rs`.

mod ast;
mod compile;
mod error;
mod interpreter;
mod machine;
mod primitives;
mod printer;
mod reader;
mod session;
mod symbol;
mod value;

use std::process::ExitCode;

use tenured_gc::HeapConfig;

use crate::interpreter::Interpreter;
use crate::machine::DEFAULT_MAX_DEPTH;

const USAGE: &str = "usage: scheme [--stats] [--heap-limit MIB] [--nursery-kib KIB] \
                     [--max-depth CALLS] [--heap-snapshot FILE] [--census] [FILE.scm [ARG ...]]";

/// The heap limit unless `--heap-limit` says otherwise: a runaway program gets an
/// out-of-memory error, not the machine's memory.
const DEFAULT_HEAP_LIMIT_MIB: usize = 4096;

/// What the command line asks for.
struct Options {
    stats: bool,
    heap_limit_mib: usize,
    /// `None`: the collector's default.
    nursery_kib: Option<usize>,
    max_depth: usize,
    /// Where to write a heap snapshot at the end.
    heap_snapshot: Option<String>,
    census: bool,
    /// The program file and its arguments; empty for the REPL.
    program: Vec<String>,
}

impl Options {
    fn parse(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
        let mut options = Options {
            stats: false,
            heap_limit_mib: DEFAULT_HEAP_LIMIT_MIB,
            nursery_kib: None,
            max_depth: DEFAULT_MAX_DEPTH,
            heap_snapshot: None,
            census: false,
            program: Vec::new(),
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--stats" => options.stats = true,
                "--heap-limit" => options.heap_limit_mib = number(&arg, args.next())?,
                "--nursery-kib" => options.nursery_kib = Some(number(&arg, args.next())?),
                "--max-depth" => options.max_depth = number(&arg, args.next())?,
                "--heap-snapshot" => {
                    let file = args.next().ok_or("--heap-snapshot needs a file name")?;
                    options.heap_snapshot = Some(file)
                }
                "--census" => options.census = true,
                "-h" | "--help" => return Err(String::new()),
                flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
                _ => {
                    options.program.push(arg);
                    options.program.extend(args);
                    break;
                }
            }
        }
        Ok(options)
    }
}

/// The number that follows the option `name`.
fn number(name: &str, value: Option<String>) -> Result<usize, String> {
    let value = value.ok_or_else(|| format!("{name} needs a number"))?;
    value
        .parse()
        .map_err(|_| format!("{name}: not a number: {value}"))
}

fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("scheme: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut config = HeapConfig {
        heap_limit: Some(options.heap_limit_mib.saturating_mul(1024 * 1024)),
        ..HeapConfig::from_env()
    };
    if let Some(kib) = options.nursery_kib {
        config.nursery_size = kib.saturating_mul(1024);
    }
    let mut interpreter = match Interpreter::new(config, options.program.clone(), options.max_depth)
    {
        Ok(interpreter) => interpreter,
        Err(e) => {
            eprintln!("scheme: {e}");
            return ExitCode::from(2);
        }
    };
    let status = match options.program.first() {
        Some(path) => session::run_file(&mut interpreter, path),
        None => session::repl(&mut interpreter),
    };
    interpreter.flush();
    if options.census {
        eprint!("{}", interpreter.census());
    }
    if let Some(path) = &options.heap_snapshot {
        interpreter.write_heap_snapshot(path);
    }
    if options.stats {
        eprintln!("{}", interpreter.stats_line());
    }
    status
}
