//! Check: a [`Message`] and the target group's type in, rule diagnostics out.
//!
//! The checks look only at the typed request body, so a compiled `.json` file gets
//! exactly the checks a template gets. Each diagnostic names a JSON path; the entry
//! points turn it into a source position.

pub mod faces;
pub mod facts;
mod group_type;
pub(crate) mod values;

use crate::diag::{rules, Diagnostic};
use crate::message::group::GroupType;
use crate::message::{Element, Message, OfflinePush};
use group_type::check_group_type;

/// The default `MsgBody` limit, in bytes (the API page's 8000; error 80002).
pub const DEFAULT_MAX_BYTES: usize = 8000;
/// The largest `--max-bytes` timl takes: 1 MiB, over a hundred times the API's limit.
/// The read caps derive from it (32 times it, see `compile::markup_cap`), so it also
/// bounds how much of an input timl ever reads.
pub const MAX_MAX_BYTES: usize = 1 << 20;
const MAX_GROUP_ID: usize = 48;
const MAX_TOPIC_ID: usize = 96;
const MAX_ACCOUNT_ID: usize = 32;
const MAX_TO_ACCOUNTS: usize = 50;
const MAX_PUSH_BYTES: usize = 3 * 1024;

/// What the checks need besides the message.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// The group's type, when known from `type:` or `--group-type`.
    pub group_type: Option<GroupType>,
    /// The `MsgBody` size limit.
    pub max_bytes: usize,
    /// Some elements were left out of the body because they had errors: skip the
    /// rules that would only repeat that (`empty`, `silent-custom`).
    pub partial_body: bool,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            group_type: None,
            max_bytes: DEFAULT_MAX_BYTES,
            partial_body: false,
        }
    }
}

/// Runs every rule on `message`.
#[cfg(test)]
pub fn check(message: &Message, options: &CheckOptions) -> Vec<Diagnostic> {
    check_sized(message, options, message.body_bytes())
}

/// [`check`] with the size of `MsgBody` already measured.
pub fn check_sized(
    message: &Message,
    options: &CheckOptions,
    body_bytes: usize,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let group_id = message.group_id.as_deref();
    let group_type = options
        .group_type
        .or_else(|| group_id.and_then(GroupType::implied_by));

    check_group_id(group_id, &mut out);
    check_accounts(message, &mut out);
    check_body(message, options, body_bytes, &mut out);
    check_push(message, &mut out);
    check_files(message, &mut out);
    values::check_values(message, &mut out);

    if let Some(topic) = &message.topic_id {
        let prefix = format!("{}@TOPIC#_", group_id.unwrap_or(""));
        if !topic.starts_with(&prefix) || topic.len() == prefix.len() {
            out.push(
                Diagnostic::new(
                    &rules::TOPIC,
                    format!("topic `{topic}` is not `<group>@TOPIC#_<name>`"),
                )
                .at_path("TopicId")
                .help(format!(
                    "a topic ID is the community's group ID, `@TOPIC#_` and a name: `{prefix}news`"
                )),
            );
        }
        if topic.len() > MAX_TOPIC_ID {
            out.push(
                Diagnostic::new(
                    &rules::TOPIC,
                    format!(
                        "the topic ID is {} bytes; at most {MAX_TOPIC_ID} are allowed",
                        topic.len()
                    ),
                )
                .at_path("TopicId"),
            );
        }
    }
    if message.online_only.is_some_and(|f| f > 0) && !message.send_control.is_empty() {
        out.push(
            Diagnostic::new(&rules::ONLINE_ONLY_CONTROL, "`control` cannot be used together with `online-only`")
                .at_path("SendMsgControl")
                .help("online-only messages are not stored, so there is no unread count or recent contact to control"),
        );
    }
    if message.to_account.len() > MAX_TO_ACCOUNTS {
        out.push(
            Diagnostic::new(
                &rules::TO_ACCOUNT,
                format!(
                    "`to` lists {} accounts; at most {MAX_TO_ACCOUNTS} are allowed",
                    message.to_account.len()
                ),
            )
            .at_path("To_Account")
            .help("split the audience into several messages"),
        );
    }

    match group_type {
        Some(group_type) => check_group_type(message, group_type, &mut out),
        None => out.push(
            Diagnostic::new(
                &rules::GROUP_TYPE,
                "the group type is unknown, so the rules for group types were not applied",
            )
            .at_path("GroupId")
            .help(format!(
                "name it with `type:` in a template's header or with `--group-type` ({})",
                GroupType::NAMES
            )),
        ),
    }
    out
}

