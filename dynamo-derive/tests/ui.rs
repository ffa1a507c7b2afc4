//! Compile-time checks: each misuse of the derives fails to compile with a
//! message at the user's tokens (pinned in `ui/*.stderr`).

#[test]
fn misuses_fail_to_compile_with_pinned_messages() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
    cases.pass("tests/pass/*.rs");
}
