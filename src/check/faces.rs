//! The face rules: a [`Message`], the face [`Catalog`] in use and where each piece of
//! its text came from in; warnings for faces that members' apps will not draw as meant.
//!
//! - a face element that is no sticker of the catalog (`face-unrenderable` with
//!   TUIKit's catalog alone, `face-unknown` with an app's);
//! - text the author wrote that looks like an emoji key but is none
//!   (`emoji-unknown`), or is a Chinese key of the kits before 2024 (`emoji-legacy`);
//! - a template value holding a key, which every kit draws as a picture
//!   (`emoji-from-value`).
//!
//! Bracketed words inside values are the data's own text and are not judged, but for
//! the keys the apps will draw.

use crate::diag::{rules, Diagnostic};
use crate::message::faces::scan::{self, TextPiece};
use crate::message::faces::{Bracketed, Catalog};
use crate::message::{Element, FaceElem, Message};

/// What the kits draw for a face element they cannot find.
const DRAWN_INSTEAD: &str = "Android shows its broken-image icon, iOS an unknown image, the web kit a picture that fails to load";

/// Runs the face rules over `message`. `texts` says where each piece of its text
/// elements was written (empty for a `.json` input: all of it is the author's).
pub fn check_faces(message: &Message, faces: &Catalog, texts: &[TextPiece]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (index, element) in message.body.iter().enumerate() {
        match element {
            Element::TIMFaceElem(face) => check_face(face, index, faces, &mut out),
            Element::TIMTextElem(text) => check_text(&text.text, index, faces, texts, &mut out),
            _ => {}
        }
    }
    out
}

fn check_face(face: &FaceElem, index: usize, faces: &Catalog, out: &mut Vec<Diagnostic>) {
    if faces.sticker(face.index, &face.data).is_some() {
        return;
    }
    let path = format!("MsgBody[{index}]");
    let data = crate::diag::render::printable(&face.data);
    let help = match faces.sticker_named(&face.data) {
        Some(sticker) => format!(
            "`{}` is a sticker of group {}: write `[sticker {}]`",
            sticker.name, sticker.group, sticker.name
        ),
        None => match faces.suggest_sticker(&face.data) {
            Some(near) => format!("did you mean `[sticker {near}]`? (`timl faces` lists the names)"),
            None => "for a small emoji in the text write `[emoji NAME]` (`[emoji smile]`), for a big sticker `[sticker NAME]` (`[sticker yz00]`); `timl faces` lists the names"
                .to_owned(),
        },
    };
    let diagnostic = if face.data.is_empty() {
        Diagnostic::new(
            &rules::FACE_UNRENDERABLE,
            format!(
                "a face element with `Index` {} and empty `Data` is drawn by no kit: {DRAWN_INSTEAD}",
                face.index
            ),
        )
    } else if faces.has_app_catalog() {
        Diagnostic::new(
            &rules::FACE_UNKNOWN,
            format!(
                "no face catalog in use has `{data}` in sticker group {}: the app will not find it",
                face.index
            ),
        )
    } else {
        Diagnostic::new(
            &rules::FACE_UNRENDERABLE,
            format!(
                "TUIKit's stickers have no `{data}` in group {}, so no kit can draw this face: {DRAWN_INSTEAD}",
                face.index
            ),
        )
    };
    out.push(diagnostic.at_path(path).help(help));
}