fn check_group_id(group_id: Option<&str>, out: &mut Vec<Diagnostic>) {
    let Some(group_id) = group_id else {
        out.push(
            Diagnostic::new(&rules::GROUP_ID, "no group to send to")
                .at_path("GroupId")
                .help("add `group: <id>` to the header or pass `--group <id>`"),
        );
        return;
    };
    if group_id.is_empty() {
        out.push(Diagnostic::new(&rules::GROUP_ID, "the group ID is empty").at_path("GroupId"));
    } else if let Some(bad) = group_id.chars().find(|c| !(' '..='~').contains(c)) {
        out.push(
            Diagnostic::new(
                &rules::GROUP_ID,
                format!(
                    "the group ID has {}, which is not printable ASCII",
                    describe_char(bad)
                ),
            )
            .at_path("GroupId")
            .help("group IDs are printable ASCII (0x20-0x7E)"),
        );
    } else if group_id.len() > MAX_GROUP_ID {
        out.push(
            Diagnostic::new(
                &rules::GROUP_ID,
                format!(
                    "the group ID is {} bytes; at most {MAX_GROUP_ID} are allowed",
                    group_id.len()
                ),
            )
            .at_path("GroupId"),
        );
    }
}

fn describe_char(c: char) -> String {
    if c.is_control() {
        format!("the control character U+{:04X}", u32::from(c))
    } else {
        format!("`{c}` (U+{:04X})", u32::from(c))
    }
}

fn check_account(id: &str, what: &str, path: String, out: &mut Vec<Diagnostic>) {
    if id.is_empty() {
        out.push(
            Diagnostic::new(&rules::ACCOUNT_ID, format!("{what} is an empty account ID"))
                .at_path(path),
        );
    } else if id.len() > MAX_ACCOUNT_ID {
        out.push(
            Diagnostic::new(
                &rules::ACCOUNT_ID,
                format!(
                    "{what} `{id}` is {} bytes; account IDs are at most {MAX_ACCOUNT_ID}",
                    id.len()
                ),
            )
            .at_path(path)
            .help("check the ID; a display name belongs in `[at id \"Name\"]`"),
        );
    }
}

fn check_accounts(message: &Message, out: &mut Vec<Diagnostic>) {
    if let Some(from) = &message.from_account {
        check_account(from, "the sender", "From_Account".to_owned(), out);
    }
    for (i, id) in message.to_account.iter().enumerate() {
        check_account(id, "a recipient", format!("To_Account[{i}]"), out);
    }
    for (i, at) in message.group_at.iter().enumerate() {
        if let Some(id) = &at.account {
            check_account(
                id,
                "the mention",
                format!("GroupAtInfo[{i}].GroupAt_Account"),
                out,
            );
        }
    }
}

fn check_body(message: &Message, options: &CheckOptions, bytes: usize, out: &mut Vec<Diagnostic>) {
    let max_bytes = options.max_bytes;
    let blank = message.body.iter().all(|element| match element {
        Element::TIMTextElem(text) => text.text.trim().is_empty(),
        _ => false,
    });
    if blank && !options.partial_body {
        out.push(
            Diagnostic::new(&rules::EMPTY, "the message is empty")
                .at_path("MsgBody")
                .help("write some text or an element after the header"),
        );
    }
    let customs = message
        .body
        .iter()
        .enumerate()
        .filter(|(_, element)| matches!(element, Element::TIMCustomElem(_)));
    for (i, _) in customs.skip(1) {
        out.push(
            Diagnostic::new(
                &rules::ONE_CUSTOM,
                "a message may carry only one custom element",
            )
            .at_path(format!("MsgBody[{i}]"))
            .help("merge the custom data into one `[custom ...]`"),
        );
    }
    if bytes > max_bytes {
        out.push(
            Diagnostic::new(&rules::TOO_LONG, format!("the message body is {bytes} bytes; the limit is {max_bytes}"))
                .at_path("MsgBody")
                .help("shorten the text or split it into several messages (the size is the compact JSON of `MsgBody` in UTF-8)"),
        );
    }
    let custom_only = !message.body.is_empty()
        && message
            .body
            .iter()
            .all(|e| matches!(e, Element::TIMCustomElem(_)));
    let has_desc = message.body.iter().any(|e| matches!(e, Element::TIMCustomElem(c) if c.desc.as_deref().is_some_and(|d| !d.is_empty())))
        || message.push.as_ref().and_then(|p| p.desc.as_deref()).is_some_and(|d| !d.is_empty());
    let push_off = message.push.as_ref().is_some_and(|p| p.flag == 1);
    if custom_only && !has_desc && !push_off && !options.partial_body {
        out.push(
            Diagnostic::new(
                &rules::SILENT_CUSTOM,
                "a message with only a custom element and no `desc` gets no offline push",
            )
            .at_path("MsgBody[0]")
            .help("add `desc=\"...\"` to the custom element or `push.desc:` to the header"),
        );
    }
}

