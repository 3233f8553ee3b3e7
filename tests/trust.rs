//! Trust: nothing from data becomes markup, nothing escapes the template's folder,
//! nothing crashes, and no input makes timl work or allocate without bound.
//!
//! The first part goes through the library: every allowed filter, test, function,
//! slice and loop is applied to markup (a captured block, macro output, `mention()`
//! and `face()` output) that holds hostile values, and the result must never hold a
//! mention, `@all` or element the template did not write itself. The rest runs the
//! built binary.

use std::fs;

use minijinja::context;
use proptest::prelude::*;
use serde_json::Value as Json;
use timl::compile_template;
use timl::Options;
use timl::{filter_names, test_names, Template};

mod common;
use common::*;

// ---------------------------------------------------------------------------------
// Values stay data whatever template code does
// ---------------------------------------------------------------------------------

/// The header every generated template starts with.
const HEAD: &str = "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\nrandom: 1\n---\n";

/// Values that would be markup if they were read as markup: `@all`, mentions of
/// `evil`, faces 99, elements of other kinds, escapes, quotes, brackets, line breaks,
/// template syntax and the reserved characters' neighbours.
const HOSTILE: &[&str] = &[
    "x @all y",
    "@all",
    "@evil [face 99] @all",
    "[at evil] [at all \"All\"] [custom \"{}\" desc=x]",
    "a\" [face 99] \"b",
    "\\@evil \\[face 99] \\\\",
    "]\n@all\n[face 99",
    "[image url=https://e/x.png width=1 height=1] [location 1 2 \"x\"]",
    "---\ngroup: evil\n---\n@all",
    "{{ 1 }} {% if 1 %}@all{% endif %}",
    "@all,@evil;[face 99]|@evil",
    "\u{E00C}@all\u{F8FF}",
];

/// Markup holding the value `v`, bound to `b`, and what the template itself writes in
/// it (a face 2 and a mention of `friend`).
const MARKUP: &[&str] = &[
    "{% set b %}pre [face 2] {{ v }} @friend post{% endset %}",
    "{% macro m(x) %}[face 2] {{ x }}@friend {{ x }}{% endmacro %}{% set b = m(v) %}",
    "{% macro w() %}<{{ caller() }}>{% endmacro %}{% set b %}{% call w() %}{{ v }} [face 2]{% endcall %}{% endset %}",
    "{% set b = mention(v, name=v) %}",
    "{% set b = face(2, data=v) %}",
    "{% set b = mention('friend') ~ v ~ face(2) %}",
    "{% set b %}{% filter upper %}{{ v }}{% endfilter %}@friend{% endset %}",
];

/// Ways to use a filter `F` on markup `b`.
const FILTER_USES: &[&str] = &[
    "{{ b|F }}",
    "{{ (b|F)[0] }}",
    "{{ (b|F)[1] }}",
    "{{ (b|F)[-1] }}",
    "{{ b|F(' ') }}",
    "{{ (b|F(' '))[1] }}",
    "{{ b|F('@') }}",
    "{{ b|F('[', '@') }}",
    "{{ b|F(b) }}",
    "{{ 'a @x b'|F(b) }}",
    "{{ [b, v, 'x']|F }}",
    "{{ ([b, v]|F)|first }}",
    "{{ {'k': b}|F }}",
    "{{ b|F|safe }}",
    "{{ (b|F)[1]|safe }}",
    "{{ b|F|string }}",
    "{{ b|F|list|last }}",
    "{% for p in b|F %}{{ p }}{{ p|safe }}{% endfor %}",
    "{% for p in b|F(' ') %}{{ p|safe }}{% endfor %}",
    "{{ b|F ~ b }}",
];

/// Ways to use a test `T` on markup `b`.
const TEST_USES: &[&str] = &[
    "{% if b is T %}{{ b }}{% endif %}",
    "{% if b is T(' ') %}{{ b }}{% endif %}",
    "{% if b is T(b) %}{{ b }}{% endif %}",
    "{{ [b, v]|select('T')|join }}",
    "{{ [b, v]|reject('T')|first }}",
];

