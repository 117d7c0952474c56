//! Compile-fail tests: every rule the types enforce, one mistake per case, grouped by the rule;
//! and pass tests for the shapes `#[derive(Trace)]` accepts.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/scope/*.rs");
    t.compile_fail("tests/ui/heap/*.rs");
    t.compile_fail("tests/ui/send/*.rs");
    t.compile_fail("tests/ui/derive/*.rs");
    t.compile_fail("tests/ui/barrier/*.rs");
    t.compile_fail("tests/ui/collections/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
