//! Lower: a [`Document`] in, a [`Message`] out, with the group type the header names
//! and a [`SourceMap`] from each JSON path back to the markup that produced it.
//!
//! Header values are typed through the table in `header`; elements through the
//! signatures in `elements`. Text and mentions between elements merge into one
//! `TIMTextElem`, and every mention adds its `GroupAtInfo` entry in body order.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::diag::rules;
use crate::diag::Diagnostic;
use crate::diag::Span;
use crate::markup::ast::{Document, Inline, Spanned};
use crate::markup::elements::{self, Built};
use crate::markup::header::{self, HeaderTarget};
use crate::markup::placeholder::restore_commas;
use crate::markup::srcmap::SourceMap;
use crate::message::faces::scan::{PieceKind, TextPiece};
use crate::message::faces::Catalog;
use crate::message::group::GroupType;
use crate::message::{Element, GroupAt, Message, TextElem};

/// A lowered file.
#[derive(Debug, Clone, Default)]
pub struct Lowered {
    /// The request body (without `Random` unless the header set it).
    pub message: Message,
    /// The group type named by `type:`.
    pub group_type: Option<GroupType>,
    /// JSON path to source span.
    pub spans: SourceMap,
    /// Elements with errors were left out of the body.
    pub partial_body: bool,
    /// JSON paths of header fields left unset because their values had syntax
    /// errors: the checks' complaints about them would only repeat those errors.
    pub unset_by_errors: Vec<&'static str>,
    /// Where each mention's text sits in its text element (for the preview).
    pub marks: Vec<MentionMark>,
    /// Where each piece of every text element came from (for the face checks).
    pub texts: Vec<TextPiece>,
}

/// Where a mention's text (`@Tommy`) sits in the message: the `MsgBody` index of its
/// text element, the byte range in that text, and its `GroupAtInfo` index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionMark {
    /// The `MsgBody` index of the text element.
    pub element: usize,
    /// The byte range of `@...` in that element's text.
    pub range: std::ops::Range<usize>,
    /// The `GroupAtInfo` index of the mention.
    pub at: usize,
}

/// Lowers a parsed file, reporting header and element-argument problems; face names
/// are looked up in `faces`.
pub fn lower(document: &Document, faces: &Catalog) -> (Lowered, Vec<Diagnostic>) {
    let mut lowered = Lowered::default();
    let mut diagnostics = Vec::new();
    lower_header(document, &mut lowered, &mut diagnostics);
    lower_body(document, faces, &mut lowered, &mut diagnostics);
    (lowered, diagnostics)
}

fn lower_header(document: &Document, lowered: &mut Lowered, diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for entry in &document.header {
        let name = entry.key.value.as_str();
        let Some(key) = header::find(name) else {
            let help = match header::suggest(name) {
                Some(near) => format!("did you mean `{near}`?"),
                None => {
                    "the header keys are in docs/markup.md (`timl explain KEY` for one)".to_owned()
                }
            };
            diagnostics.push(
                Diagnostic::new(&rules::HEADER_KEY, format!("unknown header key `{name}`"))
                    .at(entry.key.span)
                    .help(help),
            );
            continue;
        };
        let path = if key.path.is_empty() {
            "type"
        } else {
            key.path
        };
        if entry.broken {
            lowered.unset_by_errors.push(path);
            continue;
        }
        if seen.insert(key.name, entry.key.span).is_some() {
            diagnostics.push(
                Diagnostic::new(&rules::DUPLICATE_KEY, format!("`{name}` is set twice"))
                    .at(entry.key.span)
                    .help("remove one of the two lines"),
            );
            continue;
        }
        let mut target = HeaderTarget {
            message: &mut lowered.message,
            group_type: &mut lowered.group_type,
            spans: &mut lowered.spans,
        };
        // A value's commas are commas again, but where a list still splits them.
        let restored = match restore_commas(&entry.value.value) {
            Cow::Owned(text) if !header::is_list(name) => {
                Some(Spanned::new(text, entry.value.span))
            }
            _ => None,
        };
        match (key.apply)(&mut target, restored.as_ref().unwrap_or(&entry.value)) {
            Ok(()) => {
                lowered.spans.insert(path, entry.value.span);
            }
            Err(error) => diagnostics.push(
                Diagnostic::new(&rules::HEADER_VALUE, format!("`{name}`: {}", error.message))
                    .at(error.span.unwrap_or(entry.value.span)),
            ),
        }
    }
    // A false flag is left out, and so is a vendor object it leaves empty.
    if let Some(push) = &mut lowered.message.push {
        if push
            .android
            .as_ref()
            .is_some_and(|a| *a == Default::default())
        {
            push.android = None;
        }
        if push.apns.as_ref().is_some_and(|a| *a == Default::default()) {
            push.apns = None;
        }
    }
    // `OfflinePushInfo` as a whole points at its first key.
    if let Some(entry) = document
        .header
        .iter()
        .find(|e| e.key.value.starts_with("push"))
    {
        lowered
            .spans
            .insert("OfflinePushInfo", entry.key.span.join(entry.value.span));
    }
}

/// The text element being built: its text, where it started, and what wrote each
/// piece of it.
struct PendingText {
    text: String,
    span: Option<Span>,
    pieces: Vec<(std::ops::Range<usize>, Span, PieceKind)>,
}

impl PendingText {
    fn push(&mut self, text: &str, span: Span, kind: PieceKind) {
        let start = self.text.len();
        self.text.push_str(text);
        self.span = Some(self.span.map_or(span, |s| s.join(span)));
        self.pieces.push((start..self.text.len(), span, kind));
    }

