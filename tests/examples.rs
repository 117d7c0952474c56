//! The examples, run the way their users run them.
//!
//! - `tour`: its narration reaches the key results.
//! - `linked_list`, `graph`, `parent_tree`, `lru_cache`, `weak_cache`, `shapes`: each succeeds (their
//!   own assertions hold) and narrates its key results.
//! - `workers`: two threads serve every order in sessions of their own heaps, reading one
//!   frozen catalog, and agree with the sum of all orders.
//! - `scheme`: the feature test prints exactly `test.expected`; every benchmark prints its
//!   result at a small size; a REPL session with errors reports each one with its position
//!   and goes on; a file with an error stops with its position; and a long loop of cyclic
//!   garbage, some of it promoted, runs in a bounded heap.
//!
//! The examples are built once, in this test's profile, with the cargo that runs the tests.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// Builds the examples, once, and returns the directory that holds their binaries.
fn examples_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let mut cargo = Command::new(env!("CARGO"));
        cargo
            .args([
                "build",
                "--quiet",
                "--example",
                "scheme",
                "--example",
                "tour",
                "--example",
                "linked_list",
                "--example",
                "graph",
                "--example",
                "parent_tree",
                "--example",
                "lru_cache",
                "--example",
                "weak_cache",
                "--example",
                "shapes",
                "--example",
                "workers",
            ])
            .args(["--package", "gc-examples"])
            .current_dir(workspace_root());
        if !cfg!(debug_assertions) {
            cargo.arg("--release");
        }
        let status = cargo.status().expect("cargo runs");
        assert!(status.success(), "building the examples failed: {status}");
        // This test runs from <target>/<profile>/deps/; examples are in <target>/<profile>/examples/.
        let exe = std::env::current_exe().expect("the test knows its own path");
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("a target directory");
        profile_dir.join("examples")
    })
}

/// The workspace's root, where the examples' package is.
fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests' package is in the workspace root")
}

fn programs_dir() -> PathBuf {
    workspace_root().join("examples/scheme/programs")
}

fn program(name: &str) -> String {
    programs_dir().join(name).to_string_lossy().into_owned()
}

