//! One message as the page draws it: plain data (strings, numbers, flags) that the
//! page template prints, every string escaped by the template engine. Nothing here
//! writes HTML.

use serde::Serialize;

use crate::compile::Compiled;
use crate::diag::Severity;
use crate::markup::lower::MentionMark;
use crate::message::faces::Catalog;
use crate::message::group::GroupType;
use crate::message::{Element, ForbidCallback, Message, OfflinePush, Priority, SendControl};

/// A message drawn on the page.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Where it came from: `notice.timl`, or `row 3 of orders.csv`.
    pub origin: String,
    /// The sender's account, or the app admin.
    pub sender: String,
    /// `GroupId`, `TopicId`, the group type.
    pub group: String,
    pub topic: Option<String>,
    pub group_type: Option<String>,
    /// `high`, `normal`, `low` (none when not set).
    pub priority: Option<String>,
    /// Who sees it and how, in plain words.
    pub flags: Vec<String>,
    /// The bubble, in body order (empty when the message did not compile).
    pub parts: Vec<Part>,
    /// The offline push banners (none when no push is sent).
    pub push: Option<Push>,
    /// Problems found, errors first.
    pub diagnostics: Vec<Problem>,
    /// Whether it has errors (it would not be sent) and warnings.
    pub errors: bool,
    pub warnings: bool,
    /// The exact request body, pretty.
    pub json: Option<String>,
}

/// A piece of the bubble; `kind` says which fields matter.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Part {
    /// `text`, `mention`, `all`, `emoji`, `sticker`, `broken-face`, `image`,
    /// `location`, `file`, `sound`, `video`, `custom`.
    pub kind: &'static str,
    /// The text shown (text, a mention's `@Name`, a card's title).
    pub text: String,
    /// More about it: the account a mention reaches, an emoji's key, why a face is
    /// broken, a card's details.
    pub detail: String,
    /// A picture's address (http or https only; empty for a placeholder).
    pub src: String,
    /// Its size as the message states it.
    pub width: u64,
    pub height: u64,
    /// A link that belongs to it (a location's map).
    pub link: String,
}

/// The notification a phone would show offline.
#[derive(Debug, Clone, Serialize)]
pub struct Push {
    /// The Android banner's title and text.
    pub android_title: String,
    pub android_text: String,
    /// The iOS banner's title, subtitle and text.
    pub ios_title: String,
    pub ios_subtitle: Option<String>,
    pub ios_text: String,
    /// Said when `Desc` is empty: the app shows what it derives from the message.
    pub derived: bool,
}

/// A diagnostic as the page lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub severity: &'static str,
    pub rule: &'static str,
    pub message: String,
    pub help: Option<String>,
    pub at: Option<String>,
}

/// The page's view of `compiled`, which came from `origin`; `faces` is the catalog
/// the apps draw faces from.
pub fn item(origin: String, compiled: &Compiled, remote: bool, faces: &Catalog) -> Item {
    let mut diagnostics: Vec<Problem> = compiled.diagnostics.iter().map(problem).collect();
    diagnostics.sort_by_key(|d| match d.severity {
        "error" => 0,
        "warning" => 1,
        _ => 2,
    });
    let errors = compiled
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    let warnings = compiled
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Warning);
    let Some(message) = &compiled.message else {
        return Item {
            origin,
            sender: String::new(),
            group: String::new(),
            topic: None,
            group_type: None,
            priority: None,
            flags: Vec::new(),
            parts: Vec::new(),
            push: None,
            diagnostics,
            errors,
            warnings,
            json: None,
        };
    };
    let group = message.group_id.clone().unwrap_or_default();
    let group_type = compiled
        .group_type
        .or_else(|| GroupType::implied_by(&group))
        .map(|t| t.to_string());
    Item {
        origin,
        sender: message
            .from_account
            .clone()
            .unwrap_or_else(|| "the app admin".to_owned()),
        topic: message.topic_id.clone(),
        group,
        group_type,
        priority: message.priority.map(|p| match p {
            Priority::High => "high".to_owned(),
            Priority::Normal => "normal".to_owned(),
            Priority::Low => "low".to_owned(),
        }),
        flags: flags(message),
        parts: parts(compiled, message, remote, faces),
        push: message
            .push
            .as_ref()
            .and_then(|push| banners(push, message)),
        diagnostics,
        errors,
        warnings,
        json: serde_json::to_string_pretty(message).ok(),
    }
}

fn problem(diagnostic: &crate::diag::Diagnostic) -> Problem {
    Problem {
        severity: diagnostic.severity.as_str(),
        rule: diagnostic.rule.name,
        // A message may quote a value: its control characters are shown, not kept.
        message: crate::diag::render::printable(&diagnostic.message),
        help: diagnostic
            .help
            .as_deref()
            .map(crate::diag::render::printable),
        at: diagnostic
            .location
            .as_ref()
            .map(|l| format!("{}:{}:{}", l.file, l.line, l.column)),
    }
}

