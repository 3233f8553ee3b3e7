//! Element arguments: each element's parameters as data, binding the
//! written arguments to them, and building the `MsgBody` item.
//!
//! Takes an [`ast::Element`]; gives a [`Built`] element or mention, or
//! `element-args` diagnostics pointing at the offending argument.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::diag::rules;
use crate::diag::suggest::edit_distance;
use crate::diag::Diagnostic;
use crate::diag::Span;
use crate::markup::ast::{self, ArgValue, ElementKind};
use crate::markup::signature::{list_params, signature, Kind, Param, Signature};
use crate::message::faces::Catalog;
use crate::message::{
    Coordinate, CustomElem, Element, FaceElem, FileElem, ImageElem, ImageInfo, LocationElem,
    SoundElem, VideoElem,
};

/// A typed argument value.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Whole(u64),
    Degrees(f64),
}

/// What an element lowers to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Built {
    /// A `MsgBody` item.
    Element(Element),
    /// A mention from `[at ...]`: the text shown and whom it mentions (`None`: all).
    Mention {
        text: String,
        account: Option<String>,
    },
    /// An emoji from `[emoji ...]`: its key, typed into the text.
    EmojiKey(String),
}

/// Builds one element, or explains every problem with its arguments. Face names are
/// looked up in `faces`.
pub(crate) fn build(element: &ast::Element, faces: &Catalog) -> Result<Built, Vec<Diagnostic>> {
    let kind = element.kind.value;
    let mut bound = Bound::default();
    let mut problems = Vec::new();
    bind(element, signature(kind), &mut bound, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    assemble(element, bound, faces).map_err(|problem| vec![*problem])
}

/// `[emoji NAME]` as the emoji's key, `[sticker NAME]` as the sticker's face element,
/// or a `face-name` error at the name with the nearest names.
fn named_face(
    element: &ast::Element,
    bound: &mut Bound,
    faces: &Catalog,
) -> Result<Built, Box<Diagnostic>> {
    let name = bound.text("name").unwrap_or_default();
    let emoji = element.kind.value == ElementKind::Emoji;
    if emoji {
        if let Some(found) = faces.emoji_named(&name) {
            return Ok(Built::EmojiKey(found.key.clone()));
        }
    } else if let Some(found) = faces.sticker_named(&name) {
        return Ok(Built::Element(Element::TIMFaceElem(FaceElem {
            index: found.group,
            data: found.name.clone(),
        })));
    }
    let span = element
        .args
        .iter()
        .find_map(|arg| arg.value.as_ref().map(|v| v.span))
        .unwrap_or(element.span);
    let shown = abbreviate(&name);
    let (what, near, other) = if emoji {
        let other = faces
            .sticker_named(&name)
            .map(|s| format!("`{}` is a sticker: write `[sticker {}]`", s.name, s.name));
        ("emoji", faces.suggest_emoji(&name), other)
    } else {
        let other = faces
            .emoji_named(&name)
            .map(|_| format!("`{shown}` is a small emoji: write `[emoji {shown}]`"));
        ("sticker", faces.suggest_sticker(&name), other)
    };
    let help = other.unwrap_or_else(|| match near {
        Some(near) => format!("did you mean `{near}`? (`timl faces` lists every name)"),
        None => format!("`timl faces` lists every {what} name"),
    });
    Err(Box::new(
        Diagnostic::new(&rules::FACE_NAME, format!("no {what} is called `{shown}`"))
            .at(span)
            .help(help),
    ))
}

#[derive(Default)]
struct Bound {
    values: HashMap<&'static str, Value>,
    /// Parameters written as a literal bare word in the template's own source: only
    /// these can be keywords (`[at all]`).
    bare: Vec<&'static str>,
}

impl Bound {
    fn text(&mut self, name: &str) -> Option<String> {
        match self.values.remove(name)? {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    fn whole(&self, name: &str) -> Option<u64> {
        match self.values.get(name)? {
            Value::Whole(n) => Some(*n),
            _ => None,
        }
    }

    fn degrees(&self, name: &str) -> f64 {
        match self.values.get(name) {
            Some(Value::Degrees(d)) => *d,
            _ => 0.0,
        }
    }
}

/// Binds the arguments of `element` to the parameters of `signature`: each value
/// converted into `bound`, each problem (an unknown, repeated, empty, ill-typed or
/// missing argument) into `problems`.
fn bind(
    element: &ast::Element,
    signature: &Signature,
    bound: &mut Bound,
    problems: &mut Vec<Diagnostic>,
) {
    let name = element.kind.value.name();
    let mut seen: HashMap<&'static str, Span> = HashMap::new();
    for arg in &element.args {
        let param = match parameter(arg, signature, &seen, name) {
            Ok(param) => param,
            Err(problem) => {
                problems.push(*problem);
                continue;
            }
        };
        if seen.insert(param.name, arg.span).is_some() {
            problems.push(
                Diagnostic::new(
                    &rules::ELEMENT_ARGS,
                    format!("`{}` is given twice", param.name),
                )
                .at(arg.span)
                .help("give each argument once"),
            );
            continue;
        }
        match bind_value(arg, param, name) {
            Ok((converted, bare)) => {
                bound.values.insert(param.name, converted);
                if bare {
                    bound.bare.push(param.name);
                }
            }
            Err(problem) => problems.push(*problem),
        }
    }
    check_requires(signature, &seen, name, problems);
    for param in signature
        .params
        .iter()
        .filter(|p| p.required && !seen.contains_key(p.name))
    {
        problems.push(
            Diagnostic::new(
                &rules::ELEMENT_ARGS,
                format!("`[{name}` needs `{}`", param.name),
            )
            .at(element.span)
            .help(format!(
                "add `{}=...` ({})",
                param.name,
                param.kind.describe()
            )),
        );
    }
}

/// Each given argument that needs others (`thumb=` needs `thumb-width=` and
/// `thumb-height=`) has them, or a problem at the argument says which are missing.
fn check_requires(
    signature: &Signature,
    seen: &HashMap<&'static str, Span>,
    name: &str,
    problems: &mut Vec<Diagnostic>,
) {
    for (given, needs) in signature.requires {
        let Some(span) = seen.get(given) else {
            continue;
        };
        let missing: Vec<String> = needs
            .iter()
            .filter(|need| !seen.contains_key(*need))
            .map(|need| format!("`{need}=`"))
            .collect();
        if missing.is_empty() {
            continue;
        }
        problems.push(
            Diagnostic::new(
                &rules::ELEMENT_ARGS,
                format!("`{given}=` of `[{name}` needs {}", missing.join(" and ")),
            )
            .at(*span)
            .help(format!("add {}", missing.join(" and "))),
        );
    }
}

/// The parameter `arg` gives: by its key, or the first positional one not given yet
/// (so `[face index=6 "abc"]` reads as index 6, data "abc").
fn parameter<'s>(
    arg: &ast::Arg,
    signature: &'s Signature,
    seen: &HashMap<&'static str, Span>,
    name: &str,
) -> Result<&'s Param, Box<Diagnostic>> {
    let Some(key) = &arg.key else {
        let free = signature.positional.iter().find(|p| !seen.contains_key(*p));
        return match free {
            Some(&param) => Ok(signature
                .params
                .iter()
                .find(|p| p.name == param)
                .expect("positional names are parameters")),
            None => Err(Box::new(
                Diagnostic::new(
                    &rules::ELEMENT_ARGS,
                    format!("`[{name}` takes no more positional arguments"),
                )
                .at(arg.span)
                .help(format!(
                    "name it: `[{name}` takes {}",
                    list_params(signature)
                )),
            )),
        };
    };
    if let Some(found) = signature.params.iter().find(|p| p.name == key.value) {
        return Ok(found);
    }
    let near = signature
        .params
        .iter()
        .map(|p| (edit_distance(&key.value, p.name), p.name))
        .filter(|&(distance, _)| distance <= 2)
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, name)| name);
    let help = match near {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("`[{name}` takes {}", list_params(signature)),
    };
    Err(Box::new(
        Diagnostic::new(
            &rules::ELEMENT_ARGS,
            format!("unknown argument `{}` for `[{name}`", key.value),
        )
        .at(key.span)
        .help(help),
    ))
}

