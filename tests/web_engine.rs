//! Tencent's own web chat UI engine (`@tencentcloud/chat-uikit-engine-lite`, run in Node by
//! `tests/web-engine/draw.mjs`) drawing send_group_msg bodies: an emoji key typed in a text
//! element is drawn as the key's picture and a misspelt one stays text, a sticker is drawn
//! from its Data (its Index ignored), and the committed `engine-emoji-table.json` is the
//! engine's table. Skips, saying so, without node and npm, or without the npm registry
//! outside CI.

use serde_json::{json, Value};

#[path = "common/web_engine.rs"]
mod web_engine;
use web_engine::{draw, draw_jsonl, emoji_table, engine, scripts};

const EMOJI_CDN: &str = "https://web.sdk.qcloud.com/im/assets/emoji-plugin/";
const STICKER_CDN: &str = "https://web.sdk.qcloud.com/im/assets/face-elem/";

/// A send_group_msg body holding `elements`.
fn body(elements: Value) -> Value {
    json!({
        "GroupId": "@TGS#2C5SZEAEF",
        "Random": 1234567,
        "MsgBody": elements,
    })
}

fn text(text: &str) -> Value {
    json!({"MsgType": "TIMTextElem", "MsgContent": {"Text": text}})
}

fn face(index: u32, data: &str) -> Value {
    json!({"MsgType": "TIMFaceElem", "MsgContent": {"Index": index, "Data": data}})
}

/// Every picture the engine drew in `lines` (draw's output), in order: the `src` of each
/// image piece of a text element (an empty one for a `[...@custom]` token, whose picture
/// the app finds elsewhere) and the `url` of each sticker.
fn engine_pictures(lines: &[Value]) -> Vec<String> {
    let mut pictures = Vec::new();
    for entry in lines
        .iter()
        .flat_map(|line| line.as_array().expect("an array a body"))
    {
        let drawn = &entry["engine"];
        match entry["MsgType"].as_str() {
            Some("TIMTextElem") => {
                for piece in drawn["text"].as_array().into_iter().flatten() {
                    if piece["name"] == "img" {
                        pictures.push(piece["src"].as_str().unwrap_or_default().to_owned());
                    }
                }
            }
            Some("TIMFaceElem") => {
                if let Some(url) = drawn["url"].as_str() {
                    pictures.push(url.to_owned());
                }
            }
            _ => {}
        }
    }
    pictures
}

/// The text the engine shows of a text element's pieces, pictures as `<src>`.
fn shown(pieces: &Value) -> String {
    let pieces = pieces.as_array().expect("a list of pieces");
    pieces
        .iter()
        .map(|piece| match piece["name"].as_str() {
            Some("text") => piece["text"].as_str().unwrap().to_owned(),
            Some("img") => format!("<{}>", piece["src"].as_str().unwrap()),
            other => panic!("a piece named {other:?}: {piece}"),
        })
        .collect()
}

#[test]
fn an_emoji_key_in_text_is_drawn_as_its_picture() {
    let Some(engine) = engine() else { return };
    let lines = draw(&engine, &[body(json!([text("Hi[TUIEmoji_Smile]!")]))]);
    let smile = format!("{EMOJI_CDN}emoji_6@2x.png");
    assert_eq!(
        lines[0][0]["engine"]["text"],
        json!([
            {"name": "text", "text": "Hi"},
            {"name": "img", "src": smile, "emojiKey": "[TUIEmoji_Smile]"},
            {"name": "text", "text": "!"},
        ]),
        "{}",
        lines[0]
    );
    assert_eq!(engine_pictures(&lines), [smile]);
}

#[test]
fn a_misspelt_emoji_key_stays_text() {
    let Some(engine) = engine() else { return };
    let typed = "Hi [TUIEmoji_Smiel] and [not an emoji]";
    let lines = draw(&engine, &[body(json!([text(typed)]))]);
    let pieces = &lines[0][0]["engine"]["text"];
    assert!(engine_pictures(&lines).is_empty(), "a picture: {pieces}");
    // The engine gives up on the `[` alone and reads on after it: the same text, in pieces.
    assert_eq!(shown(pieces), typed, "{pieces}");
    assert!(
        pieces
            .as_array()
            .unwrap()
            .contains(&json!({"name": "text", "text": "["})),
        "{pieces}"
    );
}

