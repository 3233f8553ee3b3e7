//! The typed syntax tree of a timl file, with a byte span on every node.
//!
//! `parse` builds it from the pest pairs; `lower` turns it into a [`Message`]. It
//! keeps what was written (strings decoded, nothing typed yet), so lowering can
//! point at the exact argument or header value it refuses.
//!
//! [`Message`]: crate::message::Message

use crate::diag::Span;

/// A string with the span it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Pairs `value` with `span`.
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }
}

/// A whole file: an optional header and the body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The `key: value` lines between the `---` lines, in order.
    pub header: Vec<HeaderEntry>,
    /// The body's pieces, in order.
    pub body: Vec<Inline>,
    /// The span of the trimmed body; for an empty body, the closing `---` (or the
    /// file's start).
    pub body_span: Span,
    /// The header has no closing `---`, so there is no body.
    pub header_unclosed: bool,
}

/// One `key: value` header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderEntry {
    /// The key as written.
    pub key: Spanned<String>,
    /// The value, quotes removed and escapes decoded.
    pub value: Spanned<String>,
    /// A syntax error was reported in the value, so lowering skips it.
    pub broken: bool,
}

/// A piece of the body.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    /// Literal text (escapes already applied).
    Text(Spanned<String>),
    /// The text of a template value printed in the body: data, never markup (the
    /// parse of a rendering reads a value as text; its row's values are put back
    /// as these).
    Value(Spanned<String>),
    /// `@id` or `@all` written inline.
    Mention(Spanned<String>),
    /// `[name args...]`.
    Element(Element),
}

/// The element names the markup knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ElementKind {
    /// `[at id "name"]`
    At,
    /// `[face index "data"]`
    Face,
    /// `[emoji name]`: a small emoji's key in the text.
    Emoji,
    /// `[sticker name]`: a big sticker's face element.
    Sticker,
    /// `[location lat lon "desc"]`
    Location,
    /// `[custom data=... desc=... ext=... sound=...]`
    Custom,
    /// `[image url=... width=... height=...]`
    Image,
    /// `[sound url=...]`
    Sound,
    /// `[file url=...]`
    File,
    /// `[video url=... thumb=...]`
    Video,
}

impl ElementKind {
    /// Every element, for "did you mean".
    pub const ALL: [ElementKind; 10] = [
        ElementKind::At,
        ElementKind::Face,
        ElementKind::Emoji,
        ElementKind::Sticker,
        ElementKind::Location,
        ElementKind::Custom,
        ElementKind::Image,
        ElementKind::Sound,
        ElementKind::File,
        ElementKind::Video,
    ];

    /// The name as written in markup.
    pub fn name(self) -> &'static str {
        match self {
            ElementKind::At => "at",
            ElementKind::Face => "face",
            ElementKind::Emoji => "emoji",
            ElementKind::Sticker => "sticker",
            ElementKind::Location => "location",
            ElementKind::Custom => "custom",
            ElementKind::Image => "image",
            ElementKind::Sound => "sound",
            ElementKind::File => "file",
            ElementKind::Video => "video",
        }
    }

    /// The element called `name`.
    pub fn from_name(name: &str) -> Option<ElementKind> {
        ElementKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

/// The name of every element, as written in markup.
pub fn element_names() -> Vec<&'static str> {
    ElementKind::ALL
        .into_iter()
        .map(ElementKind::name)
        .collect()
}

/// One `[name args...]` element.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// Which element.
    pub kind: Spanned<ElementKind>,
    /// The arguments in order.
    pub args: Vec<Arg>,
    /// From `[` to `]` (or to the end of the line when unclosed).
    pub span: Span,
    /// A syntax error was reported inside it, so lowering skips it.
    pub broken: bool,
}

/// One element argument: positional (`6`) or named (`index=6`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The name before `=`, if any.
    pub key: Option<Spanned<String>>,
    /// The value; `None` for `key=` with nothing after it.
    pub value: Option<Spanned<ArgValue>>,
    /// The whole argument.
    pub span: Span,
}

/// An argument value as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgValue {
    /// A bare word: a number or a string, decided by the argument's type.
    Bare(String),
    /// A double-quoted string, decoded: always a string.
    Quoted(String),
    /// A bare word holding a template value: a number or a string like `Bare`, but
    /// never a keyword (`[at {{ id }}]` with `id = "all"` mentions an account `all`).
    Data(String),
}

impl ArgValue {
    /// The text of the value.
    pub fn text(&self) -> &str {
        match self {
            ArgValue::Bare(text) | ArgValue::Quoted(text) | ArgValue::Data(text) => text,
        }
    }
}
