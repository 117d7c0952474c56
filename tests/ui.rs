//! Compile-fail tests: every rule the types enforce, one mistake per case, grouped by the rule;
//! and pass tests for the shapes `#[derive(Trace)]` accepts.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/scope/*.rs");
    t.compile_fail("ui/heap/*.rs");
    t.compile_fail("ui/send/*.rs");
    t.compile_fail("ui/derive/*.rs");
    t.compile_fail("ui/barrier/*.rs");
    t.compile_fail("ui/collections/*.rs");
    t.compile_fail("ui/object/*.rs");
    t.compile_fail("ui/dyn/*.rs");
    t.pass("ui/pass/*.rs");
}
