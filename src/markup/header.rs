//! Header keys, as a table: each key's name, the JSON field it sets, and
//! how its value is read. `lower` applies the header through this table.

use crate::diag::suggest::did_you_mean;
use crate::diag::Span;
use crate::markup::ast::Spanned;
use crate::markup::placeholder::restore_commas;
use crate::markup::srcmap::SourceMap;
use crate::message::group::GroupType;
use crate::message::{
    AndroidPush, ApnsPush, ForbidCallback, Message, OfflinePush, Priority, SendControl,
};

/// What the header writes into: the message, the group type, and where each field
/// came from.
pub(crate) struct HeaderTarget<'a> {
    pub message: &'a mut Message,
    pub group_type: &'a mut Option<GroupType>,
    pub spans: &'a mut SourceMap,
}

/// Why a value was refused, and where (the whole value unless `span` says otherwise).
pub(crate) struct ValueError {
    pub message: String,
    pub span: Option<Span>,
}

impl From<String> for ValueError {
    fn from(message: String) -> ValueError {
        ValueError {
            message,
            span: None,
        }
    }
}

type Apply = fn(&mut HeaderTarget<'_>, &Spanned<String>) -> Result<(), ValueError>;

/// One header key.
pub(crate) struct HeaderKey {
    /// As written in the header.
    pub name: &'static str,
    /// The JSON path it sets, for locating diagnostics (empty for `type`).
    pub path: &'static str,
    /// Reads the value into the target.
    pub apply: Apply,
}

macro_rules! key {
    ($name:literal, $path:literal, $apply:expr) => {
        HeaderKey {
            name: $name,
            path: $path,
            apply: $apply,
        }
    };
}

/// Whether the key `name` takes a comma-separated list (its items are split before
/// the commas inside values are put back).
pub(crate) fn is_list(name: &str) -> bool {
    matches!(name, "to" | "control" | "forbid-callback")
}

/// Every header key (the header table of docs/markup.md lists each once;
/// `tests/house.rs` checks it).
pub(crate) static KEYS: &[HeaderKey] = &[
    key!("group", "GroupId", |t, v| set(
        &mut t.message.group_id,
        v.value.clone()
    )),
    key!("topic", "TopicId", |t, v| set(
        &mut t.message.topic_id,
        v.value.clone()
    )),
    key!("type", "", |t, v| {
        *t.group_type = Some(v.value.parse()?);
        Ok(())
    }),
    key!("from", "From_Account", |t, v| set(
        &mut t.message.from_account,
        v.value.clone()
    )),
    key!("to", "To_Account", |t, v| {
        for (i, item) in list(v)?.into_iter().enumerate() {
            t.spans.insert_item("To_Account", i, item.span);
            t.message.to_account.push(item.value);
        }
        Ok(())
    }),
    key!("priority", "MsgPriority", |t, v| {
        let words = [
            ("high", Priority::High),
            ("normal", Priority::Normal),
            ("low", Priority::Low),
        ];
        t.message.priority = Some(word(&v.value, &words)?);
        Ok(())
    }),
    key!("random", "Random", |t, v| {
        let digits = v.value.bytes().all(|b| b.is_ascii_digit());
        let n = v
            .value
            .parse::<u32>()
            .ok()
            .filter(|_| digits)
            .ok_or_else(|| {
                format!(
                    "expected a whole number from 0 to 4294967295, found `{}`",
                    v.value
                )
            })?;
        t.message.random = Some(n);
        Ok(())
    }),
    key!("online-only", "OnlineOnlyFlag", |t, v| {
        t.message.online_only = flag(&v.value)?;
        Ok(())
    }),
    key!("control", "SendMsgControl", |t, v| {
        let words = [
            ("no-last-msg", SendControl::NoLastMsg),
            ("no-unread", SendControl::NoUnread),
        ];
        t.message.send_control = word_list(v, &words)?;
        Ok(())
    }),
    key!("forbid-callback", "ForbidCallbackControl", |t, v| {
        let words = [
            ("before", ForbidCallback::ForbidBeforeSendMsgCallback),
            ("after", ForbidCallback::ForbidAfterSendMsgCallback),
        ];
        t.message.forbid_callback = word_list(v, &words)?;
        Ok(())
    }),
    key!("read-receipt", "NeedReadReceipt", |t, v| {
        t.message.need_read_receipt = flag(&v.value)?;
        Ok(())
    }),
    key!("extension", "SupportMessageExtension", |t, v| {
        t.message.support_extension = flag(&v.value)?;
        Ok(())
    }),
    key!("cloud-data", "CloudCustomData", |t, v| set(
        &mut t.message.cloud_custom_data,
        v.value.clone()
    )),
];

/// Every header key: the message's, then the push notification's.
/// `timl explain NAME` for a header key: the JSON field it sets.
pub(crate) fn describe(name: &str) -> Option<String> {
    let key = find(name)?;
    let sets = if key.path.is_empty() {
        "no field of the body: it names the group's type, which decides the type rules \
         (`work`/`private`, `public`, `meeting`/`chatroom`, `avchatroom`, `community`)"
            .to_owned()
    } else {
        format!("`{}` of the request body", key.path)
    };
    let list = if is_list(name) {
        "\n\nIts value is a comma-separated list."
    } else {
        ""
    };
    Some(format!(
        "{name}: (a header key)\n\nSets {sets}.{list}\n\nThe header table of docs/markup.md says what each key takes.\n"
    ))
}

/// The name of every header key.
pub fn names() -> Vec<&'static str> {
    all_keys().map(|key| key.name).collect()
}