/// Slices, indexing, loops, operators, methods and functions on markup `b`.
const OTHER_USES: &[&str] = &[
    "{{ b }}",
    "{{ b[1:] }}",
    "{{ b[3:9] }}",
    "{{ b[:-1] }}",
    "{{ b[::2] }}",
    "{{ b[::-1] }}",
    "{{ b[1] }}",
    "{{ b[-2] }}",
    "{% for c in b %}{{ c }}{% endfor %}",
    "{% for c in b %}{{ c|safe }}{% endfor %}",
    "{% set ns = namespace(s='') %}{% for c in b %}{% set ns.s = ns.s ~ c %}{% endfor %}{{ ns.s }}",
    "{% set ns = namespace(s=b[:0]) %}{% for c in b %}{% set ns.s = ns.s ~ c %}{% endfor %}{{ ns.s }}",
    "{% for c in b|list %}{{ c }}{% endfor %}",
    "{{ b ~ v }}",
    "{{ b * 2 }}",
    "{{ b + v }}",
    "{{ 'x' in b }}",
    "{{ b == v }}",
    "{% for i in [1, 2] %}{{ loop.cycle(b, v) }}{% endfor %}",
    "{{ b.upper() }}",
    "{{ b.split() }}",
    "{{ dict(k=b).k }}",
    "{{ namespace(k=b).k }}",
    "{{ [b][0] }}",
    "{{ (b ~ '')[2:] }}",
    "{{ b|trim }}",
    "{{ b|trim('pre') }}",
    "{{ mention(b) }}",
    "{{ mention(b[1:]) }}",
    "{{ face(2, data=b) }}",
    "{% include b %}",
];

/// Every template to try: each markup source with each use of each feature.
fn cutting_templates() -> Vec<String> {
    let mut uses: Vec<String> = OTHER_USES.iter().map(|u| u.to_string()).collect();
    for filter in filter_names() {
        uses.extend(FILTER_USES.iter().map(|u| u.replace('F', filter)));
    }
    for test in test_names() {
        uses.extend(TEST_USES.iter().map(|u| u.replace('T', test)));
    }
    let mut templates = Vec::new();
    for markup in MARKUP {
        for used in &uses {
            templates.push(format!("{HEAD}{markup}{used}\n"));
        }
    }
    templates
}

/// What a compiled message may hold: mentions of `friend` (written by the template)
/// or of what the template passed to `mention()`, never `@all`, faces 2, and text.
/// Anything else came from a value.
fn assert_nothing_from_data(template: &str, values: &[&str]) {
    let Ok(compiled) = Template::new("t.timl", template, None) else {
        return;
    };
    for &value in values {
        let compiled = compile_template(&compiled, context! { v => value }, &Options::default());
        if let Some(json) = compiled.json {
            assert_message(template, value, &json);
        }
    }
}

fn assert_message(template: &str, value: &str, json: &str) {
    let message: Json = serde_json::from_str(json).unwrap();
    let from_mention = template.contains("mention(");
    for at in message["GroupAtInfo"].as_array().into_iter().flatten() {
        assert_eq!(
            at["GroupAtAllFlag"], 0,
            "@all from {value:?} via {template}"
        );
        let account = at["GroupAt_Account"].as_str().unwrap();
        // The template writes `@friend`; any other account can only be one it named
        // on purpose with `mention()`.
        assert!(
            account == "friend" || from_mention,
            "mention of {account:?} from {value:?} via {template}"
        );
    }
    for element in message["MsgBody"].as_array().unwrap() {
        match element["MsgType"].as_str().unwrap() {
            "TIMTextElem" => {}
            "TIMFaceElem" => assert_eq!(
                element["MsgContent"]["Index"], 2,
                "face from {value:?} via {template}"
            ),
            other => panic!("{other} from {value:?} via {template}"),
        }
    }
}