/// Runs an example with `args`, feeding it `stdin`.
fn run(example: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(examples_dir().join(example))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the {example} example: {e}"));
    let mut input = child.stdin.take().expect("a piped stdin");
    input
        .write_all(stdin.as_bytes())
        .expect("the example reads its input");
    drop(input);
    child.wait_with_output().expect("the example finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs the Scheme interpreter on a file and returns its output, which must be a success.
fn scheme(args: &[&str]) -> (String, String) {
    let output = run("scheme", args, "");
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(
        output.status.success(),
        "scheme {args:?} failed:\n{stdout}\n{stderr}"
    );
    (stdout, stderr)
}

#[test]
fn tour_narrates_its_key_results() {
    let output = run("tour", &[], "");
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    for line in [
        "1. Built a doubly linked list: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]",
        "upgrade() = Some(\"target\")",
        "upgrade() = None",
        "dropped 0 times",
        "dropped 1 time(s)",
        "== Heap statistics ==",
    ] {
        assert!(
            stdout.contains(line),
            "the tour does not say {line:?}:\n{stdout}"
        );
    }
}

/// Runs a small example, which must succeed, and checks that its output has every one of
/// `lines`.
fn assert_says(example: &str, lines: &[&str]) {
    let output = run(example, &[], "");
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    for line in lines {
        assert!(
            stdout.lines().any(|l| l == *line),
            "{example} does not say {line:?}:\n{stdout}"
        );
    }
}

#[test]
fn shapes_reach_their_objects_through_the_trait() {
    assert_says(
        "shapes",
        &[
            "Drawing: group [circle r=1, square 2]",
            "Total area: 7.14",
            "Highlighted: square 3, area 9",
            "Roots dropped: 0 bytes live.",
        ],
    );
}

#[test]
fn linked_list_frees_the_removed_node() {
    assert_says(
        "linked_list",
        &[
            "  forwards:  a b c d e",
            "  backwards: e d c b a",
            "  forwards:  a b d e",
            "  backwards: e d b a",
            "After a major collection, freed: [\"c\"]",
            "After dropping the heap, freed the rest: [\"a\", \"b\", \"d\", \"e\"]",
        ],
    );
}

#[test]
fn graph_walks_breadth_first_and_frees_its_cycles() {
    assert_says(
        "graph",
        &[
            "Breadth-first from Paris (flights needed): \
             Paris (0), Berlin (1), Rome (1), Warsaw (2), Athens (2)",
            "Root dropped, after a major collection: 0 bytes live, 6 vertices freed in all.",
        ],
    );
}

#[test]
fn parent_tree_lives_while_one_leaf_is_rooted() {
    assert_says(
        "parent_tree",
        &[
            "  /home/ada/notes.txt",
            "  /usr/bin/cat",
            "  notes.txt -> ada -> home -> / (up the parents), and / still reaches all 10 nodes.",
            "Root dropped. After a major collection: 0 bytes live, 10 nodes freed.",
        ],
    );
}

#[test]
fn lru_cache_evicts_the_least_recently_used_and_frees_it() {
    assert_says(
        "lru_cache",
        &[
            "  get a: hit (page A)       newest first: a c b",
            "  get d: miss, evicted c    newest first: d b a",
            "4 hits, 6 misses; evicted [\"c\", \"b\", \"d\"].",
            "Put e, which is cached: nothing evicted, newest first: e a b",
            "After a major collection: 3 entries freed, the 3 evicted ones.",
        ],
    );
}

#[test]
fn workers_share_a_frozen_catalog_and_serve_every_order() {
    let output = run("workers", &["200000"], "");
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    for line in [
        "Catalog: 2000 products, frozen: 203 KiB, read by 2 workers",
        "Worker 0: 4 sessions of 25000 orders; the last keeps its last 5000",
        "Worker 1: 4 sessions of 25000 orders; the last keeps its last 5000",
        "All orders: 1096500000 cents",
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "workers does not say {line:?}:\n{stdout}"
        );
    }
}

#[test]
fn weak_cache_keeps_only_what_is_used_elsewhere() {
    assert_says(
        "weak_cache",
        &[
            "Looked up 360 again: the same object? true (values computed: 3)",
            "After a major collection: 97 cleared, 360 alive, 1001 cleared",
            "Looked up 360: the object the user holds? true",
            "Looked up 1001: computed again, 1001 = 7 * 11 * 13 (values computed: 4)",
            "Pruned 3 dead entries; 0 left.",
            "b.txt: 6 words, the longest \"extraordinarily\"",
            "Weak map: summaries of a.txt, b.txt, c.txt",
            "Closed b.txt; after a major collection the weak map has summaries of a.txt, c.txt \
             (its summary pointed back at b.txt, and still did not keep it)",
            "a.txt again: 4 words, from the cache",
        ],
    );
}

#[test]
fn scheme_test_program_prints_exactly_the_expected_output() {
    let expected = std::fs::read_to_string(program("test.expected")).expect("test.expected");
    // With at most 150000 calls pending, the million-deep tail calls prove they run in
    // constant space (and the 100000-deep non-tail recursion still fits).
    let (stdout, stderr) = scheme(&["--max-depth", "150000", &program("test.scm")]);
    assert!(stderr.is_empty(), "{stderr}");
    if stdout != expected {
        let first = stdout
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b);
        panic!("test.scm's output differs from test.expected (first at line {first:?}):\n{stdout}");
    }
}

#[test]
fn scheme_benchmarks_print_their_results_at_small_sizes() {
    let cases: &[(&str, &str, &str)] = &[
        ("fib.scm", "15", "(fib 15) = 610\n"),
        ("tak.scm", "1", "(tak 18 12 6) = 7, 1 times\n"),
        ("nqueens.scm", "6", "(nqueens 6) = 4\n"),
        (
            "deriv.scm",
            "10",
            "(+ (* (* 3 x x) (+ (/ 0 3) (/ 1 x) (/ 1 x))) (* (* a x x) (+ (/ 0 a) (/ 1 x) (/ 1 x))) \
             (* (* b x) (+ (/ 0 b) (/ 1 x))) 0)\n",
        ),
        (
            "destruct.scm",
            "2",
            "((1 1 2) (1 1 1) (1 1 1 2) (1 1 1 1) (1 1 1 1 2) (1 1 1 1 2) (1 1 1 1 2) (1 1 1 1 2) \
             (1 1 1 1 2) (1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 2 2 2 2 2 3))\n",
        ),
        ("primes.scm", "1000", "168 primes up to 1000, the largest 997\n"),
        (
            "church.scm",
            "30",
            "N * N = 900\nN + N = 60\n2 ^ 16 = 65536\n8! = 40320\n",
        ),
    ];
    for &(file, size, expected) in cases {
        let (stdout, _) = scheme(&[&program(file), size]);
        assert_eq!(stdout, expected, "{file} {size}");
    }
}