fn all_keys() -> impl Iterator<Item = &'static HeaderKey> {
    KEYS.iter().chain(super::push_keys::PUSH_KEYS)
}

/// The key called `name`.
pub(crate) fn find(name: &str) -> Option<&'static HeaderKey> {
    all_keys().find(|key| key.name == name)
}

/// The known key nearest to an unknown one, if it is close enough to be a typo.
pub(crate) fn suggest(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    all_keys()
        .map(|key| {
            (
                crate::diag::suggest::edit_distance(&lower, key.name),
                key.name,
            )
        })
        .filter(|&(distance, key)| distance <= if key.len() > 6 { 3 } else { 2 })
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, key)| key)
}

pub(super) fn set(field: &mut Option<String>, value: String) -> Result<(), ValueError> {
    *field = Some(value);
    Ok(())
}

pub(super) fn push<'m>(target: &'m mut HeaderTarget<'_>) -> &'m mut OfflinePush {
    target.message.push.get_or_insert_with(OfflinePush::default)
}

pub(super) fn android<'m>(target: &'m mut HeaderTarget<'_>) -> &'m mut AndroidPush {
    push(target)
        .android
        .get_or_insert_with(AndroidPush::default)
}

pub(super) fn apns<'m>(target: &'m mut HeaderTarget<'_>) -> &'m mut ApnsPush {
    push(target).apns.get_or_insert_with(ApnsPush::default)
}

/// `true`/`yes`/`on` or `false`/`no`/`off`, any case.
pub(super) fn boolean(text: &str) -> Result<bool, String> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Ok(true),
        "false" | "no" | "off" => Ok(false),
        _ => Err(format!(
            "expected `true` or `false`, found `{text}`{}",
            did_you_mean(text, ["true", "false", "yes", "no", "on", "off"])
        )),
    }
}

/// A flag field: written as 1 when true, left out when false.
pub(super) fn flag(text: &str) -> Result<Option<u32>, String> {
    Ok(boolean(text)?.then_some(1))
}

/// `on`/`off` (booleans accepted too).
pub(super) fn on_off(text: &str) -> Result<bool, String> {
    boolean(text).map_err(|_| {
        format!(
            "expected `on` or `off`, found `{text}`{}",
            did_you_mean(text, ["on", "off", "true", "false", "yes", "no"])
        )
    })
}