#[test]
fn every_feature_applied_to_markup_keeps_values_data() {
    let templates = cutting_templates();
    assert!(templates.len() > 8000, "{}", templates.len());
    for (i, template) in templates.iter().enumerate() {
        // The first value and two more in turn: every value meets every feature.
        let values = [
            HOSTILE[0],
            HOSTILE[1 + i % (HOSTILE.len() - 1)],
            HOSTILE[1 + (i / 7) % (HOSTILE.len() - 1)],
        ];
        assert_nothing_from_data(template, &values);
    }
}

#[test]
fn the_allow_list_has_every_minijinja_builtin() {
    // minijinja 3.1's builtin filters and tests (its `defaults.rs`); a name missing
    // here would be a feature timl dropped by accident.
    let filters = "safe escape e lower upper title capitalize replace length count \
        dictsort items reverse trim join split lines default d round abs int float attr \
        first last min max sort list string bool batch slice sum indent select reject \
        selectattr rejectattr map groupby unique chain zip pprint format tojson";
    let tests = "undefined defined none safe escaped boolean odd even divisibleby \
        number integer int float string sequence iterable mapping startingwith \
        endingwith lower upper sameas eq equalto == ne != lt lessthan < le <= gt \
        greaterthan > ge >= in true false filter test";
    let ours = filter_names();
    for name in filters.split_whitespace() {
        assert!(ours.contains(&name), "filter {name}");
    }
    let ours = test_names();
    for name in tests.split_whitespace() {
        assert!(ours.contains(&name), "test {name}");
    }
}

fn hostile_value() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("@all".to_owned()),
        Just("@evil".to_owned()),
        Just("[face 99]".to_owned()),
        Just("[at evil]".to_owned()),
        Just("[at all]".to_owned()),
        Just("[custom \"x\"]".to_owned()),
        Just("\\".to_owned()),
        Just("\"".to_owned()),
        Just("]".to_owned()),
        Just("[".to_owned()),
        Just("\n".to_owned()),
        Just(" ".to_owned()),
        Just("=".to_owned()),
        Just("{{".to_owned()),
        Just("---".to_owned()),
        "[a-z0-9_ .,;|-]{0,6}",
        "\\PC{0,3}",
    ];
    prop::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn generated_values_through_any_feature_stay_data(
        index in any::<prop::sample::Index>(),
        value in hostile_value(),
    ) {
        let templates = cutting_templates();
        assert_nothing_from_data(index.get(&templates).as_str(), &[value.as_str()]);
    }
}

#[test]
fn what_the_template_text_means_never_depends_on_a_value() {
    // `{{ user }}@all...` must not mention everyone when the cell is blank or ends in
    // white space: an `@` right after a value is always glued to it.
    let source =
        format!("{HEAD}Write to {{{{ user }}}}@all.example.com or @tommy{{{{ v }}}}@all\n");
    let template = Template::new("t.timl", &source, None).unwrap();
    for user in [
        "", " ", "bob ", "\t", "\n", "中", "\u{3000}", "\u{200B}", "(", "bob",
    ] {
        let compiled = compile_template(
            &template,
            context! { user => user, v => user },
            &Options::default(),
        );
        let json: Json = serde_json::from_str(compiled.json.as_deref().unwrap()).unwrap();
        let mentions = json["GroupAtInfo"].as_array().cloned().unwrap_or_default();
        assert_eq!(mentions.len(), 1, "{user:?}: {json}");
        assert_eq!(mentions[0]["GroupAt_Account"], "tommy", "{user:?}");
    }
}