/// The value of `arg` converted for `param`, and whether it was written bare.
fn bind_value(arg: &ast::Arg, param: &Param, name: &str) -> Result<(Value, bool), Box<Diagnostic>> {
    let Some(value) = &arg.value else {
        return Err(Box::new(
            Diagnostic::new(
                &rules::ELEMENT_ARGS,
                format!("`{}=` has no value", param.name),
            )
            .at(arg.span)
            .help(format!(
                "write `{}=VALUE`; quote a value with spaces",
                param.name
            )),
        ));
    };
    // `[at {{ emoji(v) }}]`: an element where a value goes is no value.
    if let ArgValue::Bare(text) = &value.value {
        let inner = text.strip_prefix('[').map(|t| t.trim_end_matches(']'));
        if let Some(inner) = inner.filter(|i| ElementKind::from_name(i).is_some()) {
            return Err(Box::new(
                Diagnostic::new(
                    &rules::ELEMENT_ARGS,
                    format!("`[{inner}` inside `[{name}`: an element is not an argument"),
                )
                .at(value.span)
                .help(format!(
                    "write the `[{inner}` element beside `[{name}`, not in it"
                )),
            ));
        }
    }
    let converted = convert(param, &value.value).map_err(|message| {
        Box::new(
            Diagnostic::new(&rules::ELEMENT_ARGS, message)
                .at(value.span)
                .help(format!(
                    "`{}` of `[{name}` is {}",
                    param.name,
                    param.kind.describe()
                )),
        )
    })?;
    Ok((converted, matches!(value.value, ArgValue::Bare(_))))
}