#[test]
fn a_sticker_is_drawn_from_its_data() {
    let Some(engine) = engine() else { return };
    let lines = draw(&engine, &[body(json!([face(1, "yz00")]))]);
    assert_eq!(
        lines[0][0]["engine"],
        json!({"name": "yz00@2x", "type": "", "url": format!("{STICKER_CDN}yz00@2x.png")}),
        "{}",
        lines[0]
    );
}

#[test]
fn a_sticker_without_data_is_drawn_from_no_file() {
    let Some(engine) = engine() else { return };
    let lines = draw(&engine, &[body(json!([face(6, "")]))]);
    let url = lines[0][0]["engine"]["url"].as_str().expect("a url");
    assert!(url.ends_with("face-elem/@2x.png"), "{}", lines[0]);
    assert_eq!(url, format!("{STICKER_CDN}@2x.png"));
}

#[test]
fn pictures_come_in_the_order_they_are_drawn_across_elements_and_bodies() {
    let Some(engine) = engine() else { return };
    let lines = draw(
        &engine,
        &[
            body(json!([
                text("[TUIEmoji_Like][TUIEmoji_Smiel] x [TUIEmoji_Expect]"),
                json!({"MsgType": "TIMCustomElem", "MsgContent": {"Data": "[TUIEmoji_Smile]"}}),
                face(1, "yz01"),
            ])),
            body(json!([text("no picture"), text("[TUIEmoji_666]")])),
        ],
    );
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0][1],
        json!({"MsgType": "TIMCustomElem", "engine": null})
    );
    assert_eq!(
        engine_pictures(&lines),
        [
            format!("{EMOJI_CDN}emoji_61@2x.png"),
            format!("{EMOJI_CDN}emoji_0@2x.png"),
            format!("{STICKER_CDN}yz01@2x.png"),
            format!("{EMOJI_CDN}emoji_57@2x.png"),
        ]
    );
}