#[test]
fn a_value_is_one_item_of_a_header_list() {
    let source = "---\ngroup: @TGS#2C5SZEAEF\nrandom: 1\nto: x, {{ v }}\npush.desc: {{ v }}\ncontrol: {{ c }}\n---\nhi\n";
    let template = Template::new("t.timl", source, None).unwrap();
    let compiled = compile_template(
        &template,
        context! { v => "a, b,c", c => "no-unread" },
        &Options::default(),
    );
    let json: Json = serde_json::from_str(compiled.json.as_deref().unwrap()).unwrap();
    assert_eq!(json["To_Account"], serde_json::json!(["x", "a, b,c"]));
    assert_eq!(json["OfflinePushInfo"]["Desc"], "a, b,c");
    // One value is one word too: `no-unread,no-last-msg` is not two controls.
    let compiled = compile_template(
        &template,
        context! { v => "y", c => "no-unread,no-last-msg" },
        &Options::default(),
    );
    assert!(compiled.json.is_none());
    // The template's own commas still make a list from many values.
    let source = "---\ngroup: @TGS#2C5SZEAEF\nrandom: 1\nto: {% for u in users %}{{ u }}{% if not loop.last %}, {% endif %}{% endfor %}\n\n---\nhi\n";
    let template = Template::new("t.timl", source, None).unwrap();
    let compiled = compile_template(
        &template,
        context! { users => ["a", "b"] },
        &Options::default(),
    );
    let json: Json = serde_json::from_str(compiled.json.as_deref().unwrap()).unwrap();
    assert_eq!(json["To_Account"], serde_json::json!(["a", "b"]));
}

// ---------------------------------------------------------------------------------
// Reserved characters cannot be forged or smuggled
// ---------------------------------------------------------------------------------

#[test]
fn escapes_cannot_forge_reserved_characters() {
    let dir = scratch("trust-escapes");
    for (at, line) in [
        ("header", "cloud-data: \"\\ue000n0\\ue001\""),
        ("header", "push.title: \"\\ue000\""),
        ("header", "push.desc: \"a\\uE001\""),
        ("header", "cloud-data: \"\\ue0020\\ue00b\""),
    ] {
        let text = format!("---\ngroup: @TGS#2C5SZEAEF\n{line}\n---\nhi {{{{ v }}}}\n");
        let file = write(&dir, "a.timl", &text);
        let output = timl(&["compile", &file, "--var", "v=secret value"]);
        assert_eq!(code(&output), 1, "{at}: {line}\n{}", stdout(&output));
        assert!(stderr(&output).contains("reserved"), "{}", stderr(&output));
    }
    for body in [
        "[custom \"\\ue000n0\\ue001\"]",
        "[at bob \"\\ue000\"]",
        "[face 1 \"\\ue001\"]",
    ] {
        let text = format!("{HEAD}{{{{ v }}}} {body}\n");
        let file = write(&dir, "b.timl", &text);
        let output = timl(&["compile", &file, "--var", "v=x"]);
        assert_eq!(code(&output), 1, "{body}");
        assert!(!stdout(&output).contains('\u{E000}'));
    }
}

#[test]
fn values_and_literals_holding_reserved_characters_are_refused() {
    let dir = scratch("trust-reserved");
    let file = write(&dir, "a.timl", &format!("{HEAD}{{{{ v }}}}\n"));
    for c in '\u{E000}'..='\u{E00B}' {
        let output = timl(&["compile", &file, "--var", &format!("v=a{c}b")]);
        assert_eq!(code(&output), 1, "{c:?}");
        assert!(stdout(&output).is_empty());
    }
    let file = write(&dir, "b.timl", &format!("{HEAD}{{{{ '\\ue000' ~ v }}}}\n"));
    assert_eq!(code(&timl(&["compile", &file, "--var", "v=x"])), 1);
}