fn convert(param: &Param, value: &ArgValue) -> Result<Value, String> {
    let text = value.text();
    let quoted = matches!(value, ArgValue::Quoted(_));
    let wrong = |what: &str| {
        format!(
            "`{}` must be {}, not {what}",
            param.name,
            param.kind.describe()
        )
    };
    match param.kind {
        Kind::Text => Ok(Value::Text(text.to_owned())),
        _ if quoted => Err(wrong(&format!(
            "the quoted string \"{}\"",
            abbreviate(text)
        ))),
        Kind::Whole { max } => text
            .parse::<u64>()
            .ok()
            .filter(|n| *n <= max && text.bytes().all(|b| b.is_ascii_digit()))
            .map(Value::Whole)
            .ok_or_else(|| wrong(&format!("`{}`", abbreviate(text)))),
        Kind::Degrees { limit } => decimal(text)
            .filter(|d| d.abs() <= f64::from(limit))
            .map(Value::Degrees)
            .ok_or_else(|| wrong(&format!("`{}`", abbreviate(text)))),
        Kind::ImageFormat => {
            let code = match text.to_ascii_lowercase().as_str() {
                "jpg" | "jpeg" | "1" => 1,
                "gif" | "2" => 2,
                "png" | "3" => 3,
                "bmp" | "4" => 4,
                "other" | "255" => 255,
                _ => return Err(wrong(&format!("`{}`", abbreviate(text)))),
            };
            Ok(Value::Whole(code))
        }
    }
}

/// `-12.5`, `39`, `+7.25`: digits with an optional sign and fraction (no exponents,
/// no `inf`).
fn decimal(text: &str) -> Option<f64> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let valid = !whole.is_empty()
        && !fraction.is_empty()
        && whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit());
    valid.then(|| text.parse().ok()).flatten()
}

fn abbreviate(text: &str) -> String {
    if text.chars().count() <= 40 {
        text.to_owned()
    } else {
        let head: String = text.chars().take(37).collect();
        format!("{head}...")
    }
}

