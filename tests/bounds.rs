//! Bounds that hold whatever a template asks for: expression depth (the stack) and
//! the memory one compile or rendering may hold (the allocator's budget). Each case
//! runs the built binary in a limited address space and must end with a `template`
//! error and exit 1, never an abort.

mod common;
use common::*;

const HEAD: &str = "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\nrandom: 1\n---\n";

/// Every kind of chain minijinja nests as deep as it is long, 30,000 links each.
#[cfg(unix)]
#[test]
fn long_expression_chains_are_refused_not_a_stack_overflow() {
    let dir = scratch("bounds-chains");
    let n = 30_000;
    for (name, body) in [
        ("unary", format!("{{{{ {}1 }}}}", "-".repeat(n))),
        ("sum", format!("{{{{ 1{} }}}}", "+1".repeat(n))),
        ("attribute", format!("{{{{ x{} }}}}", ".a".repeat(n))),
        ("filter", format!("{{{{ 1{} }}}}", "|abs".repeat(n))),
        ("subscript", format!("{{{{ x{} }}}}", "[0]".repeat(n))),
        ("call", format!("{{{{ f{} }}}}", "()".repeat(n))),
        ("not", format!("{{{{ {}x }}}}", "not ".repeat(n))),
        ("concat", format!("{{% set s = 1{} %}}", " ~ 1".repeat(n))),
    ] {
        let file = write(&dir, &format!("{name}.timl"), &format!("{HEAD}{body}\n"));
        let output = timl_limited(400, &["check", &file]);
        let shown = stdout(&output);
        assert_eq!(code(&output), 1, "{name}: {shown}{}", stderr(&output));
        assert!(
            shown.contains("error[template]: this tag holds more than 500 operators"),
            "{name}: {shown}"
        );
    }
    // An include is held to the same bound.
    write(
        &dir,
        "_deep.timl",
        &format!("{{{{ x{} }}}}", ".a".repeat(n)),
    );
    let file = write(
        &dir,
        "includes.timl",
        &format!("{HEAD}{{% include '_deep.timl' %}}\n"),
    );
    let output = timl_limited(400, &["check", &file]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("operators"), "{}", stdout(&output));
}

/// One instruction can ask for gigabytes; the budget stops it at 128 MiB, in an
/// address space a fraction of what the rendering would take.
#[cfg(unix)]
#[test]
fn a_rendering_that_outgrows_the_memory_budget_is_stopped() {
    let dir = scratch("bounds-memory");
    let value = "v".repeat(100_000);
    let vars = write(&dir, "vars.json", &format!("{{\"v\": \"{value}\"}}"));
    for (name, body) in [
        ("join", "{{ (['x' * 60000] * 100000000)|join|length }}"),
        ("tojson", "{{ (['x' * 60000] * 100000000)|tojson|length }}"),
        ("string", "{{ (['x' * 60000] * 100000000)|string|length }}"),
        ("pprint", "{{ (['x' * 60000] * 100000000)|pprint|length }}"),
        (
            "indent",
            "{{ (['x' * 60000] * 100000000)|indent(2)|length }}",
        ),
        ("concat", "{{ (['x' * 60000] * 100000000) ~ '' }}"),
        ("from-data", "{{ ([v] * 1000000)|join|length }}"),
    ] {
        let file = write(&dir, &format!("{name}.timl"), &format!("{HEAD}{body}\n"));
        for command in ["compile", "check"] {
            let output = timl_limited(400, &[command, &file, "--vars", &vars]);
            let shown = stderr(&output);
            assert_eq!(code(&output), 1, "{name} {command}: {shown}");
            assert!(
                shown.contains("error[template]"),
                "{name} {command}: {shown}"
            );
            assert!(output.stdout.is_empty() || command == "check", "{name}");
        }
    }
}

/// The budget counts what template work holds, not what the process holds: a 6 MB
/// value from a variables file still compiles.
#[test]
fn ordinary_large_inputs_are_within_the_budget() {
    let dir = scratch("bounds-ordinary");
    let value = "w ".repeat(3_000_000);
    let vars = write(&dir, "vars.json", &format!("{{\"v\": \"{value}\"}}"));
    let file = write(
        &dir,
        "t.timl",
        &format!("{HEAD}{{{{ v|length }}}} {{{{ v[:5] }}}}\n"),
    );
    let output = timl(&["compile", &file, "--vars", &vars]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stdout(&output).contains("6000000 w w w"),
        "{}",
        stdout(&output)
    );
}

/// On a terminal, `compile` shows a value's control, bidi and invisible characters as
/// JSON escapes; into a pipe it writes the exact body. Needs `script` (util-linux) for
/// a terminal; says so and passes without it.
#[cfg(unix)]
#[test]
fn compile_output_on_a_terminal_shows_control_characters_as_escapes() {
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!(
            "skipped: `script` (util-linux) is not installed, so there is no terminal to test"
        );
        return;
    }
    let dir = scratch("bounds-terminal");
    let file = write(&dir, "t.timl", &format!("{HEAD}Hi {{{{ v }}}}\n"));
    let vars = write(
        &dir,
        "v.json",
        "{\"v\": \"a\\u009bb\\u202ec\\u007fd\\u001b[2Je\"}",
    );
    let piped = timl(&["compile", &file, "--vars", &vars]);
    assert!(
        stdout(&piped).contains("Hi a\u{9b}b\u{202e}c\u{7f}d\\u001b[2Je"),
        "{}",
        stdout(&piped)
    );
    let command = format!(
        "{} compile {file} --vars {vars}",
        env!("CARGO_BIN_EXE_timl")
    );
    let shown = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown.contains(r"Hi a\u009bb\u202ec\u007fd\u001b[2Je"),
        "{shown}"
    );
    assert!(
        !shown.contains(['\u{9b}', '\u{202e}', '\u{7f}', '\u{1b}']),
        "{shown}"
    );
}