// ---------------------------------------------------------------------------------
// Includes stay in the template's folder
// ---------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn includes_never_leave_the_folder_through_symlinks() {
    use std::os::unix::fs::symlink;
    let root = scratch("trust-symlinks");
    let outside = root.join("outside");
    let dir = root.join("templates");
    fs::create_dir_all(&outside).unwrap();
    fs::create_dir_all(dir.join("sub")).unwrap();
    fs::write(outside.join("secret.timl"), "TOP SECRET").unwrap();
    fs::write(dir.join("sub/ok.timl"), "inside").unwrap();
    symlink(outside.join("secret.timl"), dir.join("file-link.timl")).unwrap();
    symlink(&outside, dir.join("dir-link")).unwrap();
    symlink("../outside/secret.timl", dir.join("relative-link.timl")).unwrap();
    symlink("sub/ok.timl", dir.join("inside-link.timl")).unwrap();
    symlink(dir.join("loop-a"), dir.join("loop-b")).unwrap();
    symlink(dir.join("loop-b"), dir.join("loop-a")).unwrap();
    let main = write(
        &dir,
        "main.timl",
        &format!("{HEAD}{{% include name %}} / {{% include 'sub/ok.timl' %}}\n"),
    );
    for name in [
        "file-link.timl",
        "dir-link/secret.timl",
        "relative-link.timl",
        "../outside/secret.timl",
        "sub/../../outside/secret.timl",
        outside.join("secret.timl").to_str().unwrap(),
        "loop-a",
        "dir-link",
        "sub",
    ] {
        let output = timl(&["compile", &main, "--var", &format!("name={name}")]);
        assert_eq!(code(&output), 1, "{name}");
        assert!(!stdout(&output).contains("SECRET"), "{name}");
        assert!(!stderr(&output).contains("SECRET"), "{name}");
        assert!(stderr(&output).contains("error[template]"), "{name}");
    }
    // A link that stays inside the folder is fine, and so is a literal include.
    let output = timl(&["compile", &main, "--var", "name=inside-link.timl"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).contains("inside / inside"));
    let literal = write(
        &dir,
        "literal.timl",
        &format!("{HEAD}{{% include 'dir-link/secret.timl' %}}\n"),
    );
    let output = timl(&["compile", &literal]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).contains("outside the template's folder"));
    let import = write(
        &dir,
        "import.timl",
        &format!("{HEAD}{{% import 'file-link.timl' as m %}}x\n"),
    );
    assert_eq!(code(&timl(&["compile", &import])), 1);
}

// ---------------------------------------------------------------------------------
// No input crashes timl
// ---------------------------------------------------------------------------------

#[test]
fn characters_minijinja_cannot_read_are_errors_not_panics() {
    let dir = scratch("trust-lexer");
    let odd = [
        "é", "中", "😀", "ß", "\u{301}", "\u{200B}", "Ω", "\u{FEFF}", "a\u{0}b", "\u{7F}",
    ];
    let forms = [
        "{{ X }}",
        "{{X}}",
        "{% set X = 1 %}",
        "{% X %}",
        "{{ x|X }}",
        "{{ x is X }}",
        "{{ 'a' ~ X }}",
        "{% for X in y %}{% endfor %}",
        "{% macro X() %}{% endmacro %}",
        "{{ x.X }}",
        "{{ [X] }}",
        "{{ X(1) }}",
        "{% if X %}{% endif %}",
        "{# X #}{{ X",
        "{{ 1 X 2 }}",
        "{%- X -%}",
    ];
    for c in odd {
        for form in forms {
            let body = form.replace('X', c);
            let file = write(&dir, "a.timl", &format!("{HEAD}line\n{body}\n"));
            let output = timl(&["compile", &file, "--var", "x=1", "--var", "y=2"]);
            assert!(
                matches!(code(&output), 0 | 1),
                "{body:?}: exit {}\n{}",
                code(&output),
                stderr(&output)
            );
            assert!(!stderr(&output).contains("panicked"), "{body:?}");
        }
    }
}

// ---------------------------------------------------------------------------------
// Bounded work and memory
// ---------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn hostile_templates_end_with_an_error_within_bounded_memory() {
    let dir = scratch("trust-runaway");
    for (name, body) in [
        (
            "nested-loops",
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        ),
        ("huge-string", "{% set s = 'x' * 100000000 %}{{ s ~ s ~ s }}"),
        (
            "doubling",
            "{% set ns = namespace(s='xx') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
        ),
        ("long-output", "{% for i in range(10000) %}{% for j in range(9999) %}@a {% endfor %}{% endfor %}"),
        ("recursion", "{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}"),
        ("wide-list", "{{ range(10000)|list|map('string')|join('-') * 1000 }}"),
    ] {
        let file = write(&dir, &format!("{name}.timl"), &format!("{HEAD}{body}\n"));
        let output = timl_limited(400, &["compile", &file]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("error["), "{name}: {stderr}");
    }
}