    fn flush(&mut self, lowered: &mut Lowered) {
        if let Some(span) = self.span.take() {
            let index = lowered.message.body.len();
            lowered
                .texts
                .extend(self.pieces.drain(..).map(|(range, span, kind)| TextPiece {
                    element: index,
                    range,
                    span,
                    kind,
                }));
            lowered.spans.insert_item("MsgBody", index, span);
            lowered.message.body.push(Element::TIMTextElem(TextElem {
                text: std::mem::take(&mut self.text),
            }));
        }
    }
}

fn lower_body(
    document: &Document,
    faces: &Catalog,
    lowered: &mut Lowered,
    diagnostics: &mut Vec<Diagnostic>,
) {
    lowered.spans.insert("MsgBody", document.body_span);
    lowered.partial_body |= document.header_unclosed;
    let mut pending = PendingText {
        text: String::new(),
        span: None,
        pieces: Vec::new(),
    };
    let mention = |lowered: &mut Lowered, account: Option<String>, span: Span, range| {
        let index = lowered.message.group_at.len();
        // The text element being built goes in after every element before it.
        let element = lowered.message.body.len();
        lowered.marks.push(MentionMark {
            element,
            range,
            at: index,
        });
        lowered.spans.insert_item("GroupAtInfo", index, span);
        lowered.message.group_at.push(match account {
            None => GroupAt::everyone(),
            Some(id) => GroupAt::member(id),
        });
    };
    for inline in &document.body {
        match inline {
            Inline::Text(text) => pending.push(&text.value, text.span, PieceKind::Written),
            Inline::Value(text) => pending.push(&text.value, text.span, PieceKind::Value),
            Inline::Mention(id) => {
                let start = pending.text.len();
                pending.push(&format!("@{}", id.value), id.span, PieceKind::Mention);
                let account = (id.value != "all").then(|| id.value.clone());
                mention(lowered, account, id.span, start..pending.text.len());
            }
            Inline::Element(element) if element.broken => lowered.partial_body = true,
            Inline::Element(element) => match elements::build(element, faces) {
                Ok(Built::Mention { text, account }) => {
                    if let Some(c) = text.chars().find(|&c| crate::diag::render::unseen(c)) {
                        diagnostics.push(display_name_warning(c, element.span));
                    }
                    let start = pending.text.len();
                    pending.push(&text, element.span, PieceKind::Mention);
                    mention(lowered, account, element.span, start..pending.text.len());
                }
                Ok(Built::EmojiKey(key)) => pending.push(&key, element.span, PieceKind::Emoji),
                Ok(Built::Element(built)) => {
                    pending.flush(lowered);
                    let index = lowered.message.body.len();
                    lowered.spans.insert_item("MsgBody", index, element.span);
                    lowered.message.body.push(built);
                }
                Err(problems) => {
                    lowered.partial_body = true;
                    diagnostics.extend(problems);
                }
            },
        }
    }
    pending.flush(lowered);
}

/// A display name with a bidirectional control: it can make the text after it read
/// backwards, or the name another's.
fn display_name_warning(c: char, span: Span) -> Diagnostic {
    let what = if crate::diag::render::bidi(c) {
        "the bidirectional control"
    } else if c.is_control() {
        "the control character"
    } else {
        "the invisible character"
    };
    let effect = if crate::diag::render::bidi(c) {
        "which reorders the text around it"
    } else {
        "which apps show as a box, or as nothing"
    };
    Diagnostic::new(
        &rules::DISPLAY_NAME,
        format!(
            "the display name holds {what} U+{:04X}, {effect}",
            u32::from(c)
        ),
    )
    .at(span)
    .help("retype the name without it (copied text can carry invisible characters)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markup::parse::parse;

    fn lowered(text: &str) -> (Lowered, Vec<Diagnostic>) {
        let (document, mut diagnostics) = parse(text);
        let (lowered, more) = lower(&document, &Catalog::builtin());
        diagnostics.extend(more);
        (lowered, diagnostics)
    }

    #[test]
    fn text_and_mentions_merge_elements_split() {
        let (l, d) = lowered("hi @all and [at bob \"Bob\"][face 6] bye");
        assert!(d.is_empty(), "{d:?}");
        let json = serde_json::to_value(&l.message).unwrap();
        assert_eq!(json["MsgBody"][0]["MsgContent"]["Text"], "hi @all and @Bob");
        assert_eq!(json["MsgBody"][1]["MsgContent"]["Index"], 6);
        assert_eq!(json["MsgBody"][2]["MsgContent"]["Text"], " bye");
        assert_eq!(json["GroupAtInfo"][1]["GroupAt_Account"], "bob");
        assert_eq!(l.spans.locate("GroupAtInfo[1]"), Some(Span::new(12, 26)));
    }

    #[test]
    fn unknown_and_duplicate_keys() {
        let (_, d) = lowered("---\ngruop: x\npriority: high\npriority: low\n---\nhi");
        let rules: Vec<_> = d.iter().map(|d| d.rule.name).collect();
        assert_eq!(rules, ["header-key", "duplicate-key"]);
        assert_eq!(d[0].help.as_deref(), Some("did you mean `group`?"));
    }

    #[test]
    fn element_arg_errors_point_at_the_argument() {
        let (_, d) = lowered("[face \"6\" bogus=1]");
        let spans: Vec<_> = d.iter().map(|d| d.span.unwrap().start).collect();
        assert_eq!(spans, [6, 10]);
    }
}
