//! Templates: values are data wherever they land, `--var`, `--vars`
//! and `--data` inputs, row errors, includes and macros. The first part runs the built
//! binary; the property tests at the end go through the library.

use std::fs;
use std::path::PathBuf;
use std::process::Output;

use proptest::prelude::*;
use serde_json::{json, Value};
use timl::compile_template;
use timl::Template;
use timl::{Compiled, Options, Severity};
use timl::{Element, Message};

// ---------------------------------------------------------------------------------
// Helpers (in the style of tests/cli.rs)
// ---------------------------------------------------------------------------------

mod common;
use common::*;

/// Runs `args`, expects exit 0, and parses standard output as one JSON document.
fn compile_ok(args: &[&str]) -> Value {
    let output = timl(args);
    assert_eq!(code(&output), 0, "stderr:\n{}", stderr(&output));
    serde_json::from_str(&stdout(&output)).expect("stdout is one JSON document")
}

/// Standard output as JSON Lines: every line one compact JSON object.
fn json_lines(output: &Output) -> Vec<Value> {
    let out = stdout(output);
    assert!(
        out.ends_with('\n'),
        "JSON Lines end with a newline: {out:?}"
    );
    out.lines()
        .map(|line| {
            assert!(
                line.starts_with('{') && line.ends_with('}') && line.len() > 2,
                "not one compact object per line: {line:?}"
            );
            serde_json::from_str(line).expect("each line is JSON")
        })
        .collect()
}

fn var(name: &str, value: &str) -> String {
    format!("{name}={value}")
}

/// A header with a fixed group, type and Random, so outputs can be compared exactly.
const HEAD: &str = "---\ngroup: g1\ntype: work\nrandom: 1\n---\n";

fn text_body(text: &str) -> Value {
    json!([{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}])
}

// ---------------------------------------------------------------------------------
// 1. Values are data in every position
// ---------------------------------------------------------------------------------

