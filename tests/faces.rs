//! Faces: every emoji by every kind of name and every sticker compile to what the
//! facts table (`tests/fixtures/faces/`, transcribed from Tencent's kits) says;
//! wrong names get "did you mean"; app catalogs, `timl faces`, `--faces` and
//! `timl.toml`'s `faces`; the preview's pictures and tiles.

mod common;

use std::fs;
use std::path::Path;
use std::sync::Arc;

use common::{code, scratch, stderr, stdout, timl, timl_in, write};
use proptest::prelude::*;
use serde_json::Value;
use timl::faces::Catalog;
use timl::{compile_markup, Options};

/// One row of the facts' emoji table.
struct FactEmoji {
    key: String,
    web_file: String,
    english: String,
    simplified: String,
    traditional: String,
}

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/faces")
        .join(name);
    fs::read_to_string(path).unwrap()
}

fn rows(name: &str) -> Vec<Vec<String>> {
    fixture(name)
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect()
}

fn fact_emoji() -> Vec<FactEmoji> {
    rows("emoji.tsv")
        .into_iter()
        .map(|r| FactEmoji {
            key: r[1].clone(),
            web_file: r[3].clone(),
            english: r[4].clone(),
            simplified: r[5].clone(),
            traditional: r[6].clone(),
        })
        .collect()
}

fn fact_stickers() -> Vec<(u32, String)> {
    rows("stickers.tsv")
        .into_iter()
        .map(|r| (r[0].parse().unwrap(), r[1].clone()))
        .collect()
}

const HEADER: &str = "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\nrandom: 1\n---\n";

fn compiled(body: &str, options: &Options) -> timl::Compiled {
    compile_markup("t.timl", &format!("{HEADER}{body}"), options)
}

fn json(body: &str) -> Value {
    let compiled = compiled(body, &Options::default());
    let message = compiled
        .message
        .unwrap_or_else(|| panic!("{body}: {:?}", compiled.diagnostics));
    serde_json::from_str(&message.to_compact_json()).unwrap()
}

fn rules(body: &str, options: &Options) -> Vec<&'static str> {
    compiled(body, options)
        .diagnostics
        .iter()
        .map(|d| d.rule.name)
        .collect()
}

#[test]
fn every_emoji_by_every_kind_of_name() {
    let facts = fact_emoji();
    assert_eq!(facts.len(), 62);
    for fact in &facts {
        let inner = &fact.key[1..fact.key.len() - 1];
        let kebab = fact.english.to_lowercase().replace(' ', "-");
        let names = [
            kebab.clone(),
            kebab.to_uppercase(),
            fact.simplified.clone(),
            fact.traditional.clone(),
            inner.to_owned(),
            inner.to_lowercase(),
        ];
        for name in names {
            let body = format!("Hi [emoji {name}]!");
            let found = json(&body);
            assert_eq!(
                found["MsgBody"][0]["MsgContent"]["Text"],
                format!("Hi {}!", fact.key),
                "{body}"
            );
            assert_eq!(found["MsgBody"].as_array().unwrap().len(), 1, "{body}");
        }
    }
    // The catalog's pictures are the web kit's addresses, in the facts' numbering.
    let catalog = Catalog::builtin();
    for fact in &facts {
        let emoji = catalog.emoji_by_key(&fact.key).unwrap();
        assert_eq!(
            emoji.picture.as_deref(),
            Some(
                format!(
                    "https://web.sdk.qcloud.com/im/assets/emoji-plugin/{}",
                    fact.web_file
                )
                .as_str()
            )
        );
        assert_eq!(emoji.label, fact.english);
    }
    assert_eq!(catalog.emoji().len(), facts.len());
}

#[test]
fn every_sticker_by_name() {
    let facts = fact_stickers();
    assert_eq!(facts.len(), 51);
    for (group, name) in &facts {
        let found = json(&format!("[sticker {name}]"));
        assert_eq!(
            found["MsgBody"][0],
            serde_json::json!({"MsgType": "TIMFaceElem", "MsgContent": {"Index": group, "Data": name}})
        );
        assert!(rules(&format!("[sticker {name}]"), &Options::default()).is_empty());
        assert!(rules(&format!("[face {group} \"{name}\"]"), &Options::default()).is_empty());
    }
    assert_eq!(Catalog::builtin().stickers().len(), facts.len());
}

