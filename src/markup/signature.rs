//! Each element's parameters, as data: their names, what their values must be,
//! which are required, which positional arguments fill, and which go together.

use crate::markup::ast::ElementKind;

/// What an argument's value must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Any text (a bare word or a quoted string).
    Text,
    /// A whole number from 0 to `max`.
    Whole { max: u64 },
    /// A decimal number from `-limit` to `limit`.
    Degrees { limit: u32 },
    /// `jpg`, `gif`, `png`, `bmp`, `other` (or the API's number).
    ImageFormat,
}

impl Kind {
    pub(super) fn describe(self) -> String {
        match self {
            Kind::Text => "text".to_owned(),
            Kind::Whole { max } => format!("a whole number from 0 to {max}"),
            Kind::Degrees { limit } => format!("a number of degrees from -{limit} to {limit}"),
            Kind::ImageFormat => "one of `jpg`, `gif`, `png`, `bmp`, `other`".to_owned(),
        }
    }
}

const U32: Kind = Kind::Whole {
    max: u32::MAX as u64,
};
const COUNT: Kind = Kind::Whole {
    max: i64::MAX as u64,
};

/// One parameter of an element.
pub(super) struct Param {
    pub(super) name: &'static str,
    pub(super) kind: Kind,
    pub(super) required: bool,
}

const fn required(name: &'static str, kind: Kind) -> Param {
    Param {
        name,
        kind,
        required: true,
    }
}

const fn optional(name: &'static str, kind: Kind) -> Param {
    Param {
        name,
        kind,
        required: false,
    }
}

/// An element's parameters and which of them positional arguments fill, in order.
pub(super) struct Signature {
    pub(super) positional: &'static [&'static str],
    pub(super) params: &'static [Param],
    /// Arguments that need others: given the first, each of the second must be given
    /// too (a thumbnail's URL needs its size, a size needs its URL).
    pub(super) requires: &'static [(&'static str, &'static [&'static str])],
}

static AT: Signature = Signature {
    positional: &["id", "name"],
    params: &[required("id", Kind::Text), optional("name", Kind::Text)],
    requires: &[],
};

static FACE: Signature = Signature {
    positional: &["index", "data"],
    params: &[required("index", U32), optional("data", Kind::Text)],
    requires: &[],
};

/// `[emoji NAME]` and `[sticker NAME]`: a name from the face catalog.
static NAMED_FACE: Signature = Signature {
    positional: &["name"],
    params: &[required("name", Kind::Text)],
    requires: &[],
};

static LOCATION: Signature = Signature {
    positional: &["lat", "lon", "desc"],
    params: &[
        required("lat", Kind::Degrees { limit: 90 }),
        required("lon", Kind::Degrees { limit: 180 }),
        required("desc", Kind::Text),
    ],
    requires: &[],
};

static CUSTOM: Signature = Signature {
    positional: &["data"],
    params: &[
        required("data", Kind::Text),
        optional("desc", Kind::Text),
        optional("ext", Kind::Text),
        optional("sound", Kind::Text),
    ],
    requires: &[],
};

/// Every `ImageInfoArray` item carries its width and height, as the API page's
/// example and both server SDKs do; clients lay the message out before downloading.
const IMAGE_REQUIRES: &[(&str, &[&str])] = &[
    ("large", &["large-width", "large-height"]),
    ("large-width", &["large"]),
    ("large-height", &["large"]),
    ("large-size", &["large"]),
    ("thumb", &["thumb-width", "thumb-height"]),
    ("thumb-width", &["thumb"]),
    ("thumb-height", &["thumb"]),
    ("thumb-size", &["thumb"]),
];

static IMAGE: Signature = Signature {
    positional: &["url"],
    params: &[
        required("url", Kind::Text),
        required("width", COUNT),
        required("height", COUNT),
        optional("size", COUNT),
        optional("format", Kind::ImageFormat),
        optional("uuid", Kind::Text),
        optional("large", Kind::Text),
        optional("large-width", COUNT),
        optional("large-height", COUNT),
        optional("large-size", COUNT),
        optional("thumb", Kind::Text),
        optional("thumb-width", COUNT),
        optional("thumb-height", COUNT),
        optional("thumb-size", COUNT),
    ],
    requires: IMAGE_REQUIRES,
};

