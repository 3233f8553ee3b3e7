//! An author's mistakes never reach members: each class of silent failure a new user
//! hit is an error (or a warning where the message may still be meant), tested over
//! its variants.

mod common;

use proptest::prelude::*;
use timl::{compile_markup, Options};

fn rules_of(text: &str, options: &Options) -> Vec<&'static str> {
    compile_markup("t.timl", text, options)
        .diagnostics
        .iter()
        .map(|d| d.rule.name)
        .collect()
}

fn with_group() -> Options {
    Options {
        group: Some("@TGS#2C5SZEAEF".to_owned()),
        ..Options::default()
    }
}

/// A header line with a key and a value the key takes.
fn header_line(key: &str) -> String {
    let value = match key {
        "group" => "@TGS#2C5SZEAEF",
        "type" => "Public",
        "priority" => "high",
        "random" => "7",
        "online-only" | "read-receipt" | "extension" | "push.off" => "yes",
        _ => "x",
    };
    format!("{key}: {value}")
}

fn any_key() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(timl::header_keys())
}

proptest! {
    /// A header after any blank lines or spaces is not a header: an error, never text.
    #[test]
    fn a_header_not_on_the_first_line_is_an_error(
        before in "[ \t]{0,3}(\n[ \t]{0,3}){0,3}",
        key in any_key(),
        crlf in proptest::bool::ANY,
    ) {
        prop_assume!(!before.is_empty());
        let end = if crlf { "\r\n" } else { "\n" };
        let text = format!("{before}---{end}{}{end}---{end}Hello", header_line(key)).replace('\n', end).replace("\r\r", "\r");
        let found = compile_markup("t.timl", &text, &with_group());
        prop_assert!(found.message.is_none(), "{text:?} compiled");
        prop_assert!(found.diagnostics.iter().any(|d| d.rule.name == "header-in-body"), "{text:?}: {:?}", found.diagnostics);
    }

    /// Header lines without their `---` lines are an error, whatever the key.
    #[test]
    fn header_lines_without_fences_are_an_error(
        first in any_key(),
        second in any_key(),
        indent in "[ \t]{0,2}",
    ) {
        let text = format!("{indent}{}\n{}\n\nHello", header_line(first), header_line(second));
        prop_assert!(rules_of(&text, &with_group()).contains(&"header-in-body"), "{text:?}");
        // After a real header too.
        let text = format!("---\ngroup: g\ntype: public\n---\n{}\nHello", header_line(first));
        if !matches!(first, "to" | "from") {
            prop_assert!(rules_of(&text, &Options::default()).contains(&"header-in-body"), "{text:?}");
        }
    }
}

#[test]
fn prose_that_only_looks_like_a_header_line_stays_text() {
    for body in [
        "to: everyone in the team, hello",
        "from: the office\n\nSee you",
        "Note: the party is at 5",
        "Group: the red team",
        "group\\: not a header",
        "\\---\nDashes",
        "Hello\n---\ngroup: g",
    ] {
        let text = format!("---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n{body}");
        assert!(
            !rules_of(&text, &Options::default()).contains(&"header-in-body"),
            "{body:?}"
        );
        assert!(
            !rules_of(body, &with_group()).contains(&"header-in-body"),
            "{body:?}"
        );
    }
}

#[test]
fn the_cli_refuses_a_header_sent_as_text_even_with_group() {
    let dir = common::scratch("mistake-header");
    let file = common::write(
        &dir,
        "notice.timl",
        "\n---\ngroup: @TGS#2C5SZEAEF\npush.desc: Closed\n---\nClosed on Friday.\n",
    );
    let output = common::timl(&["compile", &file, "--group", "@TGS#2C5SZEAEF"]);
    assert_eq!(common::code(&output), 1);
    assert!(common::stdout(&output).is_empty());
    let err = common::stderr(&output);
    assert!(err.contains("error[header-in-body]"), "{err}");
    assert!(err.contains("notice.timl:2:1"), "{err}");
}