#[test]
fn emoji_stay_in_the_text_and_mentions_keep_their_order() {
    let found = json("@a [emoji smile]@b [at c \"C\"][emoji 微笑] @all [emoji 666] @d");
    assert_eq!(
        found["MsgBody"][0]["MsgContent"]["Text"],
        "@a [TUIEmoji_Smile]@b @C[TUIEmoji_Smile] @all [TUIEmoji_666] @d"
    );
    let accounts: Vec<Value> = found["GroupAtInfo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|at| at["GroupAt_Account"].clone())
        .collect();
    assert_eq!(
        accounts,
        [
            Value::from("a"),
            Value::from("b"),
            Value::from("c"),
            Value::Null,
            Value::from("d")
        ]
    );
}

#[test]
fn wrong_names_get_did_you_mean() {
    for (body, help) in [
        ("[emoji smiel]", "did you mean `smile`?"),
        ("[emoji kind_smile]", "did you mean `kind-smile`?"),
        ("[emoji 微小]", "did you mean `微笑`?"),
        ("[sticker yz0]", "did you mean `yz00`?"),
        ("[sticker gcz16]", "did you mean `gcs16`?"),
        (
            "[emoji yz00]",
            "`yz00` is a sticker: write `[sticker yz00]`",
        ),
        (
            "[sticker smile]",
            "`smile` is a small emoji: write `[emoji smile]`",
        ),
        ("[emoji qwertyuiop]", "`timl faces` lists every emoji name"),
    ] {
        let found = compiled(body, &Options::default());
        assert!(found.message.is_none(), "{body}");
        let diagnostic = &found.diagnostics[0];
        assert_eq!(diagnostic.rule.name, "face-name", "{body}");
        assert!(
            diagnostic.help.as_deref().unwrap().contains(help),
            "{body}: {:?}",
            diagnostic.help
        );
    }
}

#[test]
fn names_from_data_rows() {
    let dir = scratch("faces-rows");
    let template = write(
        &dir,
        "t.timl",
        "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n{{ name }} {{ emoji(mood) }}{{ sticker(pick) }}\n",
    );
    let good = write(
        &dir,
        "good.csv",
        "name,mood,pick\nlina,Tears-Laugh,ys03\nchen,親親,gcs00\n",
    );
    let output = timl(&["compile", &template, "--data", &good]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines[0]["MsgBody"][0]["MsgContent"]["Text"],
        "lina [TUIEmoji_TearsLaugh]"
    );
    assert_eq!(lines[1]["MsgBody"][1]["MsgContent"]["Data"], "gcs00");
    let bad = write(
        &dir,
        "bad.csv",
        "name,mood,pick\nlina,smile,yz00\nchen,[emoji smile],yz00\n",
    );
    let output = timl(&["check", &template, "--data", &bad]);
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    assert!(
        out.contains("error[face-name]: no emoji is called `[emoji smile]`"),
        "{out}"
    );
    assert!(out.contains("in row 2 of"), "{out}");
}

/// An app's catalog beside the tests.
const CATS: &str = "builtin = true\n[[emoji]]\nkey = \"[Cat_Smile]\"\nnames = [\"cat-smile\", \"猫笑\"]\npicture = \"https://cdn.example.com/e/cat_smile.png\"\n[[sticker-group]]\nindex = 4\nnames = [\"cat01\", \"cat02\"]\npicture = \"https://cdn.example.com/s/{name}.gif\"\n";

fn app_options(text: &str) -> Options {
    Options {
        faces: Arc::new(timl::faces::file::read("faces.toml", text).unwrap()),
        ..Options::default()
    }
}

#[test]
fn an_app_catalog_with_and_without_the_builtin_one() {
    let with = app_options(CATS);
    let found = compiled(
        "[emoji cat-smile][emoji smile][sticker cat02][sticker yz00]",
        &with,
    );
    assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
    let json: Value = serde_json::from_str(&found.message.unwrap().to_compact_json()).unwrap();
    assert_eq!(
        json["MsgBody"][0]["MsgContent"]["Text"],
        "[Cat_Smile][TUIEmoji_Smile]"
    );
    assert_eq!(
        json["MsgBody"][1]["MsgContent"],
        serde_json::json!({"Index": 4, "Data": "cat02"})
    );
    assert_eq!(rules("[face 4 \"cat03\"]", &with), ["face-unknown"]);
    assert_eq!(rules("[face 4 \"\"]", &with), ["face-unrenderable"]);
    assert_eq!(
        rules("[Cat_Smiel] [猫笑]", &with),
        ["emoji-unknown", "emoji-legacy"]
    );
    let alone = app_options(&CATS.replace("builtin = true", "builtin = false"));
    assert_eq!(rules("[emoji smile]", &alone), ["face-name"]);
    assert_eq!(rules("[face 1 \"yz00\"]", &alone), ["face-unknown"]);
    // Without the app's catalog the same face is one no kit draws.
    assert_eq!(
        rules("[face 4 \"cat01\"]", &Options::default()),
        ["face-unrenderable"]
    );
}

#[test]
fn bracketed_text_stays_quiet_unless_it_looks_like_a_key() {
    let quiet = Options::default();
    for body in [
        "[Notice] [1/3] [OK] [Smile] [a b] [] [[x]]",
        "[TUIEmoji_Smile][TUIEmoji_666]",
    ] {
        assert!(rules(body, &quiet).is_empty(), "{body}");
    }
    for (body, rule) in [
        ("[TUIEmoji_Smiel]", "emoji-unknown"),
        ("[tuiemoji_smile]", "emoji-unknown"),
        ("[TUIEmoji_smile]", "emoji-unknown"),
        ("[TUIEmoji_Whatever]", "emoji-unknown"),
        ("[微笑]", "emoji-legacy"),
        ("[亲亲]", "emoji-legacy"),
    ] {
        assert_eq!(rules(body, &quiet), [rule], "{body}");
    }
}

#[test]
fn timl_faces_lists_the_catalog() {
    let output = timl(&["faces"]);
    assert_eq!(code(&output), 0);
    let out = stdout(&output);
    assert!(out.starts_with("Emoji (62): "), "{out}");
    assert!(
        out.contains("  [TUIEmoji_Smile]       built-in  smile, 微笑, TUIEmoji_Smile\n"),
        "{out}"
    );
    assert!(out.contains("Stickers (51): "), "{out}");
    assert!(out.contains("      1  yz00   built-in\n"), "{out}");
    let dir = scratch("faces-list");
    let file = write(&dir, "faces.toml", CATS);
    let output = timl(&["faces", "--faces", &file, "--format", "json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 62 + 1 + 51 + 2);
    let cat = lines.iter().find(|l| l["key"] == "[Cat_Smile]").unwrap();
    assert_eq!(cat["names"], serde_json::json!(["cat-smile", "猫笑"]));
    assert_eq!(cat["source"], format!("{file}:2"));
    let sticker = lines.iter().find(|l| l["name"] == "cat02").unwrap();
    assert_eq!(sticker["group"], 4);
    assert_eq!(sticker["picture"], "https://cdn.example.com/s/cat02.gif");
    let smile = lines
        .iter()
        .find(|l| l["key"] == "[TUIEmoji_Smile]")
        .unwrap();
    assert_eq!(smile["source"], "built-in");
}

#[test]
fn a_bad_catalog_is_bad_usage_at_its_line() {
    let dir = scratch("faces-bad");
    let template = write(&dir, "t.timl", &format!("{HEADER}hi"));
    for (catalog, line, words) in [
        (
            "[[emoji]]\nkey = \"[A]\"\nnames = [\"a\"]\ncolour = 1\n",
            4,
            "unknown key `colour`",
        ),
        (
            "[[emoji]]\nkey = \"A\"\nnames = [\"a\"]\n",
            2,
            "one bracketed word",
        ),
        ("builtin = 3\n", 1, "not a valid face catalog"),
        (
            "[[sticker-group]]\nindex = 1\nnames = [\"x\"]\n",
            2,
            "already defined",
        ),
        (
            "[[emoji]]\nkey = \"[A]\"\nnames = [\"a b\"]\n",
            3,
            "one word",
        ),
        (
            "[[emoji]]\nkey = \"[A]\"\nnames = [\"a\"]\npicture = \"file:///etc/passwd\"\n",
            4,
            "https://",
        ),
        (
            "[[emoji]]\nkey = \"[A]\"\nnames = [\"a\\u001b[31m\"]\n",
            3,
            "one word",
        ),
    ] {
        let file = write(&dir, "faces.toml", catalog);
        for args in [
            vec!["compile", template.as_str(), "--faces", file.as_str()],
            vec!["faces", "--faces", file.as_str()],
        ] {
            let output = timl(&args);
            assert_eq!(code(&output), 2, "{catalog}: {}", stderr(&output));
            let err = stderr(&output);
            assert!(
                err.contains(&format!("faces.toml:{line}:")),
                "{catalog}: {err}"
            );
            assert!(err.contains(words), "{catalog}: {err}");
            assert!(!err.contains('\u{1b}'), "{err:?}");
            assert!(stdout(&output).is_empty());
        }
    }
    // Not UTF-8: a read error, as a missing file is.
    let latin = dir.join("latin1.toml");
    fs::write(&latin, b"[[emoji]]\nkey = \"[\xe9]\"\n").unwrap();
    let output = timl(&["faces", "--faces", &latin.to_string_lossy()]);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    let output = timl(&[
        "compile",
        &template,
        "--faces",
        &dir.join("none.toml").to_string_lossy(),
    ]);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
}

#[cfg(unix)]
#[test]
fn a_catalog_that_is_not_a_regular_file_is_refused_at_once() {
    let dir = scratch("faces-fifo");
    let fifo = dir.join("faces.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        println!("skipped: mkfifo is not available");
        return;
    }
    let output = timl(&["faces", "--faces", &fifo.to_string_lossy()]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(stderr(&output).contains("not a regular file"));
}

#[test]
fn timl_toml_names_the_catalog_relative_to_itself() {
    let dir = scratch("faces-toml");
    fs::create_dir_all(dir.join("packs")).unwrap();
    fs::create_dir_all(dir.join("drafts/deep")).unwrap();
    write(&dir.join("packs"), "cats.toml", CATS);
    write(&dir, "timl.toml", "faces = \"packs/cats.toml\"\n");
    let template = write(
        &dir.join("drafts/deep"),
        "t.timl",
        &format!("{HEADER}[emoji 猫笑]"),
    );
    let output = timl_in(Some(&dir.join("drafts/deep")), &["compile", &template]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).contains("[Cat_Smile]"));
    // The flag wins over the file.
    let other = write(&dir, "other.toml", "builtin = false\n");
    let output = timl_in(
        Some(&dir.join("drafts/deep")),
        &["compile", &template, "--faces", &other],
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
}

#[test]
fn the_preview_draws_faces_as_the_apps_do() {
    let dir = scratch("faces-preview");
    let template = write(
        &dir,
        "t.timl",
        &format!("{HEADER}Hi [emoji smile] [sticker yz00] [face 6] [emoji cat-smile] [sticker cat01] [TUIEmoji_Kiss]"),
    );
    let faces = write(&dir, "faces.toml", CATS);
    let page = stdout(&timl(&["preview", &template, "--faces", &faces]));
    for picture in [
        "https:&#x2f;&#x2f;web.sdk.qcloud.com&#x2f;im&#x2f;assets&#x2f;emoji-plugin&#x2f;emoji_6@2x.png",
        "https:&#x2f;&#x2f;web.sdk.qcloud.com&#x2f;im&#x2f;assets&#x2f;face-elem&#x2f;yz00@2x.png",
        "https:&#x2f;&#x2f;cdn.example.com&#x2f;e&#x2f;cat_smile.png",
        "https:&#x2f;&#x2f;cdn.example.com&#x2f;s&#x2f;cat01.gif",
        "https:&#x2f;&#x2f;web.sdk.qcloud.com&#x2f;im&#x2f;assets&#x2f;emoji-plugin&#x2f;emoji_20@2x.png",
    ] {
        assert!(page.contains(&format!("src=\"{picture}\"")), "{picture}");
    }
    assert!(
        page.contains("class=\"broken\""),
        "the face no kit draws is a broken tile"
    );
    assert!(page.contains("face-unrenderable: a face element with `Index` 6"));
    let offline = stdout(&timl(&[
        "preview",
        &template,
        "--faces",
        &faces,
        "--no-remote",
    ]));
    assert!(
        !offline.contains("<img"),
        "no picture loads with --no-remote"
    );
    for tile in [
        ">Smile</span>",
        ">yz00</span>",
        ">cat-smile</span>",
        ">cat01</span>",
        ">Kiss</span>",
    ] {
        assert!(offline.contains(tile), "{tile}");
    }
}

proptest! {
    /// Around any text and mentions, an `[emoji]` adds exactly its key in place, and
    /// never changes the mentions or splits the text.
    #[test]
    fn an_emoji_is_its_key_in_place(
        before in "[a-z ]{0,8}",
        after in "[a-z ]{0,8}",
        index in 0usize..62,
        mention in proptest::bool::ANY,
    ) {
        let facts = fact_emoji();
        let fact = &facts[index];
        let at = if mention { " @amy " } else { "" };
        let body = format!("x{at}{before}[emoji {}]{after}{at}y", fact.simplified);
        let found = json(&body);
        prop_assert_eq!(found["MsgBody"].as_array().unwrap().len(), 1);
        let expected = format!("x{at}{before}{}{after}{at}y", fact.key);
        prop_assert_eq!(found["MsgBody"][0]["MsgContent"]["Text"].as_str().unwrap(), expected.as_str());
        let mentions = found["GroupAtInfo"].as_array().map_or(0, Vec::len);
        prop_assert_eq!(mentions, if mention { 2 } else { 0 });
    }
}

#[test]
fn short_app_keys_leave_prose_alone() {
    let options = app_options("[[emoji]]\nkey = \"[X]\"\nnames = [\"x-face\"]\n[[emoji]]\nkey = \"[OK]\"\nnames = [\"okay\"]\n");
    assert!(rules("Part [1] of [2], see [A] [x] [ok] [Ok] [Notice]", &options).is_empty());
    assert_eq!(rules("[X] [OK]", &options), Vec::<&str>::new());
}

#[test]
fn a_key_made_partly_of_a_value_is_drawn_and_said() {
    let dir = scratch("faces-split-key");
    for (template, value) in [
        ("[{{ v }}]", "TUIEmoji_Smile"),
        ("{{ v }}]", "[TUIEmoji_Smile"),
        ("[{{ v }}", "TUIEmoji_Smile]"),
        ("[TUIEmoji_{{ v }}]", "Smile"),
        ("{{ v }}", "[TUIEmoji_Smile] and [TUIEmoji_Kiss]"),
    ] {
        let file = write(&dir, "t.timl", &format!("{HEADER}{template}"));
        let output = timl(&["check", &file, "--var", &format!("v={value}")]);
        let out = stdout(&output);
        assert_eq!(
            out.matches("warning[emoji-from-value]").count(),
            1,
            "{template} {value}: {out}"
        );
    }
}

#[test]
fn catalog_names_and_keys_refuse_invisible_characters_and_repeats() {
    for name in [
        "a\u{61c}b",
        "a\u{2060}b",
        "a\u{fe0f}",
        "\u{3164}",
        "a\u{200d}b",
        "a\u{e0041}",
        "a\u{202e}b",
        "a\u{e000}b",
    ] {
        let text = format!("[[emoji]]\nkey = \"[K]\"\nnames = [\"{name}\"]\n");
        assert!(timl::faces::file::read("f", &text).is_err(), "{name:?}");
        let text = format!("[[emoji]]\nkey = \"[{name}]\"\nnames = [\"k\"]\n");
        assert!(timl::faces::file::read("f", &text).is_err(), "key {name:?}");
    }
    let twice = timl::faces::file::read("f", "[[emoji]]\nkey = \"[K]\"\nnames = [\"x\", \"X\"]\n")
        .unwrap_err();
    assert_eq!(twice.line, 3);
    assert!(twice.message.contains("given twice"), "{twice}");
    let both = "[[emoji]]\nkey = \"[K]\"\nnames = [\"cat01\"]\n[[sticker-group]]\nindex = 4\nnames = [\"cat01\"]\n";
    let both = timl::faces::file::read("f", both).unwrap_err();
    assert!(both.message.contains("already the emoji [K]"), "{both}");
    let clash =
        timl::faces::file::read("f", "[[emoji]]\nkey = \"[K]\"\nnames = [\"yz00\"]\n").unwrap_err();
    assert!(
        clash.message.contains("already the sticker yz00"),
        "{clash}"
    );
    assert_eq!(clash.line, 3, "a repeated name is the names' fault");
    let upper =
        "[[emoji]]\nkey = \"[K]\"\nnames = [\"k\"]\npicture = \"HTTPS://cdn.example.com/k.png\"\n";
    assert!(timl::faces::file::read("f", upper).is_ok());
}

#[test]
fn the_listing_shows_a_hostile_catalog_name_inert() {
    let dir = scratch("faces-escape-name");
    let file = write(&dir, "\u{1b}[32mgreen.toml", CATS);
    let output = timl(&["faces", "--faces", &file]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(!stdout(&output).contains('\u{1b}'));
    let output = timl(&["faces", "--faces", &file, "--format", "json"]);
    assert!(!stdout(&output).contains('\u{1b}'));
}

#[test]
fn misused_face_functions_are_said() {
    let dir = scratch("faces-misuse");
    for (template, rule) in [
        ("[at {{ emoji(v) }}]", "error[element-args]"),
        ("[face {{ sticker(\"yz00\") }}]", "error[element-args]"),
        ("{{ emoji(none) }}", "error[template]"),
    ] {
        let file = write(&dir, "t.timl", &format!("{HEADER}{template}"));
        let output = timl(&["check", &file, "--var", "v=smile"]);
        assert_eq!(code(&output), 1, "{template}");
        assert!(
            stdout(&output).contains(rule),
            "{template}: {}",
            stdout(&output)
        );
    }
    let file = write(
        &dir,
        "t.timl",
        &format!("{HEADER}{{{{ emoji(666) }}}} [Sticker] pack"),
    );
    let output = timl(&["check", &file]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert!(
        stdout(&output).ends_with("no problems\n"),
        "{}",
        stdout(&output)
    );
}