#[cfg(unix)]
#[test]
fn work_minijinja_fuel_misses_ends_at_the_deadline() {
    // Lazily repeated and concatenated lists: minijinja folds, compares and searches
    // them without fuel; timl's deadline ends the run (a template needs microseconds).
    let dir = scratch("trust-deadline");
    for (name, body) in [
        (
            "doubling-list",
            "{% set ns = namespace(s=[1]) %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}x",
        ),
        ("folded-in", "{% if false %}{{ 5 in ([1] * 100000000) }}{% endif %}x"),
        (
            "folded-concat",
            "{% if false %}{{ ([1000000000] * 100000000) ~ '' }}{% endif %}x",
        ),
        ("compare", "{{ ([1] * 100000000) < ([1] * 100000000) }}"),
    ] {
        let file = write(&dir, &format!("{name}.timl"), &format!("{HEAD}{body}\n"));
        let output = timl_limited(1500, &["compile", &file]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains("error[template]"), "{name}: {stderr}");
        assert!(output.stdout.is_empty(), "{name}");
    }
}

#[cfg(unix)]
#[test]
fn huge_markup_is_refused_before_it_is_read() {
    let dir = scratch("trust-huge");
    let mentions = format!("{HEAD}{}", "@a ".repeat(3_500_000));
    let file = write(&dir, "mentions.timl", &mentions);
    let output = timl_limited(400, &["compile", &file]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error[too-long]"), "{stderr}");
    // Just under the cap it is read, and refused as too long a body.
    let under = format!("{HEAD}{}", "@a ".repeat(80_000));
    let file = write(&dir, "under.timl", &under);
    let output = timl_limited(400, &["compile", &file]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("the message body is"));
}

#[test]
fn inputs_are_read_only_up_to_their_cap() {
    // Standard input and files: no more than the cap (and one byte) is read.
    let big = format!("{HEAD}{}", "x".repeat(400 * 1024));
    let output = timl_with_stdin(&["compile", "-"], Some(big.as_bytes()));
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("error[too-long]"),
        "{}",
        stderr(&output)
    );
    let dir = scratch("trust-caps");
    let file = write(
        &dir,
        "big.json",
        &format!("{{\"GroupId\":\"{}\"}}", "g".repeat(300 * 1024)),
    );
    let output = timl(&["check", &file]);
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("error[too-long]"),
        "{}",
        stdout(&output)
    );
    let template = write(&dir, "t.timl", &format!("{HEAD}{{{{ v }}}}\n"));
    let vars = write(
        &dir,
        "vars.json",
        &format!("{{\"v\":\"{}\"}}", "v".repeat(17 << 20)),
    );
    let output = timl(&["compile", &template, "--vars", &vars]);
    assert_ne!(code(&output), 0);
    assert!(stderr(&output).contains("over"), "{}", stderr(&output));
}

// ---------------------------------------------------------------------------------
// Files a user would expect to be read as written
// ---------------------------------------------------------------------------------

#[test]
fn classic_mac_line_endings_are_lines() {
    let dir = scratch("trust-cr");
    let text = "---\rgroup: @TGS#2C5SZEAEF\rrandom: 1\r---\rline one\rline {{ v }}\r";
    let file = write(&dir, "cr.timl", text);
    let output = timl(&["compile", &file, "--var", "v=two"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let json: Json = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["GroupId"], "@TGS#2C5SZEAEF");
    assert_eq!(
        json["MsgBody"][0]["MsgContent"]["Text"],
        "line one\nline two"
    );
    let plain = write(&dir, "plain.timl", &text.replace("{{ v }}", "two"));
    let output = timl(&["compile", &plain]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn a_file_that_is_only_the_header_start_is_an_unclosed_header() {
    let dir = scratch("trust-dashes");
    for text in ["---", "---\n", "--- \t", "---\r\n"] {
        let file = write(&dir, "a.timl", text);
        let output = timl(&["compile", &file, "--group", "@TGS#2C5SZEAEF"]);
        assert_eq!(code(&output), 1, "{text:?}");
        assert!(
            stderr(&output).contains("the header is never closed"),
            "{text:?}: {}",
            stderr(&output)
        );
    }
}