/// Every element name with one edit, or two keeping its first letter.
fn misspellings(name: &str) -> Vec<String> {
    let letters: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    for i in 0..letters.len() {
        let mut deleted = letters.clone();
        deleted.remove(i);
        out.push(deleted.iter().collect::<String>());
        for c in ['a', 'e', 'x'] {
            let mut changed = letters.clone();
            changed[i] = c;
            out.push(changed.iter().collect());
            let mut inserted = letters.clone();
            inserted.insert(i + 1, c);
            out.push(inserted.iter().collect());
        }
        if i + 1 < letters.len() {
            let mut swapped = letters.clone();
            swapped.swap(i, i + 1);
            out.push(swapped.iter().collect());
            // A second edit after the first letter.
            if i > 0 {
                let mut twice = swapped.clone();
                twice.push('z');
                out.push(twice.iter().collect());
            }
        }
    }
    out.push(name.to_uppercase());
    let names = timl::element_names();
    out.retain(|word| {
        word.len() >= 3
            && !names.contains(&word.as_str())
            && word.chars().all(|c| c.is_ascii_alphabetic())
    });
    out.sort();
    out.dedup();
    out
}

#[test]
fn a_misspelt_element_with_arguments_is_an_error() {
    for name in timl::element_names() {
        for word in misspellings(name) {
            for args in [
                "url=https://cdn.example.com/a.png width=1 height=1",
                "https://cdn.example.com/a.png",
            ] {
                let text =
                    format!("---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\nHi [{word} {args}]");
                let found = compile_markup("t.timl", &text, &Options::default());
                let rules: Vec<_> = found.diagnostics.iter().map(|d| d.rule.name).collect();
                if name.len() <= 2 && !args.contains('=') {
                    // `at` is too short to guess at from a bare URL.
                    continue;
                }
                assert!(
                    found.message.is_none(),
                    "[{word} {args}] compiled: {rules:?}"
                );
                assert!(
                    rules.contains(&"element-name"),
                    "[{word} {args}]: {rules:?}"
                );
            }
        }
    }
}

/// Every field that takes an address, as markup with `{}` where the address goes.
const ADDRESS_FIELDS: &[&str] = &[
    "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n[image url=\"{}\" width=1 height=1]",
    "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n[image url=https://x/a.png width=1 height=1 large=\"{}\" large-width=1 large-height=1]",
    "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n[image url=https://x/a.png width=1 height=1 thumb=\"{}\" thumb-width=1 thumb-height=1]",
    "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n[sound url=\"{}\" seconds=1]",
    "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n[file url=\"{}\" name=a size=1]",
    "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n[video url=\"{}\" thumb=https://x/t.png thumb-width=1 thumb-height=1]",
    "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n[video url=https://x/v.mp4 thumb=\"{}\" thumb-width=1 thumb-height=1]",
    "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\npush.apns.image: \"{}\"\n---\nhi",
    "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\npush.android.huawei-image: \"{}\"\n---\nhi",
    "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\npush.android.honor-image: \"{}\"\n---\nhi",
    "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\npush.android.google-image: \"{}\"\n---\nhi",
    "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\npush.harmony.image: \"{}\"\n---\nhi",
];

#[test]
fn every_address_field_refuses_what_the_apps_cannot_load() {
    for field in ADDRESS_FIELDS {
        let good = field.replace("{}", "https://cdn.example.com/a.png");
        assert!(rules_of(&good, &Options::default()).is_empty(), "{good}");
        for bad in [
            "",
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "file:///etc/passwd",
            "intent://scan/#Intent;end",
            "data:image/png;base64,AA",
            "vbscript:x",
            "https://",
            "https://x/a\\u0000.png",
            "https://x/\\u202egnp.png",
        ] {
            let text = field.replace("{}", bad);
            let found = compile_markup("t.timl", &text, &Options::default());
            assert!(found.message.is_none(), "{text}");
            let rules: Vec<_> = found.diagnostics.iter().map(|d| d.rule.name).collect();
            assert!(rules.contains(&"url"), "{text}: {rules:?}");
        }
    }
}

