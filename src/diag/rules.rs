//! The rules, as data: each has a stable name, a severity, the server error it
//! prevents (where there is one) and a one-line summary.
//!
//! Diagnostics refer to a rule by `&'static Rule`, so the name a user sees, the
//! severity and the documentation in docs/rules.md come from one table.

use super::severity::Severity;

/// One rule: what is checked, how serious a breach is, and what the server would say.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// The stable name shown in diagnostics, e.g. `too-long`.
    pub name: &'static str,
    /// How serious a breach is.
    pub severity: Severity,
    /// The Tencent IM error code the server would answer with, where known.
    pub server_error: Option<u32>,
    /// What the rule checks, in one line.
    pub summary: &'static str,
    /// The full explanation `timl explain` prints: why the rule exists, an example
    /// of the mistake and one of the fix (`src/diag/explanations/NAME.md`).
    pub explanation: &'static str,
}

macro_rules! rules {
    ($($ident:ident = $name:literal, $severity:ident, $code:expr, $summary:literal;)*) => {
        $(
            #[doc = $summary]
            pub static $ident: Rule = Rule {
                name: $name,
                severity: Severity::$severity,
                server_error: $code,
                summary: $summary,
                explanation: include_str!(concat!("explanations/", $name, ".md")),
            };
        )*
        /// Every rule, in the order of the table of docs/rules.md.
        pub static ALL: &[&Rule] = &[$(&$ident),*];
    };
}