/// One of a fixed set of words, any case.
pub(super) fn word<T: Copy>(text: &str, words: &[(&str, T)]) -> Result<T, String> {
    words
        .iter()
        .find(|(word, _)| word.eq_ignore_ascii_case(text))
        .map(|&(_, value)| value)
        .ok_or_else(|| {
            let names: Vec<String> = words.iter().map(|(word, _)| format!("`{word}`")).collect();
            let near = did_you_mean(text, words.iter().map(|(word, _)| *word));
            format!("expected {}, found `{text}`{near}", names.join(" or "))
        })
}

/// A comma-separated list of words, each at most once.
fn word_list<T: Copy + PartialEq>(
    value: &Spanned<String>,
    words: &[(&str, T)],
) -> Result<Vec<T>, ValueError> {
    let mut out = Vec::new();
    for item in list(value)? {
        let at_item = |message| ValueError {
            message,
            span: Some(item.span),
        };
        let parsed = word(&item.value, words).map_err(at_item)?;
        if out.contains(&parsed) {
            return Err(at_item(format!("`{}` is listed twice", item.value)));
        }
        out.push(parsed);
    }
    Ok(out)
}

/// A comma-separated list, items trimmed, each with its own span. The span of an
/// item is exact for plain values and the whole value for quoted ones.
fn list(value: &Spanned<String>) -> Result<Vec<Spanned<String>>, String> {
    if value.value.trim().is_empty() {
        return Err("expected a comma-separated list, found nothing".to_owned());
    }
    let exact = value.span.end - value.span.start == value.value.len();
    let mut items = Vec::new();
    let mut offset = 0;
    // Only spaces and tabs are trimmed: any other character stays and is judged
    // (an invisible one in an ID is an error, never quietly dropped).
    let blank = [' ', '\t'];
    for part in value.value.split(',') {
        let lead = part.len() - part.trim_start_matches(blank).len();
        let item = part.trim_matches(blank);
        // Commas inside a template value were kept out of the split.
        let item = &*restore_commas(item);
        let span = if exact {
            let start = value.span.start + offset + lead;
            Span::new(start, start + item.len())
        } else {
            value.span
        };
        // A quoted item (`"b\u200bc"`) is its string, escapes decoded, as a whole
        // quoted value is: never an ID with quotes and backslashes in it.
        let item = if item.starts_with('"') {
            match serde_json::from_str::<String>(item) {
                Ok(decoded) => decoded,
                Err(_) => {
                    return Err(format!(
                        "the quoted item {} is not a closed string with JSON escapes (a quoted item cannot hold a comma)",
                        crate::diag::render::printable(item)
                    ))
                }
            }
        } else {
            item.to_owned()
        };
        items.push(Spanned::new(item, span));
        offset += part.len() + 1;
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_only() {
        assert_eq!(suggest("gruop"), Some("group"));
        assert_eq!(suggest("push.andriod.sound"), Some("push.android.sound"));
        assert_eq!(suggest("Priority"), Some("priority"));
        assert_eq!(suggest("colour"), None);
    }

    #[test]
    fn lists_keep_item_spans() {
        let value = Spanned::new("a, bb ,c".to_owned(), Span::new(10, 18));
        let items = list(&value).unwrap();
        let spans: Vec<_> = items
            .iter()
            .map(|i| (i.value.as_str(), i.span.start, i.span.end))
            .collect();
        assert_eq!(spans, [("a", 10, 11), ("bb", 13, 15), ("c", 17, 18)]);
    }

    #[test]
    fn words_are_case_insensitive() {
        assert_eq!(word("HIGH", &[("high", 1)]), Ok(1));
        assert!(word("urgent", &[("high", 1)])
            .unwrap_err()
            .contains("`high`"));
        assert_eq!(boolean("Yes"), Ok(true));
        assert!(boolean("1").is_err());
    }
}