/// A stable UUID for a URL: the first 32 hex digits of its SHA-256.
pub fn url_uuid(url: &str) -> String {
    let digest = Sha256::digest(url.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The element (or mention, or emoji key) that bound arguments `b` of `written`
/// describe.
fn assemble(
    written: &ast::Element,
    mut b: Bound,
    faces: &Catalog,
) -> Result<Built, Box<Diagnostic>> {
    let element = match written.kind.value {
        ElementKind::At => return Ok(mention(&mut b)),
        ElementKind::Emoji | ElementKind::Sticker => return named_face(written, &mut b, faces),
        ElementKind::Face => Element::TIMFaceElem(FaceElem {
            index: b.whole("index").unwrap_or_default() as u32,
            data: b.text("data").unwrap_or_default(),
        }),
        ElementKind::Location => Element::TIMLocationElem(LocationElem {
            latitude: Coordinate(b.degrees("lat")),
            longitude: Coordinate(b.degrees("lon")),
            desc: b.text("desc").unwrap_or_default(),
        }),
        ElementKind::Custom => Element::TIMCustomElem(CustomElem {
            data: b.text("data").unwrap_or_default(),
            desc: b.text("desc"),
            ext: b.text("ext"),
            sound: b.text("sound"),
        }),
        ElementKind::Image => image(&mut b),
        ElementKind::Sound => {
            let url = b.text("url").unwrap_or_default();
            Element::TIMSoundElem(SoundElem {
                uuid: b.text("uuid").unwrap_or_else(|| url_uuid(&url)),
                url,
                size: b.whole("size"),
                seconds: b.whole("seconds"),
                download_flag: 2,
            })
        }
        ElementKind::File => {
            let url = b.text("url").unwrap_or_default();
            Element::TIMFileElem(FileElem {
                uuid: b.text("uuid").unwrap_or_else(|| url_uuid(&url)),
                url,
                size: b.whole("size"),
                name: b.text("name"),
                download_flag: 2,
            })
        }
        ElementKind::Video => video(&mut b),
    };
    Ok(Built::Element(element))
}

/// `[at id name]`: `[at all]` is everyone; `[at "all"]` or a value `all` is an
/// account.
fn mention(b: &mut Bound) -> Built {
    let everyone = b.bare.contains(&"id");
    let id = b.text("id").unwrap_or_default();
    let name = b.text("name");
    let shown = name.unwrap_or_else(|| id.clone());
    Built::Mention {
        text: format!("@{shown}"),
        account: (!(everyone && id == "all")).then_some(id),
    }
}

/// `[image ...]`: the original, and the large and thumbnail versions when given.
fn image(b: &mut Bound) -> Element {
    let url = b.text("url").unwrap_or_default();
    let mut info = vec![ImageInfo {
        kind: 1,
        size: b.whole("size"),
        width: b.whole("width"),
        height: b.whole("height"),
        url: url.clone(),
    }];
    for (name, kind) in [("large", 2), ("thumb", 3)] {
        if let Some(url) = b.text(name) {
            info.push(ImageInfo {
                kind,
                size: b.whole(&format!("{name}-size")),
                width: b.whole(&format!("{name}-width")),
                height: b.whole(&format!("{name}-height")),
                url,
            });
        }
    }
    Element::TIMImageElem(ImageElem {
        uuid: b.text("uuid").unwrap_or_else(|| url_uuid(&url)),
        format: b.whole("format").map(|f| f as u32),
        info,
    })
}

/// `[video ...]`: the video and its thumbnail, both downloaded by URL.
fn video(b: &mut Bound) -> Element {
    let url = b.text("url").unwrap_or_default();
    let thumb_url = b.text("thumb").unwrap_or_default();
    Element::TIMVideoFileElem(VideoElem {
        uuid: b.text("uuid").unwrap_or_else(|| url_uuid(&url)),
        url,
        size: b.whole("size"),
        seconds: b.whole("seconds"),
        format: b.text("format"),
        download_flag: 2,
        thumb_uuid: b.text("thumb-uuid").unwrap_or_else(|| url_uuid(&thumb_url)),
        thumb_url,
        thumb_size: b.whole("thumb-size"),
        thumb_width: b.whole("thumb-width").unwrap_or_default(),
        thumb_height: b.whole("thumb-height").unwrap_or_default(),
        thumb_format: b.text("thumb-format"),
        thumb_download_flag: 2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_plain() {
        assert_eq!(decimal("39.9"), Some(39.9));
        assert_eq!(decimal("-116"), Some(-116.0));
        assert_eq!(decimal("1e5"), None);
        assert_eq!(decimal("inf"), None);
        assert_eq!(decimal("1."), None);
        assert_eq!(decimal(".5"), None);
    }

    #[test]
    fn uuid_is_stable_and_hex() {
        assert_eq!(url_uuid("https://a/b.png"), url_uuid("https://a/b.png"));
        assert_ne!(url_uuid("https://a/b.png"), url_uuid("https://a/c.png"));
        assert_eq!(url_uuid("x").len(), 32);
    }
}