#[test]
fn the_committed_emoji_table_is_the_engines() {
    let Some(engine) = engine() else { return };
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(scripts().join("engine-emoji-table.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        emoji_table(&engine),
        committed,
        "the engine's table changed: write it again with tests/web-engine/dump-emoji-table.mjs"
    );
    let emoji = committed["emoji"].as_array().unwrap();
    assert_eq!(emoji.len(), 62);
    for entry in emoji {
        let key = entry["key"].as_str().unwrap();
        assert!(
            key.starts_with("[TUIEmoji_") && key.ends_with(']'),
            "{entry}"
        );
        let src = entry["src"].as_str().unwrap();
        assert_eq!(
            src,
            format!("{EMOJI_CDN}{}", entry["file"].as_str().unwrap())
        );
    }
}

// ---------------------------------------------------------------------------------
// What timl compiles, drawn by the engine and by timl's preview
// ---------------------------------------------------------------------------------

#[path = "common/mod.rs"]
mod common;

/// Runs the built `timl` with `args`; its standard output, after asserting exit 0.
fn timl_ok(args: &[&str]) -> String {
    let output = common::timl(args);
    assert_eq!(common::code(&output), 0, "{}", common::stderr(&output));
    common::stdout(&output)
}

/// The pictures timl's preview page shows, in order: the `src` of every emoji and
/// sticker image, HTML references undone.
fn preview_pictures(page: &str) -> Vec<String> {
    page.split("<img class=\"")
        .skip(1)
        .filter(|tag| tag.starts_with("emoji\"") || tag.starts_with("sticker\""))
        .map(|tag| {
            let src = tag
                .split("src=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            src.replace("&#x2f;", "/").replace("&amp;", "&")
        })
        .collect()
}

const HEADER: &str = "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n";

#[test]
fn every_emoji_and_sticker_timl_compiles_is_drawn_by_the_engine_as_the_preview_shows() {
    let Some(engine) = engine() else { return };
    let catalog = timl::faces::Catalog::builtin();
    let dir = common::scratch("web-engine-faces");
    // One message for each kind of name (every emoji named that way), one of stickers.
    let mut files = Vec::new();
    let kinds = catalog.emoji()[0].names.len();
    for kind in 0..kinds {
        let mut body = String::from("Every emoji @tommy ");
        for emoji in catalog.emoji() {
            let name = emoji.names.get(kind).unwrap_or(&emoji.names[0]);
            body.push_str(&format!("[emoji {name}] "));
        }
        files.push(common::write(
            &dir,
            &format!("emoji-{kind}.timl"),
            &format!("{HEADER}{body}"),
        ));
    }
    let mut stickers = String::new();
    for sticker in catalog.stickers() {
        stickers.push_str(&format!("[sticker {}]", sticker.name));
    }
    files.push(common::write(
        &dir,
        "stickers.timl",
        &format!("{HEADER}{stickers}"),
    ));
    for (index, file) in files.iter().enumerate() {
        let compiled: Value = serde_json::from_str(&timl_ok(&["compile", file])).unwrap();
        let drawn = engine_pictures(&draw(&engine, &[compiled]));
        let expected: Vec<String> = if index < kinds {
            catalog
                .emoji()
                .iter()
                .map(|e| e.picture.clone().unwrap())
                .collect()
        } else {
            catalog
                .stickers()
                .iter()
                .map(|s| s.picture.clone().unwrap())
                .collect()
        };
        assert_eq!(drawn, expected, "{file}: the engine draws another picture");
        let page = timl_ok(&["preview", file]);
        assert_eq!(
            preview_pictures(&page),
            drawn,
            "{file}: the preview shows another picture"
        );
    }
}

#[test]
fn emoji_and_stickers_from_data_rows_are_drawn_by_the_engine_as_the_preview_shows() {
    let Some(engine) = engine() else { return };
    let dir = common::scratch("web-engine-rows");
    let template = common::write(
        &dir,
        "t.timl",
        &format!(
            "{HEADER}Hi {{{{ name }}}} {{{{ emoji(mood) }}}} {{{{ note }}}}{{{{ sticker(pick) }}}}"
        ),
    );
    let rows = common::write(
        &dir,
        "rows.csv",
        "name,mood,note,pick\nlina,tears-laugh,fine,ys03\nchen,親親,boom [TUIEmoji_Bombs],gcs16\nsam,666,[sticker yz00] [TUIEmoji_Smiel],yz17\n",
    );
    let jsonl = timl_ok(&["compile", &template, "--data", &rows]);
    let drawn = engine_pictures(&draw_jsonl(&engine, &jsonl));
    let emoji = |file: &str| format!("{EMOJI_CDN}{file}");
    let sticker = |name: &str| format!("{STICKER_CDN}{name}@2x.png");
    assert_eq!(
        drawn,
        [
            emoji("emoji_17@2x.png"),
            sticker("ys03"),
            emoji("emoji_20@2x.png"),
            // A value holding a key is drawn as the picture too (timl warns of it).
            emoji("emoji_36@2x.png"),
            sticker("gcs16"),
            emoji("emoji_57@2x.png"),
            sticker("yz17"),
        ]
    );
    let page = timl_ok(&["preview", &template, "--data", &rows]);
    assert_eq!(preview_pictures(&page), drawn);
    let check = common::timl(&["check", &template, "--data", &rows]);
    assert!(common::stdout(&check).contains("warning[emoji-from-value]"));
}

#[test]
fn a_face_timl_warns_of_is_one_the_engine_cannot_draw() {
    let Some(engine) = engine() else { return };
    let dir = common::scratch("web-engine-broken");
    let file = common::write(&dir, "t.timl", &format!("{HEADER}[face 6][face 6 \"abc\"]"));
    let check = common::timl(&["check", &file]);
    assert_eq!(
        common::stdout(&check)
            .matches("warning[face-unrenderable]")
            .count(),
        2
    );
    let compiled: Value = serde_json::from_str(&timl_ok(&["compile", &file])).unwrap();
    let drawn = engine_pictures(&draw(&engine, &[compiled]));
    // Addresses of no picture: the web kit draws a broken image for each.
    assert_eq!(
        drawn,
        [
            format!("{STICKER_CDN}@2x.png"),
            format!("{STICKER_CDN}abc@2x.png")
        ]
    );
    let page = timl_ok(&["preview", &file]);
    assert_eq!(page.matches("class=\"broken\"").count(), 2);
    assert!(preview_pictures(&page).is_empty());
}

#[test]
fn a_chinese_name_in_brackets_is_text_to_the_engine() {
    let Some(engine) = engine() else { return };
    // What `emoji-legacy` warns of: the kits before 2024 keyed emoji by these names.
    let lines = draw(&engine, &[body(json!([text("新年快乐 [微笑] [親親]")]))]);
    assert!(engine_pictures(&lines).is_empty(), "{}", lines[0]);
    assert_eq!(
        shown(&lines[0][0]["engine"]["text"]),
        "新年快乐 [微笑] [親親]"
    );
}