#[test]
fn body_value_with_mention_element_and_backslash_is_plain_text() {
    let dir = scratch("body-basic");
    let file = write(&dir, "a.timl", &format!("{HEAD}{{{{ v }}}}\n"));
    let output = timl(&["compile", &file, "--var", r"v=@all [face 1] \"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        json,
        json!({
            "GroupId": "g1",
            "Random": 1,
            "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "@all [face 1] \\"}}]
        })
    );
    assert!(json.get("GroupAtInfo").is_none());
}

#[test]
fn body_values_with_quotes_brackets_newlines_dashes_and_tags_stay_text() {
    let dir = scratch("body-hostile");
    let file = write(&dir, "a.timl", &format!("{HEAD}Hi {{{{ v }}}}!\n"));
    for value in [
        "\"",
        "]",
        "x\n---\ngroup: evil\n---\ny",
        "{{ x }} {% if y %}{# z #}",
        r"\@bob \[face 2] \\ @bob",
        "[custom data=\"x\"] [at all] [image url=u]",
        "@bob@all a@b.com @ @-x",
        "大家好@tommy",
    ] {
        let json = compile_ok(&["compile", &file, "--var", &var("v", value)]);
        assert_eq!(
            json,
            json!({
                "GroupId": "g1",
                "Random": 1,
                "MsgBody": text_body(&format!("Hi {value}!"))
            }),
            "value {value:?}"
        );
    }
}

#[test]
fn values_keep_their_own_leading_and_trailing_white_space() {
    // The markup drops leading blank lines and trailing white space of the *file*; a
    // value is data and is kept exactly, even at the start or the end of the body.
    let dir = scratch("body-space");
    let file = write(&dir, "a.timl", &format!("{HEAD}\n\n{{{{ v }}}}  \n\n"));
    for value in ["  x  ", "\n\nx\n\n", "x\t", " \n x"] {
        let json = compile_ok(&["compile", &file, "--var", &var("v", value)]);
        assert_eq!(json["MsgBody"], text_body(value), "value {value:?}");
    }
    // A value that is all white space leaves the message empty.
    let output = timl(&["compile", &file, "--var", "v= \n "]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("error[empty]"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn header_value_cannot_add_a_line_a_key_or_close_the_header() {
    let dir = scratch("header-lines");
    let file = write(
        &dir,
        "a.timl",
        "---\ngroup: g1\ntype: work\nrandom: 1\npush.title: {{ v }}\n---\nhi\n",
    );
    let out = dir.join("out.json");
    for value in [
        "x\n---\ngroup: evil",
        "x\nfrom: evil",
        "x\r\nfrom: evil",
        "x\rgroup: evil",
        "\n---",
    ] {
        let output = timl(&[
            "compile",
            &file,
            "--var",
            &var("v", value),
            "-o",
            &out.to_string_lossy(),
        ]);
        assert_eq!(code(&output), 1, "value {value:?}");
        let err = stderr(&output);
        assert!(
            err.contains("error[header-value]: `push.title`: a template value with a line break"),
            "value {value:?}: {err}"
        );
        assert!(
            err.contains(&format!("{file}:5:16")),
            "value {value:?}: {err}"
        );
        assert_eq!(stdout(&output), "");
        assert!(!out.exists());
    }
}

#[test]
fn header_value_is_one_whole_value_and_never_changes_the_group() {
    let dir = scratch("header-values");
    let file = write(
        &dir,
        "a.timl",
        "---\ngroup: g1\ntype: work\nrandom: 1\npush.title: {{ v }}\n---\nhi\n",
    );
    for value in [
        "---",
        "group: evil",
        "\"quoted\"",
        "x # not a comment",
        "a, b",
        "  padded  ",
        "x\", \"GroupId\": \"evil",
        "@all [face 1] \\",
        "{{ x }}",
        "",
    ] {
        let json = compile_ok(&["compile", &file, "--var", &var("v", value)]);
        assert_eq!(
            json,
            json!({
                "GroupId": "g1",
                "Random": 1,
                "MsgBody": text_body("hi"),
                "OfflinePushInfo": {"PushFlag": 0, "Title": value}
            }),
            "value {value:?}"
        );
    }
}

#[test]
fn value_in_a_quoted_header_value_cannot_end_the_string() {
    let dir = scratch("header-quoted");
    let file = write(
        &dir,
        "a.timl",
        "---\ngroup: g1\ntype: work\nrandom: 1\npush.title: \"{{ v }}\"\n---\nhi\n",
    );
    let value = r#"a" , \"b\n"#;
    let json = compile_ok(&["compile", &file, "--var", &var("v", value)]);
    assert_eq!(
        json["OfflinePushInfo"],
        json!({"PushFlag": 0, "Title": value})
    );
    assert_eq!(json["GroupId"], "g1");
}

#[test]
fn group_from_a_value_is_the_whole_value() {
    let dir = scratch("header-group");
    let file = write(
        &dir,
        "a.timl",
        "---\ngroup: {{ g }}\ntype: work\nrandom: 1\n---\nhi\n",
    );
    let json = compile_ok(&["compile", &file, "--var", "g=@TGS#2C5SZEAEF # x"]);
    assert_eq!(json["GroupId"], "@TGS#2C5SZEAEF # x");
}

#[test]
fn quoted_argument_value_cannot_end_the_string_or_add_arguments() {
    let dir = scratch("quoted-arg");
    let file = write(&dir, "a.timl", &format!("{HEAD}[custom \"{{{{ v }}}}\"]\n"));
    let value = r#"a" desc=x ext="y\" ] \n"#;
    let output = timl(&["compile", &file, "--var", &var("v", value)]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        json["MsgBody"],
        json!([{"MsgType": "TIMCustomElem", "MsgContent": {"Data": value}}]),
        "Data is the value exactly, with no Desc or Ext"
    );
    // No desc, so the only diagnostic is the silent-custom warning.
    let err = stderr(&output);
    assert!(err.starts_with("warning[silent-custom]"), "{err}");
    assert!(!err.contains("error"), "{err}");
}

#[test]
fn display_name_from_a_value_mentions_only_the_written_account() {
    let dir = scratch("at-name");
    let file = write(&dir, "a.timl", &format!("{HEAD}[at bob \"{{{{ v }}}}\"]\n"));
    let value = "\"] @all [face 1] [at all";
    let json = compile_ok(&["compile", &file, "--var", &var("v", value)]);
    assert_eq!(json["MsgBody"], text_body(&format!("@{value}")));
    assert_eq!(
        json["GroupAtInfo"],
        json!([{"GroupAtAllFlag": 0, "GroupAt_Account": "bob"}])
    );
}

#[test]
fn element_argument_from_a_value_is_one_argument() {
    let dir = scratch("element-arg");
    let file = write(&dir, "a.timl", &format!("{HEAD}[face {{{{ n }}}}]\n"));
    let json = compile_ok(&["compile", &file, "--var", "n=6"]);
    assert_eq!(
        json["MsgBody"],
        json!([{"MsgType": "TIMFaceElem", "MsgContent": {"Index": 6, "Data": ""}}])
    );

    let out = dir.join("out.json");
    let output = timl(&[
        "compile",
        &file,
        "--var",
        "n=6 data=x]",
        "-o",
        &out.to_string_lossy(),
    ]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(
        err.contains("error[element-args]: `index` must be a whole number from 0 to 4294967295, not `6 data=x]`"),
        "{err}"
    );
    assert!(err.contains(&format!("{file}:6:10")), "{err}");
    assert_eq!(stdout(&output), "");
    assert!(!out.exists());
}

#[test]
fn mention_function_never_mentions_everyone() {
    let dir = scratch("mention-all");
    let file = write(
        &dir,
        "a.timl",
        &format!("{HEAD}{{{{ mention(\"all\") }}}} {{{{ mention(u, name=nm) }}}}\n"),
    );
    let json = compile_ok(&["compile", &file, "--var", "u=all", "--var", "nm=@all"]);
    assert_eq!(
        json,
        json!({
            "GroupId": "g1",
            "Random": 1,
            "MsgBody": text_body("@all @@all"),
            "GroupAtInfo": [
                {"GroupAtAllFlag": 0, "GroupAt_Account": "all"},
                {"GroupAtAllFlag": 0, "GroupAt_Account": "all"}
            ]
        })
    );
}

#[test]
fn mention_function_quotes_hostile_ids_and_names() {
    let dir = scratch("mention-hostile");
    let file = write(
        &dir,
        "a.timl",
        &format!("{HEAD}Hi {{{{ mention(u, name=nm) }}}}\n"),
    );
    let json = compile_ok(&[
        "compile",
        &file,
        "--var",
        "u=a\"] @all [at b",
        "--var",
        "nm=\"] [face 1] @all",
    ]);
    assert_eq!(json["MsgBody"], text_body("Hi @\"] [face 1] @all"));
    assert_eq!(
        json["GroupAtInfo"],
        json!([{"GroupAtAllFlag": 0, "GroupAt_Account": "a\"] @all [at b"}])
    );
}

#[test]
fn face_function_builds_a_face_element() {
    let dir = scratch("face-fn");
    let file = write(
        &dir,
        "a.timl",
        &format!("{HEAD}a{{{{ face(6, data=\"x\") }}}}b{{{{ face(n, d) }}}}\n"),
    );
    // `face()` builds markup from its arguments: an index that is not a number is
    // refused rather than written into the markup.
    let output = timl(&["compile", &file, "--var", "n=6 data=x", "--var", "d=y"]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("error[template]"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains(&format!("{file}:6:")),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
    let file = write(
        &dir,
        "b.timl",
        &format!("{HEAD}a{{{{ face(6, data=\"x\") }}}}b{{{{ face(7, d) }}}}\n"),
    );
    let json = compile_ok(&["compile", &file, "--var", "d=\"] @all"]);
    assert_eq!(
        json["MsgBody"],
        json!([
            {"MsgType": "TIMTextElem", "MsgContent": {"Text": "a"}},
            {"MsgType": "TIMFaceElem", "MsgContent": {"Index": 6, "Data": "x"}},
            {"MsgType": "TIMTextElem", "MsgContent": {"Text": "b"}},
            {"MsgType": "TIMFaceElem", "MsgContent": {"Index": 7, "Data": "\"] @all"}}
        ])
    );
    assert!(json.get("GroupAtInfo").is_none());
}

#[test]
fn safe_escape_and_tojson_filters_keep_data_as_data() {
    let dir = scratch("filters");
    let file = write(
        &dir,
        "a.timl",
        &format!("{HEAD}{{{{ v|safe }}}}|{{{{ v|e }}}}|{{{{ v|tojson }}}}\n"),
    );
    let json = compile_ok(&["compile", &file, "--var", "v=@all [face 1] \\"]);
    assert_eq!(
        json,
        json!({
            "GroupId": "g1",
            "Random": 1,
            "MsgBody": text_body("@all [face 1] \\|@all [face 1] \\|\"@all [face 1] \\\\\"")
        })
    );
}

// ---------------------------------------------------------------------------------
// 3. Inputs: --var, --vars, --data
// ---------------------------------------------------------------------------------

#[test]
fn var_is_repeatable_and_the_last_one_wins() {
    let dir = scratch("var-repeat");
    let file = write(&dir, "a.timl", &format!("{HEAD}{{{{ a }}}}-{{{{ b }}}}\n"));
    let json = compile_ok(&[
        "compile", &file, "--var", "a=1", "--var", "b=x=y", "--var", "a=3",
    ]);
    assert_eq!(json["MsgBody"], text_body("3-x=y"));
}

#[test]
fn vars_file_reads_json_and_toml() {
    let dir = scratch("vars-file");
    let file = write(
        &dir,
        "a.timl",
        &format!(
            "{HEAD}{{{{ name }}}} {{{{ count }}}} {{{{ user.id }}}} {{{{ tags|join(\",\") }}}}\n"
        ),
    );
    let json_vars = write(
        &dir,
        "vars.json",
        r#"{"name": "@all [face 1]", "count": 3, "user": {"id": "陈浩"}, "tags": ["a", "b"]}"#,
    );
    let toml_vars = write(
        &dir,
        "vars.toml",
        "name = \"@all [face 1]\"\ncount = 3\ntags = [\"a\", \"b\"]\n\n[user]\nid = \"陈浩\"\n",
    );
    for vars in [&json_vars, &toml_vars] {
        let json = compile_ok(&["compile", &file, "--vars", vars]);
        assert_eq!(
            json,
            json!({
                "GroupId": "g1",
                "Random": 1,
                "MsgBody": text_body("@all [face 1] 3 陈浩 a,b")
            }),
            "{vars}"
        );
    }
}

#[test]
fn toml_dates_and_times_are_their_rfc_3339_text_at_any_depth() {
    let dir = scratch("toml-dates");
    let file = write(
        &dir,
        "a.timl",
        &format!(
            "{HEAD}{{{{ when }}}}|{{{{ offset }}}}|{{{{ local }}}}|{{{{ day }}}}|{{{{ time }}}}|\
             {{{{ deep.list[0] }}}}|{{{{ deep.list[1].at }}}}|{{{{ when is string }}}}|{{{{ when|length }}}}\n"
        ),
    );
    let vars = write(
        &dir,
        "vars.toml",
        "when = 1979-05-27 07:32:00Z\noffset = 1979-05-27T00:32:00.999999-07:00\n\
         local = 1979-05-27T07:32:00\nday = 1979-05-27\ntime = 07:32:00\n\n\
         [deep]\nlist = [1979-05-28, { at = 00:00:01 }]\n",
    );
    let json = compile_ok(&["compile", &file, "--vars", &vars]);
    assert_eq!(
        json["MsgBody"],
        text_body(
            "1979-05-27T07:32:00Z|1979-05-27T00:32:00.999999-07:00|1979-05-27T07:32:00|\
             1979-05-27|07:32:00|1979-05-28|00:00:01|True|20"
        )
    );
}

#[test]
fn a_duplicate_csv_column_is_refused_naming_both_columns() {
    let dir = scratch("csv-duplicate");
    let file = write(&dir, "m.timl", ROW_TEMPLATE);
    let rows = write(
        &dir,
        "rows.csv",
        "group,user,\"name\",user\ng1,a,A,b\ng2,c,C,d\n",
    );
    let out = write(&dir, "out.jsonl", "old");
    let output = timl(&["compile", &file, "--data", &rows, "-o", &out]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(fs::read_to_string(&out).unwrap(), "old");
    let err = stderr(&output);
    assert!(
        err.contains("error[data]: the CSV header names the column `user` twice: columns 2 and 4"),
        "{err}"
    );
    // At the second one.
    assert!(err.contains(&format!("{rows}:1:19")), "{err}");
    assert!(!err.contains("in row"), "the header is no row: {err}");
    assert!(err.contains("1 error: nothing was written"), "{err}");
    // Empty names cannot be read by a template: a spreadsheet's trailing empty
    // columns are no duplicates.
    let rows = write(&dir, "empty.csv", "group,user,name,,\ng1,a,A,,\n");
    let output = timl(&["compile", &file, "--data", &rows]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn data_without_rows_is_an_error_and_writes_nothing() {
    let dir = scratch("no-rows");
    let file = write(&dir, "m.timl", ROW_TEMPLATE);
    let key = write(&dir, "key", "0123456789abcdef0123456789abcdef\n");
    for (name, text) in [
        ("header.csv", "group,user,name\n"),
        ("empty.csv", ""),
        ("array.json", " [ ]\n"),
        ("empty.jsonl", ""),
        ("blank.jsonl", "\n  \n"),
    ] {
        let rows = write(&dir, name, text);
        let out = write(&dir, "out.jsonl", "old");
        let output = timl(&["compile", &file, "--data", &rows, "-o", &out]);
        assert_eq!(code(&output), 1, "{name}: {}", stderr(&output));
        assert_eq!(fs::read_to_string(&out).unwrap(), "old", "{name}");
        let err = stderr(&output);
        assert!(
            err.contains("error[data]: the data file has no rows"),
            "{name}: {err}"
        );
        assert!(err.contains(&format!("--> {rows}")), "{name}: {err}");

        let output = timl(&["check", &file, "--data", &rows]);
        assert_eq!(code(&output), 1, "{name}: {}", stdout(&output));
        let out = stdout(&output);
        assert!(out.contains("the data file has no rows"), "{name}: {out}");
        assert!(out.ends_with("checked 1 file: 1 error\n"), "{name}: {out}");

        // Nothing is sent (the endpoint is a closed port: trying would exit 5).
        let output = timl(&[
            "send",
            &file,
            "--data",
            &rows,
            "--endpoint",
            "http://127.0.0.1:9",
            "--sdkappid",
            "1400000000",
            "--identifier",
            "admin",
            "--secret-key-file",
            &key,
        ]);
        assert_eq!(code(&output), 1, "{name}: {}", stderr(&output));
        let err = stderr(&output);
        assert!(err.contains("the data file has no rows"), "{name}: {err}");
        assert!(err.contains("nothing was sent"), "{name}: {err}");
    }
}

#[test]
fn rows_override_vars_and_var_which_overrides_vars() {
    let dir = scratch("precedence");
    let file = write(
        &dir,
        "a.timl",
        "---\ngroup: {{ group }}\ntype: work\nrandom: 1\n---\n{{ a }} {{ b }} {{ c }}\n",
    );
    let vars = write(
        &dir,
        "vars.toml",
        "group = \"gfile\"\na = \"file\"\nb = \"file\"\nc = \"file\"\n",
    );
    let rows = write(
        &dir,
        "rows.jsonl",
        "{\"group\": \"g1\", \"c\": \"row\"}\n{\"group\": \"g2\"}\n{\"group\": \"g3\", \"a\": \"row\", \"b\": \"row\"}\n",
    );
    let output = timl(&[
        "compile", &file, "--vars", &vars, "--var", "b=flag", "--var", "c=flag", "--data", &rows,
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let lines = json_lines(&output);
    let texts: Vec<(&Value, &Value)> = lines
        .iter()
        .map(|l| (&l["GroupId"], &l["MsgBody"][0]["MsgContent"]["Text"]))
        .collect();
    assert_eq!(
        texts,
        [
            (&json!("g1"), &json!("file flag row")),
            (&json!("g2"), &json!("file flag flag")),
            (&json!("g3"), &json!("row row flag")),
        ]
    );
}

/// A template whose group, mention and words all come from the data.
const ROW_TEMPLATE: &str =
    "---\ngroup: {{ group }}\ntype: work\nrandom: 7\n---\nHi {{ mention(user) }} {{ name }}\n";

/// The exact compact line for a row of [`ROW_TEMPLATE`], keys in the API's order.
fn row_line(group: &str, user: &str, name: &str) -> String {
    let quote = |text: &str| serde_json::to_string(text).unwrap();
    format!(
        concat!(
            r#"{{"GroupId":{},"Random":7,"MsgBody":[{{"MsgType":"TIMTextElem","#,
            r#""MsgContent":{{"Text":{}}}}}],"GroupAtInfo":[{{"GroupAtAllFlag":0,"#,
            r#""GroupAt_Account":{}}}]}}"#,
            "\n"
        ),
        quote(group),
        quote(&format!("Hi @{user} {name}")),
        quote(user)
    )
}

#[test]
fn data_as_json_lines_gives_one_compact_request_per_row_in_order() {
    let dir = scratch("data-jsonl");
    let file = write(&dir, "a.timl", ROW_TEMPLATE);
    let rows = write(
        &dir,
        "rows.jsonl",
        concat!(
            "{\"group\": \"g1\", \"user\": \"a\", \"name\": \"@all [face 1]\"}\n",
            "\n",
            "{\"group\": \"g2\", \"user\": \"b\", \"name\": \"\\\"]\\\\\"}\n",
            "{\"group\": \"@TGS#3\", \"user\": \"c\", \"name\": \"陈浩\"}\n",
        ),
    );
    let output = timl(&["compile", &file, "--data", &rows]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let expected = [
        row_line("g1", "a", "@all [face 1]"),
        row_line("g2", "b", "\"]\\"),
        row_line("@TGS#3", "c", "陈浩"),
    ]
    .concat();
    assert_eq!(stdout(&output), expected);
    assert_eq!(json_lines(&output).len(), 3);

    // The same to a file with -o: nothing on standard output.
    let out = dir.join("out.jsonl");
    let output = timl(&[
        "compile",
        &file,
        "--data",
        &rows,
        "-o",
        &out.to_string_lossy(),
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert_eq!(fs::read_to_string(&out).unwrap(), expected);
}

#[test]
fn data_as_a_json_array_of_objects() {
    let dir = scratch("data-array");
    let file = write(&dir, "a.timl", ROW_TEMPLATE);
    let rows = write(
        &dir,
        "rows.json",
        r#"[
  {"group": "g1", "user": "a", "name": "one"},
  {"group": "g2", "user": "b", "name": "[at all]"}
]"#,
    );
    let output = timl(&["compile", &file, "--data", &rows]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        [row_line("g1", "a", "one"), row_line("g2", "b", "[at all]")].concat()
    );
}

#[test]
fn a_single_row_is_still_json_lines() {
    let dir = scratch("data-one");
    let file = write(&dir, "a.timl", ROW_TEMPLATE);
    let rows = write(
        &dir,
        "rows.jsonl",
        "{\"group\": \"g1\", \"user\": \"a\", \"name\": \"x\"}\n",
    );
    let output = timl(&["compile", &file, "--data", &rows]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), row_line("g1", "a", "x"));
}

#[test]
fn data_as_csv_with_a_header_row_quotes_and_cjk() {
    let dir = scratch("data-csv");
    let file = write(&dir, "a.timl", ROW_TEMPLATE);
    let rows = write(
        &dir,
        "rows.csv",
        concat!(
            "group,user,name\n",
            "g1,a,\"Lee, \"\"Tommy\"\"\"\n",
            "g2,b,陈浩 「你好」\n",
            "@TGS#3,c,\"EA123 [face 1] @all\"\n",
            "g4,d,\"two\nlines\"\n",
        ),
    );
    let output = timl(&["compile", &file, "--data", &rows]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        [
            row_line("g1", "a", "Lee, \"Tommy\""),
            row_line("g2", "b", "陈浩 「你好」"),
            row_line("@TGS#3", "c", "EA123 [face 1] @all"),
            row_line("g4", "d", "two\nlines"),
        ]
        .concat()
    );
}

// ---------------------------------------------------------------------------------
// 4. Errors
// ---------------------------------------------------------------------------------

#[test]
fn undefined_variable_is_named_at_its_place_in_the_template() {
    let dir = scratch("undefined");
    let file = write(&dir, "a.timl", &format!("{HEAD}Hi {{{{ name }}}}\n"));
    let out = dir.join("out.json");
    let output = timl(&["compile", &file, "-o", &out.to_string_lossy()]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(
        err.contains("error[template]: `name` is undefined"),
        "{err}"
    );
    assert!(err.contains(&format!("{file}:6:7")), "{err}");
    assert!(err.contains("6 | Hi {{ name }}\n  |       ^^^^"), "{err}");
    assert_eq!(stdout(&output), "");
    assert!(!out.exists());

    // In the header too, and with other variables given.
    let file = write(
        &dir,
        "b.timl",
        "---\ngroup: {{ grp }}\ntype: work\n---\nHi {{ name }}\n",
    );
    let output = timl(&["compile", &file, "--var", "name=x"]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(err.contains("error[template]: `grp` is undefined"), "{err}");
    assert!(err.contains(&format!("{file}:2:11")), "{err}");
}

#[test]
fn bad_rows_are_named_with_their_line_and_every_row_is_checked() {
    let dir = scratch("bad-rows");
    let file = write(&dir, "m.timl", ROW_TEMPLATE);
    let long = "u".repeat(33);
    let rows = write(
        &dir,
        "rows.jsonl",
        &format!(
            "{{\"group\": \"g1\", \"user\": \"a\", \"name\": \"A\"}}\n\n[1, 2]\n\
             {{\"group\": \"g3\", \"user\": \"{long}\", \"name\": \"C\"}}\n\
             {{\"group\": \"g4\", \"user\": \"d\", \"name\": \"D\"}}\n"
        ),
    );
    let out = dir.join("out.jsonl");
    let output = timl(&[
        "compile",
        &file,
        "--data",
        &rows,
        "-o",
        &out.to_string_lossy(),
    ]);
    assert_eq!(code(&output), 1);
    assert_eq!(stdout(&output), "");
    assert!(!out.exists(), "nothing is written when a row has errors");
    let err = stderr(&output);
    // Row 2 (line 3) is not an object.
    assert!(
        err.contains("error[data]: the row is not a JSON object"),
        "{err}"
    );
    assert!(err.contains(&format!("{rows}:3:1")), "{err}");
    assert!(
        err.contains(&format!("in row 2 of {rows} (line 3)")),
        "{err}"
    );
    // Row 3 (line 4) mentions an account ID that is too long; the error points at
    // the expression in the template.
    assert!(
        err.contains(&format!(
            "error[account-id]: the mention `{long}` is 33 bytes; account IDs are at most 32"
        )),
        "{err}"
    );
    assert!(err.contains(&format!("{file}:6:7")), "{err}");
    assert!(
        err.contains(&format!("in row 3 of {rows} (line 4)")),
        "{err}"
    );
    assert!(err.ends_with("2 errors: nothing was written\n"), "{err}");
}

#[test]
fn bad_csv_rows_name_the_line_their_record_starts_on() {
    let dir = scratch("bad-csv");
    let file = write(&dir, "m.timl", ROW_TEMPLATE);
    let long = "u".repeat(33);
    let rows = write(
        &dir,
        "rows.csv",
        &format!("group,user,name\ng1,a,\"two\nlines\"\ng2,,x\ng3,{long},y\n"),
    );
    let output = timl(&["compile", &file, "--data", &rows]);
    assert_eq!(code(&output), 1);
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(
        err.contains("error[account-id]: the mention is an empty account ID"),
        "{err}"
    );
    assert!(
        err.contains(&format!("in row 2 of {rows} (line 4)")),
        "{err}"
    );
    assert!(
        err.contains(&format!("in row 3 of {rows} (line 5)")),
        "{err}"
    );
    assert!(!err.contains("in row 1 "), "{err}");
}

#[test]
fn bad_json_array_rows_are_named_by_number() {
    let dir = scratch("bad-array");
    let file = write(&dir, "m.timl", ROW_TEMPLATE);
    let rows = write(
        &dir,
        "rows.json",
        r#"[{"group": "g1", "user": "a", "name": "A"}, 7, {"group": "g3", "user": "", "name": "C"}]"#,
    );
    let output = timl(&["compile", &file, "--data", &rows]);
    assert_eq!(code(&output), 1);
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(
        err.contains("error[data]: the row is not a JSON object"),
        "{err}"
    );
    assert!(err.contains(&format!("in row 2 of {rows}\n")), "{err}");
    assert!(err.contains("error[account-id]"), "{err}");
    assert!(err.contains(&format!("in row 3 of {rows}\n")), "{err}");
}

#[test]
fn an_undefined_column_is_reported_for_every_row() {
    let dir = scratch("undefined-rows");
    let file = write(&dir, "m.timl", ROW_TEMPLATE);
    let rows = write(
        &dir,
        "rows.jsonl",
        "{\"group\": \"g1\", \"user\": \"a\"}\n{\"group\": \"g2\", \"user\": \"b\", \"name\": \"B\"}\n{\"group\": \"g3\", \"user\": \"c\"}\n",
    );
    let output = timl(&["compile", &file, "--data", &rows]);
    assert_eq!(code(&output), 1);
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert_eq!(
        err.matches("error[template]: `name` is undefined").count(),
        2,
        "{err}"
    );
    assert!(err.contains(&format!("{file}:6:27")), "{err}");
    assert!(
        err.contains(&format!("in row 1 of {rows} (line 1)")),
        "{err}"
    );
    // Printed once in full; the next row with it is counted at the end.
    assert!(
        err.contains(&format!("... and in 1 more row of {rows}: 3\n")),
        "{err}"
    );
    assert!(!err.contains("in row 2 "), "{err}");
}

// ---------------------------------------------------------------------------------
// 5. Includes and macros
// ---------------------------------------------------------------------------------

/// A template folder with a main template, a footer and macros, and a second folder
/// to run from.
fn include_fixture(test: &str, footer: &str, macros: &str) -> (PathBuf, PathBuf) {
    let root = scratch(test);
    let tpl = root.join("tpl");
    let elsewhere = root.join("elsewhere");
    fs::create_dir_all(&tpl).unwrap();
    fs::create_dir_all(&elsewhere).unwrap();
    write(
        &tpl,
        "main.timl",
        "---\ngroup: g1\ntype: work\nrandom: 1\n---\n{% import \"_macros.timl\" as m %}\nHi {{ name }}\n{{ m.greet(name) }}\n{% include \"_footer.timl\" %}\n",
    );
    write(&tpl, "_footer.timl", footer);
    write(&tpl, "_macros.timl", macros);
    (tpl, elsewhere)
}

const MACROS: &str = "{% macro greet(x) -%}\nWelcome {{ x }} @all\n{%- endmacro %}\n";

#[test]
fn includes_and_imports_resolve_from_the_template_folder() {
    let (tpl, elsewhere) = include_fixture("includes", "Bye [face 2]\n", MACROS);
    let expected = json!({
        "GroupId": "g1",
        "Random": 1,
        "MsgBody": [
            {"MsgType": "TIMTextElem", "MsgContent": {"Text": "Hi [face 1]\nWelcome [face 1] @all\nBye "}},
            {"MsgType": "TIMFaceElem", "MsgContent": {"Index": 2, "Data": ""}}
        ],
        // Only the macro's own `@all` mentions everyone; the value is text.
        "GroupAtInfo": [{"GroupAtAllFlag": 1}]
    });
    let absolute = tpl.join("main.timl");
    for path in [
        absolute.to_string_lossy().into_owned(),
        "../tpl/main.timl".to_owned(),
    ] {
        let output = timl_in(
            Some(&elsewhere),
            &["compile", &path, "--var", "name=[face 1]"],
        );
        assert_eq!(code(&output), 0, "{path}: {}", stderr(&output));
        let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(json, expected, "{path}");
    }
}

#[test]
fn a_markup_error_in_an_included_file_points_at_that_file() {
    let (tpl, elsewhere) = include_fixture("include-error", "line one\nBye [face x]\n", MACROS);
    let main = tpl.join("main.timl").to_string_lossy().into_owned();
    let output = timl_in(Some(&elsewhere), &["compile", &main, "--var", "name=n"]);
    assert_eq!(code(&output), 1);
    assert_eq!(stdout(&output), "");
    let err = stderr(&output);
    assert!(err.contains("error[element-args]"), "{err}");
    let footer = tpl.join("_footer.timl");
    assert!(err.contains(&format!("{}:2:11", footer.display())), "{err}");
    assert!(err.contains("2 | Bye [face x]"), "{err}");
}

#[test]
fn an_undefined_variable_in_an_imported_macro_points_at_the_macro_file() {
    let (tpl, elsewhere) = include_fixture(
        "macro-undefined",
        "Bye\n",
        "{% macro greet(x) -%}\nWelcome {{ x }} {{ zzz }}\n{%- endmacro %}\n",
    );
    let main = tpl.join("main.timl").to_string_lossy().into_owned();
    let output = timl_in(Some(&elsewhere), &["compile", &main, "--var", "name=n"]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(err.contains("error[template]: `zzz` is undefined"), "{err}");
    assert!(
        err.contains(&format!("{}:2:20", tpl.join("_macros.timl").display())),
        "{err}"
    );
}

#[test]
fn an_undefined_variable_in_an_included_file_points_at_that_file() {
    let (tpl, elsewhere) =
        include_fixture("include-undefined", "line one\nBye {{ nope }}\n", MACROS);
    let main = tpl.join("main.timl").to_string_lossy().into_owned();
    let output = timl_in(Some(&elsewhere), &["compile", &main, "--var", "name=n"]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(err.contains("`nope` is undefined"), "{err}");
    assert!(
        err.contains(&format!("{}:2:8", tpl.join("_footer.timl").display())),
        "{err}"
    );
}

#[test]
fn includes_outside_the_template_folder_are_refused() {
    let dir = scratch("include-outside");
    write(&dir, "secret.timl", "secret\n");
    fs::create_dir_all(dir.join("tpl")).unwrap();
    let file = write(
        &dir.join("tpl"),
        "a.timl",
        "---\ngroup: g1\n---\n{% include \"../secret.timl\" %}\n",
    );
    let output = timl(&["compile", &file]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(
        err.contains("error[template]: `../secret.timl` is outside the template's folder"),
        "{err}"
    );
    assert!(err.contains(&format!("{file}:4:4")), "{err}");
    assert_eq!(stdout(&output), "");
}

// ---------------------------------------------------------------------------------
// 6. No template tags, no variables needed
// ---------------------------------------------------------------------------------

#[test]
fn a_template_without_tags_compiles_without_variables() {
    let dir = scratch("no-tags");
    let file = write(
        &dir,
        "a.timl",
        "---\ngroup: g1\ntype: work\nrandom: 1\n---\n100% {braces} #tag {x} @all [sticker yz00]\n",
    );
    let output = timl(&["compile", &file]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let json: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        json,
        json!({
            "GroupId": "g1",
            "Random": 1,
            "MsgBody": [
                {"MsgType": "TIMTextElem", "MsgContent": {"Text": "100% {braces} #tag {x} @all "}},
                {"MsgType": "TIMFaceElem", "MsgContent": {"Index": 1, "Data": "yz00"}}
            ],
            "GroupAtInfo": [{"GroupAtAllFlag": 1}]
        })
    );
    // Unused variables change nothing.
    let with_var = timl(&["compile", &file, "--var", "unused=1"]);
    assert_eq!(code(&with_var), 0, "{}", stderr(&with_var));
    assert_eq!(stdout(&with_var), stdout(&output));
}

// ---------------------------------------------------------------------------------
// 7. `timl check --data`
// ---------------------------------------------------------------------------------

#[test]
fn check_with_data_reports_row_errors_and_exits_1() {
    let dir = scratch("check-data");
    let file = write(&dir, "m.timl", ROW_TEMPLATE);
    let long = "u".repeat(33);
    let rows = write(
        &dir,
        "rows.jsonl",
        &format!(
            "{{\"group\": \"g1\", \"user\": \"a\", \"name\": \"A\"}}\n\"text\"\n\
             {{\"group\": \"g3\", \"user\": \"{long}\", \"name\": \"C\"}}\n"
        ),
    );
    let output = timl(&["check", &file, "--data", &rows]);
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    assert!(
        out.contains("error[data]: the row is not a JSON object"),
        "{out}"
    );
    assert!(
        out.contains(&format!("in row 2 of {rows} (line 2)")),
        "{out}"
    );
    assert!(out.contains("error[account-id]"), "{out}");
    assert!(
        out.contains(&format!("in row 3 of {rows} (line 3)")),
        "{out}"
    );
    assert!(out.ends_with("checked 1 file: 2 errors\n"), "{out}");

    // JSON format names the row in the notes of each diagnostic.
    let output = timl(&["check", &file, "--data", &rows, "--format", "json"]);
    assert_eq!(code(&output), 1);
    let rules: Vec<String> = stdout(&output)
        .lines()
        .map(|line| {
            let d: Value = serde_json::from_str(line).expect("one JSON object per line");
            d["rule"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(rules, ["data", "account-id"]);

    // Good rows only: no problems, exit 0.
    let good = write(
        &dir,
        "good.jsonl",
        "{\"group\": \"g1\", \"user\": \"a\", \"name\": \"A\"}\n",
    );
    let output = timl(&["check", &file, "--data", &good]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(stdout(&output), "checked 1 file: no problems\n");
}

// ---------------------------------------------------------------------------------
// 2. Property tests, through the library
// ---------------------------------------------------------------------------------

/// Strings rich in what markup, headers and templates care about, plus any character;
/// never the reserved U+E000 and U+E001, never blank.
fn hostile_value() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("@".to_owned()),
        Just("@all".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("[face 6]".to_owned()),
        Just("[at all]".to_owned()),
        Just("\\".to_owned()),
        Just("\"".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("{{ x }}".to_owned()),
        Just("{% if x %}".to_owned()),
        Just("%".to_owned()),
        Just("#".to_owned()),
        Just("-".to_owned()),
        Just("---".to_owned()),
        Just("\n".to_owned()),
        Just("\r".to_owned()),
        Just(" ".to_owned()),
        Just("desc=x".to_owned()),
        Just("group: evil".to_owned()),
        Just("大家好".to_owned()),
        "[a-z0-9_+.-]{1,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(pieces, 0..20)
        .prop_map(|parts| parts.concat())
        .prop_filter("reserved or blank", |s| {
            !s.contains(['\u{E000}', '\u{E001}']) && !s.trim().is_empty()
        })
}

fn render(source: &str, value: &str) -> Compiled {
    let template = Template::new("p.timl", source, None).expect("the template compiles");
    compile_template(
        &template,
        minijinja::context! { v => value },
        &Options::default(),
    )
}

fn errors(compiled: &Compiled) -> Vec<&'static str> {
    compiled
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.rule.name)
        .collect()
}

fn to_json(message: &Message) -> Value {
    serde_json::to_value(message).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// A body value is exactly one text element holding exactly the value (values are
    /// not trimmed: only the template's own leading blank lines and trailing white
    /// space are), with no mention.
    #[test]
    fn a_body_value_is_exactly_one_text_element(s in hostile_value()) {
        let compiled = render(&format!("{HEAD}{{{{ v }}}}\n"), &s);
        prop_assert!(compiled.diagnostics.is_empty(), "{:?}", compiled.diagnostics);
        let message = compiled.message.expect("a non-blank value compiles");
        prop_assert!(message.group_at.is_empty(), "a value mentions nobody");
        prop_assert_eq!(message.group_id.as_deref(), Some("g1"));
        prop_assert_eq!(message.body.len(), 1);
        match &message.body[0] {
            Element::TIMTextElem(elem) => prop_assert_eq!(&elem.text, &s),
            other => prop_assert!(false, "not text: {:?}", other),
        }
    }

    /// Values around template text and real markup add no element and no mention.
    #[test]
    fn values_never_add_elements_or_mentions(a in hostile_value(), b in hostile_value()) {
        let template = Template::new(
            "p.timl",
            &format!("{HEAD}x {{{{ a }}}} [face 1] {{{{ b }}}} @bob"),
            None,
        )
        .unwrap();
        let compiled = compile_template(
            &template,
            minijinja::context! { a => a.clone(), b => b.clone() },
            &Options::default(),
        );
        let message = compiled.message.expect("compiles");
        let body = to_json(&message)["MsgBody"].clone();
        prop_assert_eq!(
            body,
            json!([
                {"MsgType": "TIMTextElem", "MsgContent": {"Text": format!("x {a} ")}},
                {"MsgType": "TIMFaceElem", "MsgContent": {"Index": 1, "Data": ""}},
                {"MsgType": "TIMTextElem", "MsgContent": {"Text": format!(" {b} @bob")}}
            ])
        );
        prop_assert_eq!(
            to_json(&message)["GroupAtInfo"].clone(),
            json!([{"GroupAtAllFlag": 0, "GroupAt_Account": "bob"}])
        );
    }

    /// A value in a header line never changes the group or adds a field: it is the
    /// title, whole, or (with a line break) refused as `header-value`.
    #[test]
    fn a_header_value_is_only_ever_the_title(s in hostile_value()) {
        let source = "---\ngroup: g1\ntype: work\nrandom: 1\npush.title: {{ v }}\n---\nhi\n";
        let compiled = render(source, &s);
        match &compiled.message {
            Some(message) => {
                prop_assert!(!s.contains(['\n', '\r']), "a line break got through: {:?}", s);
                prop_assert_eq!(
                    to_json(message),
                    json!({
                        "GroupId": "g1",
                        "Random": 1,
                        "MsgBody": text_body("hi"),
                        "OfflinePushInfo": {"PushFlag": 0, "Title": s}
                    })
                );
            }
            None => {
                prop_assert!(s.contains(['\n', '\r']), "refused: {:?}", compiled.diagnostics);
                prop_assert_eq!(errors(&compiled), vec!["header-value"]);
            }
        }
    }

    /// A value inside a quoted argument is the argument, exactly.
    #[test]
    fn a_quoted_argument_value_is_exactly_the_value(s in hostile_value()) {
        let compiled = render(&format!("{HEAD}[custom \"{{{{ v }}}}\"]"), &s);
        let message = compiled.message.expect("compiles");
        prop_assert!(message.group_at.is_empty());
        prop_assert_eq!(
            to_json(&message)["MsgBody"].clone(),
            json!([{"MsgType": "TIMCustomElem", "MsgContent": {"Data": s}}])
        );
    }

    /// A value as a bare argument is one argument: a face index when it is a whole
    /// number, otherwise an `element-args` error; never extra arguments or elements.
    #[test]
    fn a_bare_argument_value_is_one_argument(s in prop_oneof![
        hostile_value(),
        "[0-9]{1,11}",
        "[0-9]{1,3}[ =\\]a-z\"]{1,4}",
    ]) {
        let compiled = render(&format!("{HEAD}[face {{{{ v }}}}]"), &s);
        let index = if s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse::<u32>().ok()
        } else {
            None
        };
        match index {
            Some(index) => {
                let message = compiled.message.expect("a whole number compiles");
                prop_assert_eq!(
                    to_json(&message)["MsgBody"].clone(),
                    json!([{"MsgType": "TIMFaceElem", "MsgContent": {"Index": index, "Data": ""}}])
                );
            }
            None => {
                prop_assert!(compiled.message.is_none());
                prop_assert_eq!(errors(&compiled), vec!["element-args"]);
            }
        }
    }

    /// `mention(v)` is one member mention whatever `v` is; never @all.
    #[test]
    fn the_mention_function_mentions_exactly_one_member(s in hostile_value()) {
        let compiled = render(&format!("{HEAD}Hi {{{{ mention(v) }}}}"), &s);
        // No account is named with a control or invisible character.
        let invisible = s.chars().any(|c| timl::render::unseen(c) || matches!(c, '\u{200c}' | '\u{200d}'));
        if s.len() > 32 || invisible {
            // Too long, invisible characters, or both: each is said once.
            let found = errors(&compiled);
            prop_assert!(!found.is_empty() && found.len() <= 2 && found.iter().all(|r| *r == "account-id"), "{:?}", found);
            return Ok(());
        }
        let message = compiled.message.expect("compiles");
        prop_assert_eq!(
            to_json(&message)["MsgBody"].clone(),
            text_body(&format!("Hi @{s}"))
        );
        prop_assert_eq!(
            to_json(&message)["GroupAtInfo"].clone(),
            json!([{"GroupAtAllFlag": 0, "GroupAt_Account": s}])
        );
    }
}