fn check_text(
    text: &str,
    index: usize,
    faces: &Catalog,
    texts: &[TextPiece],
    out: &mut Vec<Diagnostic>,
) {
    // One warning a value, however many keys it holds.
    let mut values_warned = Vec::new();
    for run in scan::runs(text) {
        let located = scan::locate(texts, index, &run.range);
        let place = |diagnostic: Diagnostic| match located {
            Some(located) => diagnostic.at(located.span),
            None => diagnostic.at_path(format!("MsgBody[{index}].MsgContent.Text")),
        };
        // A key made wholly or partly of a value is drawn all the same.
        if let Some(value) = located.and_then(|l| l.value) {
            if let Some(emoji) = faces.emoji_by_key(run.text) {
                if !values_warned.contains(&value) {
                    values_warned.push(value);
                    out.push(place(from_value(emoji)));
                }
            }
            continue;
        }
        // A `.json` input has no pieces: its text is all the author's.
        if !located.is_none_or(|l| l.any_written) {
            continue;
        }
        let shown = crate::diag::render::printable(run.text);
        let diagnostic = match faces.bracketed(run.text) {
            Bracketed::NearKey(near) => Diagnostic::new(
                &rules::EMOJI_UNKNOWN,
                format!("`{shown}` is not an emoji key: members see it as text"),
            )
            .help(match near {
                Some(emoji) => format!(
                    "did you mean `[emoji {}]` (the key `{}`)? keys match exactly, in case too",
                    emoji.names[0], emoji.key
                ),
                None => "write the emoji by name, `[emoji NAME]`; `timl faces` lists the names".to_owned(),
            }),
            Bracketed::Legacy(emoji) => Diagnostic::new(
                &rules::EMOJI_LEGACY,
                format!(
                    "`{shown}` is not an emoji key: current kits draw only keys like `{}`, and show these characters",
                    emoji.key
                ),
            )
            .help(format!(
                "write `[emoji {}]` for the {} emoji (Chinese names were keys before 2024)",
                &shown[1..shown.len() - 1],
                emoji.label,
            )),
            Bracketed::Key(_) | Bracketed::Plain => continue,
        };
        out.push(place(diagnostic));
    }
}

fn from_value(emoji: &crate::message::faces::Emoji) -> Diagnostic {
    Diagnostic::new(
        &rules::EMOJI_FROM_VALUE,
        format!(
            "a value makes the emoji key `{}`: every kit draws it as the {} emoji, not as text",
            emoji.key, emoji.label
        ),
    )
    .help("if the picture is meant, write it in the template with `emoji(name)`; if not, take the key out of the data")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::TextElem;

    fn message(body: Vec<Element>) -> Message {
        Message {
            body,
            ..Message::default()
        }
    }

    fn rules_of(message: &Message, faces: &Catalog) -> Vec<&'static str> {
        check_faces(message, faces, &[])
            .iter()
            .map(|d| d.rule.name)
            .collect()
    }

    fn face(index: u32, data: &str) -> Element {
        Element::TIMFaceElem(FaceElem {
            index,
            data: data.to_owned(),
        })
    }

    fn text(text: &str) -> Element {
        Element::TIMTextElem(TextElem {
            text: text.to_owned(),
        })
    }

    #[test]
    fn faces_no_kit_draws() {
        let builtin = Catalog::builtin();
        assert!(rules_of(&message(vec![face(1, "yz00"), face(3, "gcs16")]), &builtin).is_empty());
        for bad in [
            face(6, ""),
            face(6, "abc"),
            face(2, "yz00"),
            face(0, "[TUIEmoji_Smile]"),
        ] {
            assert_eq!(
                rules_of(&message(vec![bad]), &builtin),
                ["face-unrenderable"]
            );
        }
        let app = crate::message::faces::file::read(
            "f",
            "[[sticker-group]]\nindex = 4\nnames = [\"cat01\"]\n",
        )
        .unwrap();
        assert!(rules_of(&message(vec![face(4, "cat01"), face(1, "yz00")]), &app).is_empty());
        assert_eq!(
            rules_of(&message(vec![face(4, "cat02")]), &app),
            ["face-unknown"]
        );
        assert_eq!(
            rules_of(&message(vec![face(4, "")]), &app),
            ["face-unrenderable"]
        );
    }

    #[test]
    fn bracketed_text() {
        let faces = Catalog::builtin();
        let of = |t: &str| rules_of(&message(vec![text(t)]), &faces);
        assert!(of("Hi[TUIEmoji_Smile]! [Notice] [1/3] [OK]").is_empty());
        assert_eq!(of("Hi [TUIEmoji_Smiel]"), ["emoji-unknown"]);
        assert_eq!(
            of("Hi [tuiemoji_smile] [微笑]"),
            ["emoji-unknown", "emoji-legacy"]
        );
        let found = check_faces(&message(vec![text("a [TUIEmoji_Smiel]")]), &faces, &[]);
        assert_eq!(found[0].path.as_deref(), Some("MsgBody[0].MsgContent.Text"));
        assert!(found[0].help.as_deref().unwrap().contains("[emoji smile]"));
    }
}