/// Who sees the message and how, in plain words.
fn flags(message: &Message) -> Vec<String> {
    let mut out = Vec::new();
    if message.online_only == Some(1) {
        out.push("only members online now receive it".to_owned());
    }
    for control in &message.send_control {
        out.push(
            match control {
                SendControl::NoUnread => "not counted as unread",
                SendControl::NoLastMsg => "does not become the chat's last message",
            }
            .to_owned(),
        );
    }
    if !message.to_account.is_empty() {
        let n = message.to_account.len();
        let who = message.to_account.join(", ");
        out.push(format!("only these {n} member(s) see it: {who}"));
    }
    if message.need_read_receipt == Some(1) {
        out.push("read receipts requested".to_owned());
    }
    if message.support_extension == Some(1) {
        out.push("message extensions on".to_owned());
    }
    for callback in &message.forbid_callback {
        out.push(
            match callback {
                ForbidCallback::ForbidBeforeSendMsgCallback => {
                    "the before-send callback is skipped"
                }
                ForbidCallback::ForbidAfterSendMsgCallback => "the after-send callback is skipped",
            }
            .to_owned(),
        );
    }
    if message.push.as_ref().is_some_and(|push| push.flag == 1) {
        out.push("no offline push".to_owned());
    }
    out
}

/// The bubble's parts, in body order.
fn parts(compiled: &Compiled, message: &Message, remote: bool, faces: &Catalog) -> Vec<Part> {
    let mut out = Vec::new();
    let draw = Draw { remote, faces };
    for (index, element) in message.body.iter().enumerate() {
        match element {
            Element::TIMTextElem(text) => {
                let mine: Vec<&MentionMark> = compiled
                    .marks
                    .iter()
                    .filter(|m| m.element == index)
                    .collect();
                text_parts(&text.text, &mine, message, &draw, &mut out);
            }
            other => {
                let mut part = super::parts::element(other, remote, faces);
                if part.kind == "broken-face" {
                    // The tile carries the warning that says why.
                    let path = format!("MsgBody[{index}]");
                    if let Some(warning) = compiled.diagnostics.iter().find(|d| {
                        d.path.as_deref() == Some(path.as_str()) && d.rule.name.starts_with("face-")
                    }) {
                        part.detail = format!("{}: {}", warning.rule.name, warning.message);
                    }
                }
                out.push(part);
            }
        }
    }
    // A card stands on its own lines: blank text beside one would draw empty lines.
    let card = |part: Option<&Part>| {
        part.is_some_and(|p| {
            !matches!(
                p.kind,
                "text" | "mention" | "all" | "emoji" | "sticker" | "broken-face"
            )
        })
    };
    let blank = |part: &Part| part.kind == "text" && part.text.trim().is_empty();
    (0..out.len())
        .filter(|&i| {
            !(blank(&out[i])
                && (card(i.checked_sub(1).and_then(|j| out.get(j))) || card(out.get(i + 1))))
        })
        .map(|i| out[i].clone())
        .collect()
}

/// How faces are drawn: whether pictures load, and from which catalog.
struct Draw<'c> {
    remote: bool,
    faces: &'c Catalog,
}

/// A text element cut at its mentions: plain text (its emoji keys drawn as the
/// emoji), mentions, @all badges.
fn text_parts(
    text: &str,
    marks: &[&MentionMark],
    message: &Message,
    draw: &Draw<'_>,
    out: &mut Vec<Part>,
) {
    let plain = |text: &str, out: &mut Vec<Part>| {
        super::parts::text_with_emoji(text, draw.remote, draw.faces, out)
    };
    let mut rest = 0;
    for mark in marks {
        let Some(shown) = text
            .get(mark.range.clone())
            .filter(|_| mark.range.start >= rest)
        else {
            continue;
        };
        if mark.range.start > rest {
            plain(&text[rest..mark.range.start], out);
        }
        let at = message.group_at.get(mark.at);
        let everyone = at.is_some_and(|at| at.all == 1);
        out.push(Part {
            kind: if everyone { "all" } else { "mention" },
            text: shown.to_owned(),
            detail: match at.and_then(|at| at.account.clone()) {
                Some(account) => format!("reaches {account}"),
                None => "mentions everyone in the group".to_owned(),
            },
            ..Part::default()
        });
        rest = mark.range.end;
    }
    if rest < text.len() {
        plain(&text[rest..], out);
    }
}

/// The offline push as an Android and an iOS banner; none when no push is sent.
fn banners(push: &OfflinePush, message: &Message) -> Option<Push> {
    if push.flag == 1 {
        return None;
    }
    let desc = push.desc.clone().filter(|d| !d.is_empty());
    let derived = desc.is_none();
    let text = desc.unwrap_or_else(|| super::parts::summary(message));
    let title = push
        .title
        .clone()
        .unwrap_or_else(|| "(the app's name)".to_owned());
    let apns = push.apns.as_ref();
    Some(Push {
        android_title: title.clone(),
        android_text: text.clone(),
        ios_title: apns.and_then(|a| a.title.clone()).unwrap_or(title),
        ios_subtitle: apns.and_then(|a| a.subtitle.clone()),
        ios_text: text,
        derived,
    })
}
