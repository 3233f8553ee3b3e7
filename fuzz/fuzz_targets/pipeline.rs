//! The whole pipeline: a template, two values and the same bytes as markup and as
//! compiled requests. No panic, output exactly when there are no errors, and nothing
//! in the output that only data could have made: every mention names an account the
//! template's own text names (unless it calls `mention()` or writes `[at`, which take
//! accounts from data on purpose), `@all` only where the template writes `all`, and
//! an element only where it writes that element's name. Run with `cargo +nightly fuzz run pipeline`.
//!
//! Input: `template 0xFF value 0xFF value` (missing parts are empty).
#![no_main]

use libfuzzer_sys::fuzz_target;
use minijinja::context;
use timl::compile_template;
use timl::Template;
use timl::{compile_file, Compiled, InputKind, Options};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |&b| b == 0xFF);
    let source = parts.next().unwrap_or_default();
    let v = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let w = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    for kind in [InputKind::Markup, InputKind::Json, InputKind::JsonLines] {
        for compiled in compile_file("fuzz.timl", source, kind, &Options::default()) {
            consistent(&compiled);
        }
    }
    let Ok(source) = std::str::from_utf8(source) else {
        return;
    };
    let Ok(template) = Template::new("fuzz.timl", source, None) else {
        return;
    };
    let compiled = compile_template(
        &template,
        context! { v => v.clone(), w => w.clone(), items => vec![v, w] },
        &Options::default(),
    );
    consistent(&compiled);
    if let Some(json) = &compiled.json {
        nothing_from_data(source, json);
    }
});

/// A message exactly when there are no errors, and every diagnostic renders.
fn consistent(compiled: &Compiled) {
    assert_eq!(compiled.message.is_some(), !compiled.has_errors());
    for diagnostic in &compiled.diagnostics {
        let _ = timl::render::human(diagnostic, timl::render::Colour(false));
        let _ = timl::render::json(diagnostic);
    }
}

/// What the output holds, the template's own text must have asked for.
fn nothing_from_data(source: &str, json: &str) {
    let message: serde_json::Value = serde_json::from_str(json).expect("valid JSON");
    // `mention(v)` and `[at {{ v }}]` name accounts from data on purpose.
    let by_function = source.contains("mention") || source.contains("[at");
    for at in message["GroupAtInfo"].as_array().into_iter().flatten() {
        if at["GroupAtAllFlag"] == 1 {
            assert!(source.contains("all"), "@all from data: {json}");
        } else if let Some(account) = at["GroupAt_Account"].as_str() {
            assert!(
                by_function || source.contains(account),
                "mention of {account:?} from data: {json}"
            );
        }
    }
    for element in message["MsgBody"].as_array().into_iter().flatten() {
        let name = match element["MsgType"].as_str().unwrap_or_default() {
            "TIMTextElem" => continue,
            // `[sticker NAME]` and `sticker()` make face elements too.
            "TIMFaceElem" if source.contains("sticker") => continue,
            "TIMFaceElem" => "face",
            "TIMLocationElem" => "location",
            "TIMCustomElem" => "custom",
            "TIMImageElem" => "image",
            "TIMSoundElem" => "sound",
            "TIMFileElem" => "file",
            "TIMVideoFileElem" => "video",
            other => panic!("unknown element {other}"),
        };
        assert!(source.contains(name), "{name} element from data: {json}");
    }
}