proptest! {
    /// An ID with any control, bidirectional or invisible character is an error,
    /// wherever the ID goes.
    #[test]
    fn ids_with_invisible_characters_are_errors(
        c in proptest::sample::select(vec!['\u{0}', '\u{1}', '\u{1f}', '\u{7f}', '\u{85}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{200e}', '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{2060}', '\u{feff}', '\u{e0041}', '\u{61c}', '\u{2028}']),
        at in 0usize..4,
        place in 0usize..4,
    ) {
        let id: String = {
            let mut id: Vec<char> = "tommy".chars().collect();
            id.insert(at.min(id.len()), c);
            id.into_iter().collect()
        };
        let escaped: String = id.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_string() } else { format!("\\u{:04x}", u32::from(c) & 0xFFFF) }).collect();
        // Past U+FFFF, JSON escapes are surrogate pairs.
        let escaped = if (c as u32) > 0xFFFF {
            let mut units = [0u16; 2];
            let pair = c.encode_utf16(&mut units);
            escaped.replace(&format!("\\u{:04x}", u32::from(c) & 0xFFFF), &format!("\\u{:04x}\\u{:04x}", pair[0], pair[1]))
        } else { escaped };
        let text = match place {
            0 => format!("---\ngroup: @TGS#2C5SZEAEF\ntype: Public\nfrom: \"{escaped}\"\n---\nhi"),
            1 => format!("---\ngroup: @TGS#2C5SZEAEF\ntype: Public\nto: \"{escaped}\"\n---\nhi"),
            2 => format!("---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\nhi [at \"{escaped}\" \"Tommy\"]"),
            _ => format!("---\ngroup: @TGS#_2C5SZEAEF\ntype: Community\ntopic: \"@TGS#_2C5SZEAEF@TOPIC#_{escaped}\"\n---\nhi"),
        };
        let found = compile_markup("t.timl", &text, &Options::default());
        prop_assert!(found.message.is_none(), "{text:?} compiled");
    }
}