rules! {
    // Input that is not well-formed timl, JSON or UTF-8.
    ENCODING = "encoding", Error, None, "the file is not valid UTF-8";
    SYNTAX = "syntax", Error, None, "an unclosed header, element or string; a bad escape; a header line that is not `key: value`";
    HEADER_KEY = "header-key", Error, None, "an unknown header key (with \"did you mean\")";
    DUPLICATE_KEY = "duplicate-key", Error, None, "a header key given twice";
    HEADER_VALUE = "header-value", Error, None, "a header value of the wrong kind or out of range";
    HEADER_IN_BODY = "header-in-body", Error, None, "a header read as message text: a `---` line after blank lines or spaces, or header lines without their `---` lines";
    TEMPLATE = "template", Error, None, "a template error: bad syntax, an undefined variable, a failed filter or include, a reserved character";
    DATA = "data", Error, None, "a data row or variables file that cannot be read as variables";
    JSON = "json", Error, Some(60003), "a `.json` input that is not JSON or not a send_group_msg body (unknown fields and values out of range included)";
    // The rules over a message, in the order the checks run.
    GROUP_ID = "group-id", Error, Some(10015), "the group ID is missing, not printable ASCII, or over 48 bytes";
    COMMUNITY_GROUP_ID = "community-group-id", Error, Some(10015), "a Community group ID that does not start with `@TGS#_`";
    TOPIC = "topic", Error, Some(10004), "`topic` outside a Community group, not `<group>@TOPIC#_...`, over 96 bytes, or with control, bidirectional or invisible characters";
    COMMUNITY_AT_ALL = "community-at-all", Error, Some(10004), "@all in a Community group";
    AVCHATROOM_ONLINE_ONLY = "avchatroom-online-only", Error, Some(10004), "`online-only` in an AVChatRoom";
    AVCHATROOM_CONTROL = "avchatroom-control", Error, Some(10004), "`control` in an AVChatRoom";
    ONLINE_ONLY_CONTROL = "online-only-control", Error, Some(10004), "`control` together with `online-only`";
    TO_ACCOUNT = "to-account", Error, Some(10004), "`to` with more than 50 IDs, or in an AVChatRoom or Community group";
    ACCOUNT_ID = "account-id", Error, Some(10004), "an empty account ID, one over 32 bytes, or one with control, bidirectional or invisible characters (mention, `from`, `to`)";
    ONE_CUSTOM = "one-custom", Error, Some(10004), "more than one custom element";
    EMPTY = "empty", Error, Some(10004), "a body with no element and no non-blank text";
    TOO_LONG = "too-long", Error, Some(80002), "compact JSON of `MsgBody` over 8000 UTF-8 bytes (`--max-bytes N` to change)";
    ELEMENT_ARGS = "element-args", Error, Some(10004), "a missing, unknown or ill-typed element argument";
    URL = "url", Error, None, "an address the apps cannot load (image, sound, file, video, push images): empty, another scheme than `https://` or `http://` (`javascript:`, `file:`, `intent:`), or with control or invisible characters";
    ELEMENT_NAME = "element-name", Error, None, "a bracketed word with element arguments (`key=value`, a URL) that is no element's name (`[imgae url=...]`): it would be sent as text";
    FACE_NAME = "face-name", Error, None, "an `[emoji]` or `[sticker]` name (or `emoji()`/`sticker()` argument) that is in no face catalog in use (with \"did you mean\")";
    PUSH_EXT_JSON = "push-ext-json", Warning, None, "`push.ext` that is not JSON (some Android vendors drop it)";
    PUSH_SIZE = "push-size", Warning, None, "`push.desc` + `push.ext` over 3 KB (APNs payloads are capped at 4 KB)";
    PUSH_ANDROID_SOUND = "push-android-sound", Warning, None, "`push.android.sound` with a file suffix (`shake.mp3`): Android looks the sound up without one and plays the default";
    PUSH_DEPRECATED = "push-deprecated", Warning, None, "a push field Tencent's documentation no longer recommends (`VIVOClassification`, `ExtAsHuaweiIntentParam`)";
    SILENT_CUSTOM = "silent-custom", Warning, None, "a custom-only message with no `desc` and no `push.desc`: no offline push";
    URL_FORM = "url-form", Warning, None, "an address the apps may not load as written: without `https://` (`www.image.com`), or with a space inside";
    DISPLAY_NAME = "display-name", Warning, None, "a mention's display name with bidirectional controls (which reorder the text around it), control or invisible characters";
    FILE_DETAILS = "file-details", Warning, None, "a file element without `FileName` or `FileSize`: clients show a nameless file of unknown size";
    ELEMENT_LOOKALIKE = "element-lookalike", Warning, None, "`[fcae 6]`-style text one or two edits from an element name";
    FACE_UNRENDERABLE = "face-unrenderable", Warning, None, "a face element no kit can draw: empty `Data`, or (with TUIKit's catalog alone) not one of its stickers";
    FACE_UNKNOWN = "face-unknown", Warning, None, "a face element that is in no face catalog in use (with an app's catalog, `--faces`)";
    EMOJI_UNKNOWN = "emoji-unknown", Warning, None, "text that looks like an emoji key but is none (`[TUIEmoji_Smiel]`): members see the text";
    EMOJI_LEGACY = "emoji-legacy", Warning, None, "a pre-2024 Chinese emoji key typed as text (`[微笑]`): current kits show the characters";
    EMOJI_FROM_VALUE = "emoji-from-value", Warning, None, "a value from data holding an emoji key: every kit draws it as the emoji's picture";
    READ_RECEIPT = "read-receipt", Warning, None, "read receipts asked for in an AVChatRoom or Community group, which has none";
    EXTENSION = "extension", Warning, None, "message extensions asked for in an AVChatRoom or Community group, which has none";
    GROUP_TYPE = "group-type", Note, None, "the group type is unknown, so the type rules were not applied";
    // Over the messages of a batch.
    SAME_RANDOM = "same-random", Error, None, "a data row whose message has the same group and `Random` as an earlier row's: the server would drop it without a word";
    SAME_MESSAGE = "same-message", Warning, None, "a data row that compiles to the same message, for the same group, as an earlier row: a batch should send each message once";
    // What the server says (preflight, `check --online`).
    GROUP_MISSING = "group-missing", Error, Some(10010), "the server knows no such group (preflight, `check --online`)";
    GROUP_TYPE_MISMATCH = "group-type-mismatch", Error, Some(10004), "the type the message is written for is not the group's type on the server";
    FROM_NOT_MEMBER = "from-not-member", Error, Some(10007), "`from` is not a member of the group (`--check-members`)";
    MENTION_NOT_MEMBER = "mention-not-member", Warning, None, "a mentioned or `to` account is not a member: the mention notifies nobody, the targeted message reaches nobody (`--check-members`)";
}

/// The rule called `name`, if there is one.
pub fn by_name(name: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|rule| rule.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_kebab_case() {
        for (i, rule) in ALL.iter().enumerate() {
            assert!(rule
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()));
            assert!(ALL[i + 1..].iter().all(|other| other.name != rule.name));
        }
        assert_eq!(by_name("too-long").unwrap().server_error, Some(80002));
        assert!(by_name("nope").is_none());
    }
}