fn check_push(message: &Message, out: &mut Vec<Diagnostic>) {
    let Some(push) = &message.push else { return };
    check_deprecated_push(push, out);
    if let Some(ext) = &push.ext {
        if serde_json::from_str::<serde_json::Value>(ext).is_err() {
            out.push(
                Diagnostic::new(
                    &rules::PUSH_EXT_JSON,
                    "`push.ext` is not JSON; some Android vendors drop such pushes",
                )
                .at_path("OfflinePushInfo.Ext")
                .help(r#"write it as JSON, e.g. `push.ext: {"entity": "..."}`"#),
            );
        }
    }
    let desc = push.desc.as_ref().map_or(0, String::len);
    let ext = push.ext.as_ref().map_or(0, String::len);
    if desc + ext > MAX_PUSH_BYTES {
        let (what, path) = match (push.desc.is_some(), push.ext.is_some()) {
            (true, true) => (
                "`push.desc` and `push.ext` are",
                if ext > desc {
                    "OfflinePushInfo.Ext"
                } else {
                    "OfflinePushInfo.Desc"
                },
            ),
            (false, true) => ("`push.ext` is", "OfflinePushInfo.Ext"),
            _ => ("`push.desc` is", "OfflinePushInfo.Desc"),
        };
        out.push(
            Diagnostic::new(
                &rules::PUSH_SIZE,
                format!(
                    "{what} {} bytes; at most {MAX_PUSH_BYTES} are allowed",
                    desc + ext
                ),
            )
            .at_path(path)
            .help("APNs payloads are capped at 4 KB; longer pushes are not delivered to iOS"),
        );
    }
}

/// The push fields Tencent's documentation has moved away from.
fn check_deprecated_push(push: &OfflinePush, out: &mut Vec<Diagnostic>) {
    let Some(android) = &push.android else { return };
    if android.vivo_classification.is_some() {
        out.push(
            Diagnostic::new(
                &rules::PUSH_DEPRECATED,
                "`VIVOClassification` is superseded: vivo changed its message classes on 2023-04-03",
            )
            .at_path("OfflinePushInfo.AndroidInfo.VIVOClassification")
            .help("use `push.android.vivo-category: IM` (or `MARKETING`), which sets `VIVOCategory`"),
        );
    }
    if android.ext_as_huawei_intent.is_some() {
        out.push(
            Diagnostic::new(
                &rules::PUSH_DEPRECATED,
                "`ExtAsHuaweiIntentParam` is no longer in Tencent's `OfflinePushInfo` documentation",
            )
            .at_path("OfflinePushInfo.AndroidInfo.ExtAsHuaweiIntentParam")
            .help("servers may ignore it; read `push.ext` in the app instead"),
        );
    }
}

/// File elements without the name and size that clients show.
fn check_files(message: &Message, out: &mut Vec<Diagnostic>) {
    for (i, element) in message.body.iter().enumerate() {
        let Element::TIMFileElem(file) = element else {
            continue;
        };
        let missing: Vec<&str> = [
            ("`FileName` (`name=`)", file.name.is_none()),
            ("`FileSize` (`size=`)", file.size.is_none()),
        ]
        .into_iter()
        .filter_map(|(what, missing)| missing.then_some(what))
        .collect();
        if !missing.is_empty() {
            out.push(
                Diagnostic::new(
                    &rules::FILE_DETAILS,
                    format!("the file has no {}", missing.join(" and no ")),
                )
                .at_path(format!("MsgBody[{i}]"))
                .help("clients show a file by its name and size; add them to the element"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{CustomElem, GroupAt, TextElem};

    fn message(group: &str, text: &str) -> Message {
        Message {
            group_id: Some(group.to_owned()),
            body: vec![Element::TIMTextElem(TextElem {
                text: text.to_owned(),
            })],
            ..Message::default()
        }
    }

    fn names(diagnostics: &[Diagnostic]) -> Vec<&str> {
        diagnostics.iter().map(|d| d.rule.name).collect()
    }

    /// `OnlineOnlyFlag: 0` (from a `.json` input) is the flag off: neither
    /// `online-only` rule applies; 1 is on, and both do.
    #[test]
    fn online_only_zero_is_off() {
        for flag in [0, 1] {
            let on = flag == 1;
            let mut work = message("@TGS#2C5SZEAEF", "hi");
            work.online_only = Some(flag);
            work.send_control = vec![crate::message::SendControl::NoUnread];
            let options = |group_type| CheckOptions {
                group_type: Some(group_type),
                ..CheckOptions::default()
            };
            let found = check(&work, &options(GroupType::Work));
            let found = names(&found);
            assert_eq!(found.contains(&"online-only-control"), on, "{found:?}");
            let mut live = message("@TGS#2C5SZEAEF", "hi");
            live.online_only = Some(flag);
            let found = check(&live, &options(GroupType::AVChatRoom));
            let found = names(&found);
            assert_eq!(found.contains(&"avchatroom-online-only"), on, "{found:?}");
        }
    }

    /// A custom-only message with no `desc` pushes nothing, unless push is off
    /// anyway (`PushFlag` 1).
    #[test]
    fn a_silent_custom_message_is_a_warning_unless_push_is_off() {
        for (flag, warned) in [(None, true), (Some(0), true), (Some(1), false)] {
            let mut custom = message("@TGS#2C5SZEAEF", "");
            custom.body = vec![Element::TIMCustomElem(CustomElem {
                data: "{}".into(),
                desc: None,
                ext: None,
                sound: None,
            })];
            custom.push = flag.map(|flag| crate::message::OfflinePush {
                flag,
                title: Some("Sale".into()),
                ..crate::message::OfflinePush::default()
            });
            let found = check(&custom, &CheckOptions::default());
            let found = names(&found);
            assert_eq!(
                found.contains(&"silent-custom"),
                warned,
                "{flag:?}: {found:?}"
            );
        }
    }

    /// `push-size` names the field that is over, or the larger of the two.
    #[test]
    fn push_size_points_at_the_larger_field() {
        let big = "x".repeat(MAX_PUSH_BYTES + 1);
        let small = "y".repeat(10);
        for (desc, ext, said, path) in [
            (Some(&big), None, "`push.desc` is", "OfflinePushInfo.Desc"),
            (None, Some(&big), "`push.ext` is", "OfflinePushInfo.Ext"),
            (
                Some(&big),
                Some(&small),
                "`push.desc` and `push.ext` are",
                "OfflinePushInfo.Desc",
            ),
            (
                Some(&small),
                Some(&big),
                "`push.desc` and `push.ext` are",
                "OfflinePushInfo.Ext",
            ),
            (
                Some(&big),
                Some(&big),
                "`push.desc` and `push.ext` are",
                "OfflinePushInfo.Desc",
            ),
        ] {
            let mut pushed = message("@TGS#2C5SZEAEF", "hi");
            pushed.push = Some(crate::message::OfflinePush {
                desc: desc.cloned(),
                ext: ext.cloned(),
                ..crate::message::OfflinePush::default()
            });
            let found = check(&pushed, &CheckOptions::default());
            let size = found.iter().find(|d| d.rule.name == "push-size");
            let size = size.unwrap_or_else(|| panic!("no push-size for `{said}` at {path}"));
            assert!(size.message.starts_with(said), "{}", size.message);
            assert_eq!(size.path.as_deref(), Some(path), "{}", size.message);
        }
        // At the limit exactly: no warning.
        let mut pushed = message("@TGS#2C5SZEAEF", "hi");
        pushed.push = Some(crate::message::OfflinePush {
            desc: Some("d".repeat(MAX_PUSH_BYTES)),
            ..crate::message::OfflinePush::default()
        });
        let found = check(&pushed, &CheckOptions::default());
        assert!(!names(&found).contains(&"push-size"), "{found:?}");
    }

    #[test]
    fn clean_message_has_only_the_type_note() {
        assert_eq!(
            names(&check(&message("g1", "hi"), &CheckOptions::default())),
            ["group-type"]
        );
    }

    #[test]
    fn community_is_implied_by_the_prefix() {
        let mut m = message("@TGS#_abc", "hi");
        m.group_at.push(GroupAt::everyone());
        assert_eq!(
            names(&check(&m, &CheckOptions::default())),
            ["community-at-all"]
        );
    }

    #[test]
    fn size_limit_is_configurable() {
        let m = message("g", &"x".repeat(100));
        let options = CheckOptions {
            group_type: Some(GroupType::Public),
            max_bytes: 50,
            partial_body: false,
        };
        assert_eq!(names(&check(&m, &options)), ["too-long"]);
    }

    #[test]
    fn custom_rules() {
        let custom = Element::TIMCustomElem(CustomElem {
            data: "d".into(),
            desc: None,
            ext: None,
            sound: None,
        });
        let m = Message {
            group_id: Some("g".into()),
            body: vec![custom.clone(), custom],
            ..Message::default()
        };
        let options = CheckOptions {
            group_type: Some(GroupType::Work),
            ..CheckOptions::default()
        };
        assert_eq!(names(&check(&m, &options)), ["one-custom", "silent-custom"]);
    }
}
