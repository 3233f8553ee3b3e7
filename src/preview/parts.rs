//! Elements as bubble parts: a sticker as the app draws it (its picture, or a tile
//! with its name), a face element no app can draw as a broken-image tile, an image at
//! its stated size (its thumbnail when it has one), a location as a card with a map
//! link, a file, a sound, a video and a custom element as cards; an emoji key in text
//! as the emoji. A picture is loaded only from an `http` or `https` address, and only
//! when remote pictures are allowed.

use super::view::Part;
use crate::message::faces::{scan, Catalog};
use crate::message::{Element, FaceElem, ImageElem, Message};

/// The part for a non-text element; `faces` says which stickers the apps know.
pub fn element(element: &Element, remote: bool, faces: &Catalog) -> Part {
    match element {
        Element::TIMTextElem(text) => Part {
            kind: "text",
            text: text.text.clone(),
            ..Part::default()
        },
        Element::TIMFaceElem(face) => face_part(face, remote, faces),
        Element::TIMImageElem(image) => image_part(image, remote),
        Element::TIMLocationElem(location) => {
            let (lat, lon) = (location.latitude.0, location.longitude.0);
            Part {
                kind: "location",
                text: location.desc.clone(),
                detail: format!("{lat}, {lon}"),
                link: format!(
                    "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}"
                ),
                ..Part::default()
            }
        }
        Element::TIMFileElem(file) => Part {
            kind: "file",
            text: file
                .name
                .clone()
                .unwrap_or_else(|| "(no file name)".to_owned()),
            detail: file
                .size
                .map(size)
                .unwrap_or_else(|| "size not given".to_owned()),
            ..Part::default()
        },
        Element::TIMSoundElem(sound) => Part {
            kind: "sound",
            text: "voice message".to_owned(),
            detail: sound
                .seconds
                .map_or_else(|| "length not given".to_owned(), |s| format!("{s} s")),
            ..Part::default()
        },
        Element::TIMVideoFileElem(video) => Part {
            kind: "video",
            text: "video".to_owned(),
            detail: video
                .seconds
                .map_or_else(|| "length not given".to_owned(), |s| format!("{s} s")),
            src: picture(&video.thumb_url, remote),
            width: video.thumb_width,
            height: video.thumb_height,
            ..Part::default()
        },
        Element::TIMCustomElem(custom) => Part {
            kind: "custom",
            text: custom
                .desc
                .clone()
                .unwrap_or_else(|| "custom message".to_owned()),
            detail: pretty(&custom.data),
            ..Part::default()
        },
    }
}

/// A face element: the sticker the catalog names, or a broken-image tile.
fn face_part(face: &FaceElem, remote: bool, faces: &Catalog) -> Part {
    match faces.sticker(face.index, &face.data) {
        Some(sticker) => Part {
            kind: "sticker",
            text: sticker.name.clone(),
            detail: format!("sticker {} of group {}", sticker.name, sticker.group),
            src: sticker
                .picture
                .as_deref()
                .map_or_else(String::new, |p| picture(p, remote)),
            ..Part::default()
        },
        None => Part {
            kind: "broken-face",
            text: if face.data.is_empty() {
                format!("face {}", face.index)
            } else {
                format!("face {} {}", face.index, face.data)
            },
            detail: "no app can draw this face".to_owned(),
            ..Part::default()
        },
    }
}

/// `text` as the apps draw it: plain text, and each emoji key as the emoji.
pub fn text_with_emoji(text: &str, remote: bool, faces: &Catalog, out: &mut Vec<Part>) {
    let mut rest = 0;
    for run in scan::runs(text) {
        let Some(emoji) = faces.emoji_by_key(run.text) else {
            continue;
        };
        if run.range.start > rest {
            out.push(plain(&text[rest..run.range.start]));
        }
        out.push(Part {
            kind: "emoji",
            text: emoji.label.clone(),
            detail: emoji.key.clone(),
            src: emoji
                .picture
                .as_deref()
                .map_or_else(String::new, |p| picture(p, remote)),
            ..Part::default()
        });
        rest = run.range.end;
    }
    if rest < text.len() {
        out.push(plain(&text[rest..]));
    }
}

fn plain(text: &str) -> Part {
    Part {
        kind: "text",
        text: text.to_owned(),
        ..Part::default()
    }
}

/// The image drawn: the thumbnail (`Type` 3) when there is one, else the original.
fn image_part(image: &ImageElem, remote: bool) -> Part {
    let chosen = image
        .info
        .iter()
        .find(|info| info.kind == 3)
        .or_else(|| image.info.iter().find(|info| info.kind == 1))
        .or(image.info.first());
    // A thumbnail without its size is drawn at the original's proportions.
    let original = image.info.iter().find(|info| info.kind == 1);
    let size_of = |info: &crate::message::ImageInfo| info.width.zip(info.height);
    let (width, height) = chosen
        .and_then(size_of)
        .or_else(|| original.and_then(size_of))
        .unwrap_or((320, 240));
    let url = chosen.map_or("", |info| info.url.as_str());
    Part {
        kind: "image",
        text: "image".to_owned(),
        detail: format!("image {width}×{height}"),
        src: picture(url, remote),
        width,
        height,
        ..Part::default()
    }
}

/// `url` when it may be loaded: remote pictures allowed, and `http` or `https`.
fn picture(url: &str, remote: bool) -> String {
    let web = url.starts_with("https://") || url.starts_with("http://");
    if remote && web {
        url.to_owned()
    } else {
        String::new()
    }
}

/// A custom element's data: pretty JSON when it is JSON, else as it is.
fn pretty(data: &str) -> String {
    serde_json::from_str::<serde_json::Value>(data)
        .ok()
        .and_then(|json| serde_json::to_string_pretty(&json).ok())
        .unwrap_or_else(|| data.to_owned())
}

/// A byte count for people.
fn size(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// What a phone shows for a message whose push has no `Desc`: its text, or the kind
/// of its first element.
pub fn summary(message: &Message) -> String {
    let mut text = String::new();
    for element in &message.body {
        let piece = match element {
            Element::TIMTextElem(t) => t.text.as_str(),
            Element::TIMFaceElem(_) => "[Face]",
            Element::TIMImageElem(_) => "[Image]",
            Element::TIMLocationElem(_) => "[Location]",
            Element::TIMFileElem(_) => "[File]",
            Element::TIMSoundElem(_) => "[Voice]",
            Element::TIMVideoFileElem(_) => "[Video]",
            Element::TIMCustomElem(_) => "[Custom message]",
        };
        text.push_str(piece);
    }
    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(100) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}