#[test]
fn scheme_repl_reports_errors_with_positions_and_goes_on() {
    let session = "\
(define x 10)
(+ x 1)
(car 5)
  undefined-variable
(define (two a b) (list a b))
(two 1)
(+ 1 2))
(* 9223372036854775807 2)
(if)
(error \"custom failure\" 'x 42)
(display \"still here\")
(let loop ((i 0) (acc '()))
  (if (= i 3)
      acc
      (loop (+ i 1) (cons i acc))))
x
(list 1
";
    let output = run("scheme", &[], session);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert_eq!(stdout, "11\n3\nstill here\n(2 1 0)\n10\n");
    assert_eq!(
        stderr,
        "\
<stdin>:3:1: error: car: expected a pair, got 5
<stdin>:4:3: error: unbound variable: undefined-variable
<stdin>:6:1: error: two: wrong number of arguments: expected 2, got 1
<stdin>:7:8: error: unexpected ')'
<stdin>:8:1: error: *: integer overflow
<stdin>:9:1: error: bad syntax in if: expected (if test consequent [alternative])
<stdin>:10:1: error: custom failure: x 42
<stdin>:17:1: error: unclosed '('
"
    );
}

#[test]
fn scheme_file_stops_at_its_first_error_with_its_position() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(format!("scheme-error-{}.scm", std::process::id()));
    std::fs::write(&path, "(display \"before\")\n(newline)\n(define (f x)\n  (vector-ref x 0))\n(f 'oops)\n(display \"after\")\n").unwrap();
    let output = run("scheme", &[path.to_str().unwrap()], "");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stdout), "before\n");
    let expected = format!(
        "{}:4:3: error: vector-ref: expected a vector, got oops\n",
        path.display()
    );
    assert_eq!(text(&output.stderr), expected);

    std::fs::write(&path, "(display 1)\n(define (g)\n  (+ 1 2)\n").unwrap();
    let output = run("scheme", &[path.to_str().unwrap()], "");
    assert_eq!(output.status.code(), Some(1));
    let expected = format!("{}:2:1: error: unclosed '('\n", path.display());
    assert_eq!(text(&output.stderr), expected);
}

/// The value of `key=` in the interpreter's `--stats` line.
fn stat(stats: &str, key: &str) -> f64 {
    let line = stats
        .lines()
        .find(|l| l.starts_with("gc: "))
        .expect("a stats line");
    let field = line
        .split_whitespace()
        .find_map(|field| field.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {key} in {line}"));
    field
        .parse()
        .unwrap_or_else(|_| panic!("{key} is not a number in {line}"))
}

#[test]
fn scheme_shows_what_leaks_and_why_and_writes_a_heap_snapshot() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let snapshot = dir.join(format!("leak-{}.heapsnapshot", std::process::id()));
    let args = ["--heap-snapshot", snapshot.to_str().unwrap()];
    let (stdout, stderr) = scheme(&[&args[..], &[&program("leak.scm"), "500"]].concat());
    assert_eq!(stdout, "125250\n");
    // The census grows by a vector and a pair per request, and the path names the global.
    let census = stderr
        .lines()
        .find(|l| l.ends_with("scheme::value::Pair<'_>"));
    let pairs = census.and_then(|l| l.split_whitespace().next());
    assert_eq!(pairs, Some("500"), "{stderr}");
    assert!(
        stderr.contains("why-alive #(1 1 1 1): Root #0 -> Globals.table -> ")
            && stderr.contains("-> Global.value.Pair.0 -> Pair.car.Vector.0 -> [GcCell<Value>]"),
        "{stderr}"
    );
    assert!(stderr.contains("heap snapshot: "), "{stderr}");
    let json = std::fs::read_to_string(&snapshot).unwrap();
    std::fs::remove_file(&snapshot).unwrap();
    assert!(
        json.starts_with("{\"snapshot\":{\"meta\":{\"node_fields\":"),
        "{json:.200}"
    );
}

#[test]
fn scheme_cycles_run_in_a_bounded_heap() {
    // A small nursery, so that kept cycles are promoted and major collections reclaim them
    // within a short run.
    let args = ["--stats", "--nursery-kib", "64"];
    let (stdout, stderr) = scheme(&[&args[..], &[&program("cycles.scm"), "10000"]].concat());
    assert_eq!(stdout, "checksum after 10000 rounds: 18505714\n");
    let allocated_mib = stat(&stderr, "allocated_mib");
    let peak_kib = stat(&stderr, "peak_reserved_kib");
    assert!(stat(&stderr, "minor") >= 100.0, "{stderr}");
    assert!(stat(&stderr, "major") >= 2.0, "{stderr}");
    assert!(
        allocated_mib >= 150.0,
        "too little garbage to tell: {stderr}"
    );
    assert!(
        peak_kib < 4.0 * 1024.0,
        "the heap grew to {peak_kib} KiB for {allocated_mib} MiB allocated: {stderr}"
    );
}