#[test]
fn hints_a_user_needs() {
    use common::{code, scratch, stderr, stdout, timl, write};
    let dir = scratch("mistake-hints");
    // A data file given as the template.
    let rows = write(&dir, "rows.csv", "user,order\ntommy,A-1\n");
    for command in ["compile", "check", "preview", "send"] {
        let output = timl(
            &[
                command,
                &rows,
                if command == "send" { "--dry-run" } else { "-" },
            ][..if command == "send" { 3 } else { 2 }],
        );
        assert_eq!(code(&output), 2, "{command}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("did you mean `--data"),
            "{}",
            stderr(&output)
        );
    }
    let rows = write(&dir, "rows.jsonl", "{\"user\":\"tommy\"}\n");
    let output = timl(&["check", &rows]);
    assert!(
        stdout(&output).contains("did you mean `--data FILE`?"),
        "{}",
        stdout(&output)
    );
    // Group types and enum values get "did you mean".
    let file = write(
        &dir,
        "t.timl",
        "---\ngroup: g\ntype: publc\npriority: hihg\n---\nhi\n",
    );
    let out = stdout(&timl(&["check", &file]));
    assert!(
        out.contains("unknown group type `publc`; expected one of Work (Private), Public, Meeting (ChatRoom), AVChatRoom, Community; did you mean `public`?"),
        "{out}"
    );
    assert!(out.contains("found `hihg`; did you mean `high`?"), "{out}");
    let output = timl(&["compile", &file, "--group-type", "comunity"]);
    assert!(
        stderr(&output).contains("did you mean `community`?"),
        "{}",
        stderr(&output)
    );
    // `timl explain` knows elements and header keys.
    let face = stdout(&timl(&["explain", "face"]));
    assert!(face.starts_with("[face ...] (an element)"), "{face}");
    assert!(face.contains("index  a whole number"), "{face}");
    let sound = stdout(&timl(&["explain", "push.android.sound"]));
    assert!(
        sound.contains("`OfflinePushInfo.AndroidInfo.Sound`"),
        "{sound}"
    );
    let near = timl(&["explain", "push.andriod.sound"]);
    assert!(
        stderr(&near).contains("did you mean `push.android.sound`?"),
        "{}",
        stderr(&near)
    );
    // Every page timl(1) lists exists.
    let page = stdout(&timl(&["man"]));
    for listed in page.split("timl\\-").skip(1) {
        let command = listed.split('(').next().unwrap();
        let sub = timl(&["man", command]);
        assert_eq!(code(&sub), 0, "timl-{command}(1)");
        assert!(
            stdout(&sub).contains(&format!(".TH timl-{command} 1")),
            "{command}"
        );
    }
}

/// Renders `template` (beside `_macros.timl`) with the CSV `rows`; `check`'s output.
fn check_rows(dir: &std::path::Path, template: &str, rows: &str) -> (i32, String) {
    use common::{code, stdout, timl, write};
    write(
        dir,
        "_macros.timl",
        "{% macro tracking(carrier, number) %}Track it with {{ carrier }}: {{ number }}{% endmacro %}\n{% macro greet(user, name=none) %}Hi {{ mention(user, name=name) }}{% endmacro %}\n",
    );
    let file = write(dir, "t.timl", &format!("---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n{{% import \"_macros.timl\" as m %}}{template}\n"));
    let data = write(dir, "rows.csv", rows);
    let output = timl(&["check", &file, "--data", &data]);
    (code(&output), stdout(&output))
}

#[test]
fn every_undefined_name_is_said_where_it_is_written() {
    let dir = common::scratch("mistake-unread");
    let rows = "user,name,carrier,number,n\nlina,Lina,SF,SF1,4\n";
    for (template, says) in [
        (
            "{{ mention(user, name=nmae) }}",
            "`nmae` is undefined: the argument `name=` gets none",
        ),
        (
            "{{ face(1, data=dta) }}",
            "`dta` is undefined: the argument `data=` gets none",
        ),
        (
            "{{ m.tracking(carrier) }}",
            "this call of the macro `tracking` gives no `number`",
        ),
        ("{{ m.tracking(number=number) }}", "gives no `carrier`"),
        (
            "{% set y = totl %}{{ y|default('') }}",
            "`totl` is undefined: the value it sets is none",
        ),
        (
            "{{ name|replace('a', rplc) }}",
            "`rplc` is undefined: the call gets none",
        ),
        (
            "{% if n is divisibleby(dvs) %}x{% endif %}",
            "`dvs` is undefined",
        ),
        ("{{ mention(usr) }}", "`usr` is undefined"),
    ] {
        let (code, out) = check_rows(&dir, template, rows);
        assert_eq!(code, 1, "{template}: {out}");
        assert!(out.contains(says), "{template}: {out}");
        assert!(
            !out.contains("_macros.timl:"),
            "{template}: blamed the macro: {out}"
        );
    }
    let (_, out) = check_rows(&dir, "{{ mention(user, name=nmae) }}", rows);
    assert!(out.contains("did you mean `name`?"), "{out}");
    for template in [
        "{{ mention(user, name=name) }} {{ m.tracking(carrier, number) }} {{ m.greet(user) }}",
        "{{ m.tracking(carrier, number=number) }}",
        "{{ mention(user, name=nick|default(name)) }}",
        "Hi {% if nick is defined %}{{ mention(user, name=nick) }}{% endif %}",
        "{% for u in [user] %}{{ mention(u) }}{% endfor %}",
        "{% set y = name %}{{ y }}",
    ] {
        let (code, out) = check_rows(&dir, template, rows);
        assert_eq!(code, 0, "{template}: {out}");
    }
}

#[test]
fn every_shape_of_a_misplaced_header_is_an_error() {
    for text in [
        "----\ngroup: @TGS#2C5SZEAEF\n----\nHello @all",
        "-----\ngroup: @TGS#2C5SZEAEF\n-----\nHello",
        "Type: Public\nGroup: @TGS#2C5SZEAEF\n\nHello",
        "---\ngroup: g\n---\n---\ntype: Public\n---\nHello",
        "---\ngroup: g\n---\nprority: high\nHello",
        "---\r\ngroup: g\r\n---\r\n---\r\ntype: Public\r\n---\r\nHello",
    ] {
        let found = compile_markup("t.timl", text, &with_group());
        assert!(found.message.is_none(), "{text:?} compiled");
        assert!(
            found
                .diagnostics
                .iter()
                .any(|d| d.rule.name == "header-in-body"),
            "{text:?}"
        );
    }
    // A CRLF header with a blank line is a header.
    let crlf = "---\r\ngroup: @TGS#2C5SZEAEF\r\n\r\n   \r\ntype: Public\r\n---\r\nHello\r\n";
    assert!(
        rules_of(crlf, &Options::default()).is_empty(),
        "{:?}",
        rules_of(crlf, &Options::default())
    );
    // Prose after a header stays prose.
    for body in ["Time: 10:00", "Group: the red team", "---\nSale\n---"] {
        let text = format!("---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n{body}");
        assert!(
            !rules_of(&text, &Options::default()).contains(&"header-in-body"),
            "{body:?}"
        );
    }
}

#[test]
fn a_quoted_list_item_is_its_string() {
    let text = "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\nto: a, \"b\\u200bc\", \"ok\"\n---\nhi";
    let found = compile_markup("t.timl", text, &Options::default());
    let rules: Vec<_> = found.diagnostics.iter().map(|d| d.rule.name).collect();
    assert_eq!(rules, ["account-id"], "{:?}", found.diagnostics);
    let text = "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\nto: a, \"ok\"\n---\nhi";
    let message = compile_markup("t.timl", text, &Options::default())
        .message
        .unwrap();
    assert_eq!(message.to_account, ["a", "ok"]);
}

#[test]
fn quiet_and_loud_undefined_names_are_said_in_one_run() {
    let dir = common::scratch("mistake-all-undefined");
    let rows = "user,name\nlina,Lina\n";
    let (code, out) = check_rows(
        &dir,
        "{{ mention(user, name=nmae) }} {{ namee }} {{ town|default(ctiy) }} {% for x in itmes %}{{ x }}{% endfor %}",
        rows,
    );
    assert_eq!(code, 1);
    for name in ["nmae", "namee", "ctiy", "itmes"] {
        assert!(
            out.contains(&format!("`{name}` is undefined")),
            "{name}: {out}"
        );
    }
    assert!(
        !out.contains("`town` is undefined"),
        "town is guarded: {out}"
    );
}

#[cfg(unix)]
#[test]
fn credentials_are_held_to_what_they_can_be() {
    use common::{code, scratch, stderr, write};
    use std::process::Command;
    let dir = scratch("mistake-credentials");
    write(
        &dir,
        "key",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
    );
    let usersig_with = |key: &str, extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_timl"))
            .current_dir(&dir)
            .args([
                "usersig",
                "--sdkappid",
                "1400000000",
                "--secret-key-file",
                key,
            ])
            .args(extra)
            .env("HOME", &dir)
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env_remove("TIM_IDENTIFIER")
            .output()
            .unwrap()
    };
    let usersig = |extra: &[&str]| usersig_with("key", extra);
    assert_eq!(code(&usersig(&["--identifier", "admin"])), 0);
    for expire in ["0", "31536001", "18446744073709551615"] {
        let output = usersig(&["--identifier", "admin", "--expire", expire]);
        assert_eq!(code(&output), 2, "--expire {expire}: {}", stderr(&output));
    }
    for identifier in ["ad\nmin", "ad min", "admin\u{200b}", &"a".repeat(33)] {
        let output = usersig(&["--identifier", identifier]);
        assert_eq!(code(&output), 2, "{identifier:?}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("not an account ID"),
            "{}",
            stderr(&output)
        );
    }
    // A FIFO given as the key is refused at once, never waited on.
    let fifo = dir.join("fifo");
    if std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success())
    {
        let output = usersig_with("fifo", &["--identifier", "admin"]);
        assert_eq!(code(&output), 2, "{}", stderr(&output));
        assert!(
            stderr(&output).contains("not a regular file"),
            "{}",
            stderr(&output)
        );
    }
}

#[test]
fn a_misspelt_attribute_given_to_a_function_is_said() {
    use common::{code, scratch, stdout, timl, write};
    let dir = scratch("mistake-attribute");
    write(
        &dir,
        "v.json",
        r#"{"customers":[{"name":"Ann","id":"a1"}]}"#,
    );
    let vars = dir.join("v.json").to_string_lossy().into_owned();
    for (template, says) in [
        (
            "{% for c in customers %}{{ mention(c.id, name=c.nmae) }}{% endfor %}",
            "`c.nmae` is undefined: the argument `name` of `mention()` gets nothing",
        ),
        (
            "{% for c in customers %}{{ face(1, data=c.dta) }}{% endfor %}",
            "`c.dta` is undefined: the argument `data` of `face()`",
        ),
    ] {
        let file = write(
            &dir,
            "t.timl",
            &format!("---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n{template}\n"),
        );
        let output = timl(&["check", &file, "--vars", &vars]);
        assert_eq!(code(&output), 1, "{template}");
        assert!(
            stdout(&output).contains(says),
            "{template}: {}",
            stdout(&output)
        );
    }
    let file = write(&dir, "t.timl", "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n{% for c in customers %}{{ mention(c.id, name=c.name) }} {{ mention(c.id, name=none) }} {{ face(1, \"yz00\") }}{% endfor %}\n");
    assert_eq!(code(&timl(&["check", &file, "--vars", &vars])), 0);
}