static SOUND: Signature = Signature {
    positional: &["url"],
    params: &[
        required("url", Kind::Text),
        optional("seconds", COUNT),
        optional("size", COUNT),
        optional("uuid", Kind::Text),
    ],
    requires: &[],
};

static FILE: Signature = Signature {
    positional: &["url"],
    params: &[
        required("url", Kind::Text),
        optional("name", Kind::Text),
        optional("size", COUNT),
        optional("uuid", Kind::Text),
    ],
    requires: &[],
};

static VIDEO: Signature = Signature {
    positional: &["url"],
    params: &[
        required("url", Kind::Text),
        optional("seconds", COUNT),
        optional("size", COUNT),
        optional("format", Kind::Text),
        required("thumb", Kind::Text),
        required("thumb-width", COUNT),
        required("thumb-height", COUNT),
        optional("uuid", Kind::Text),
        optional("thumb-uuid", Kind::Text),
        optional("thumb-size", COUNT),
        optional("thumb-format", Kind::Text),
    ],
    requires: &[],
};

pub(super) fn signature(kind: ElementKind) -> &'static Signature {
    match kind {
        ElementKind::At => &AT,
        ElementKind::Face => &FACE,
        ElementKind::Emoji | ElementKind::Sticker => &NAMED_FACE,
        ElementKind::Location => &LOCATION,
        ElementKind::Custom => &CUSTOM,
        ElementKind::Image => &IMAGE,
        ElementKind::Sound => &SOUND,
        ElementKind::File => &FILE,
        ElementKind::Video => &VIDEO,
    }
}

pub(super) fn list_params(signature: &Signature) -> String {
    let names: Vec<String> = signature
        .params
        .iter()
        .map(|p| format!("`{}`", p.name))
        .collect();
    names.join(", ")
}

/// What each element makes, in one sentence.
fn makes(kind: ElementKind) -> &'static str {
    match kind {
        ElementKind::At => "a mention: `@name` in the text and a `GroupAtInfo` entry (`[at all]` mentions everyone)",
        ElementKind::Face => "a `TIMFaceElem` as written, `Index` and `Data`: for faces an app's own catalog defines (TUIKit's apps draw only their stickers)",
        ElementKind::Emoji => "a small emoji: its key typed into the text (`[emoji smile]` is `[TUIEmoji_Smile]`), by English, Chinese or key name",
        ElementKind::Sticker => "a big sticker: a `TIMFaceElem` with the sticker's group as `Index` and its name as `Data` (`[sticker yz00]`)",
        ElementKind::Location => "a `TIMLocationElem`: a place on the map with its description",
        ElementKind::Custom => "a `TIMCustomElem`: app-defined data, with the text a push shows (`desc`)",
        ElementKind::Image => "a `TIMImageElem`: the picture, and its large and thumbnail versions when given, each with its size",
        ElementKind::Sound => "a `TIMSoundElem`: a voice clip the apps download",
        ElementKind::File => "a `TIMFileElem`: a file the apps download, shown by its name and size",
        ElementKind::Video => "a `TIMVideoFileElem`: a video and its thumbnail",
    }
}

/// `timl explain NAME` for an element: what it makes, its parameters and what each
/// takes, from the signature table.
pub(crate) fn describe_element(name: &str) -> Option<String> {
    let kind = ElementKind::from_name(name)?;
    let signature = signature(kind);
    let mut out = format!("[{name} ...] (an element)\n\nMakes {}.\n\n", makes(kind));
    if !signature.positional.is_empty() {
        let positional: Vec<String> = signature
            .positional
            .iter()
            .map(|p| format!("`{p}`"))
            .collect();
        out.push_str(&format!(
            "Positional arguments fill, in order: {}.\n\n",
            positional.join(", ")
        ));
    }
    let width = signature
        .params
        .iter()
        .map(|p| p.name.len())
        .max()
        .unwrap_or(0);
    for param in signature.params {
        let required = if param.required { ", required" } else { "" };
        out.push_str(&format!(
            "  {:<width$}  {}{required}\n",
            param.name,
            param.kind.describe()
        ));
    }
    for (given, needs) in signature.requires {
        let needs: Vec<String> = needs.iter().map(|n| format!("`{n}=`")).collect();
        out.push_str(&format!("\n`{given}=` needs {}.", needs.join(" and ")));
    }
    if !signature.requires.is_empty() {
        out.push('\n');
    }
    Some(out)
}
