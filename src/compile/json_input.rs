//! Compiled requests as input: a `.json` body in, a [`Message`] out, and JSON paths
//! back to positions in the file, so `timl check request.json` reports
//! `request.json:7:18` as well as `MsgBody[1].MsgContent.Index`.

use crate::diag::rules;
use crate::diag::Diagnostic;
use crate::diag::Span;
use crate::message::{BadValue, Message};

/// Reads one request body; a parse or shape error, or a value the API does not take,
/// is a `json` diagnostic.
pub fn read_message(text: &str) -> Result<Message, Box<Diagnostic>> {
    let message = serde_json::from_str::<Message>(text).map_err(|error| {
        let at = offset_of(text, error.line(), error.column());
        // serde_json's messages end with " at line X column Y"; the location is ours.
        let message = error.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(head, _)| head);
        let message = unknown_element_key(message).unwrap_or_else(|| message.to_owned());
        let (span, help) = if error.is_data() {
            // An unknown field at the top: most likely data rows given as requests.
            let help = if message.contains("expected one of `GroupId`") {
                "field names and types are those of the send_group_msg body (see docs/markup.md); if these are data rows for a template, did you mean `--data FILE`?"
            } else {
                "field names and types are those of the send_group_msg body (see docs/markup.md)"
            };
            (
                unknown_field_span(text, &message, at).unwrap_or(Span::point(at)),
                help,
            )
        } else {
            (Span::point(at), "the file is not valid JSON")
        };
        let diagnostic = Diagnostic::new(
            &rules::JSON,
            format!("not a send_group_msg body: {message}"),
        )
        .at(span)
        .help(help);
        Box::new(diagnostic)
    })?;
    // The first bad value in the file, at the value itself.
    let mut bad_values = message.bad_values();
    if message.to_account.is_empty() && given_empty(text, "To_Account") {
        // Left out of the output, the request would differ from the one reviewed.
        bad_values.push(BadValue {
            path: "To_Account".to_owned(),
            problem: "`To_Account` is an empty list".to_owned(),
            help: "leave `To_Account` out to send to every member, or name the members".to_owned(),
        });
    }
    let first = bad_values
        .into_iter()
        .map(|bad| (locate(text, &bad.path), bad))
        .min_by_key(|(span, _)| span.start);
    match first {
        None => Ok(message),
        Some((span, bad)) => Err(Box::new(
            Diagnostic::new(
                &rules::JSON,
                format!("not a send_group_msg body: {}", bad.problem),
            )
            .at(span)
            .help(bad.help),
        )),
    }
}

/// Whether the top-level `key` of the JSON `text` is an empty list.
fn given_empty(text: &str, key: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|json| json.get(key).cloned())
        .is_some_and(|value| value.as_array().is_some_and(Vec::is_empty))
}

/// serde words an unknown key beside `MsgType` and `MsgContent` (in an adjacently
/// tagged enum) as an invalid string value; say it as for every other object.
fn unknown_element_key(message: &str) -> Option<String> {
    let quoted = message
        .strip_prefix("invalid value: string ")?
        .strip_suffix(r#", expected "MsgType" or "MsgContent""#)?;
    // serde shows the key with Rust's escapes, which JSON's share for plain keys.
    let key: String = serde_json::from_str(quoted).ok()?;
    Some(format!(
        "unknown field `{key}`, expected `MsgType` or `MsgContent`"
    ))
}

/// serde_json reports an unknown field after its key (or, when it read the object
/// ahead, at the object's end); point at the key itself: the last `"name":` before.
fn unknown_field_span(text: &str, message: &str, at: usize) -> Option<Span> {
    let name = message.strip_prefix("unknown field `")?.split('`').next()?;
    let quoted = format!("\"{name}\"");
    // serde_json's position is at or past the key's closing quote.
    let mut end = (at + 1).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut before = &text[..end];
    while let Some(start) = before.rfind(&quoted) {
        let after = text[start + quoted.len()..].trim_start();
        if after.starts_with(':') {
            return Some(Span::new(start, start + quoted.len()));
        }
        // A string value that reads like the key.
        before = &text[..start];
    }
    None
}

/// The byte offset of serde_json's 1-based line and column (column 0: line start).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// One step of a JSON path.
#[derive(Debug, PartialEq, Eq)]
enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        while let Some((index, after)) = rest.split_once(']') {
            if let Ok(index) = index.parse() {
                out.push(Step::Index(index));
            }
            rest = after.strip_prefix('[').unwrap_or(after);
        }
    }
    out
}

/// The span of the value at `path` in the JSON `text`, or of its nearest ancestor
/// that exists; the whole document when nothing matches.
///
/// Hand-written on purpose: serde_json keeps no positions of values, and the crates
/// that do (json-spanned-value, jsonc-parser) would parse every body a second time,
/// into a tree of their own; this walks only the path asked for, and only for the
/// few bodies that have diagnostics.
pub fn locate(text: &str, path: &str) -> Span {
    let bytes = text.as_bytes();
    let mut at = skip_ws(bytes, 0);
    let mut found = Span::new(at, skip_value(bytes, at));
    for step in steps(path) {
        let next = match step {
            Step::Key(key) => member(text, at, key),
            Step::Index(index) => item(bytes, at, index),
        };
        match next {
            Some(start) => {
                at = start;
                found = Span::new(start, skip_value(bytes, start));
            }
            None => break,
        }
    }
    found
}

fn skip_ws(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

/// The end of the string starting at the quote at `at`.
fn skip_string(bytes: &[u8], mut at: usize) -> usize {
    at += 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    bytes.len()
}

/// The end of the value starting at `at`.
fn skip_value(bytes: &[u8], at: usize) -> usize {
    match bytes.get(at) {
        Some(b'"') => skip_string(bytes, at),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = at;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = skip_string(bytes, i);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            bytes.len()
        }
        Some(_) => {
            let mut i = at;
            while i < bytes.len()
                && !matches!(bytes[i], b',' | b'}' | b']')
                && !bytes[i].is_ascii_whitespace()
            {
                i += 1;
            }
            i
        }
        None => at,
    }
}

/// The start of member `key`'s value in the object at `at`.
fn member(text: &str, at: usize, key: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    let mut i = skip_ws(bytes, at + 1);
    while bytes.get(i) == Some(&b'"') {
        let key_end = skip_string(bytes, i);
        let name: Option<String> = serde_json::from_str(&text[i..key_end]).ok();
        i = skip_ws(bytes, key_end);
        if bytes.get(i) != Some(&b':') {
            return None;
        }
        let value = skip_ws(bytes, i + 1);
        if name.as_deref() == Some(key) {
            return Some(value);
        }
        i = skip_ws(bytes, skip_value(bytes, value));
        if bytes.get(i) != Some(&b',') {
            return None;
        }
        i = skip_ws(bytes, i + 1);
    }
    None
}

/// The start of item `index` of the array at `at`.
fn item(bytes: &[u8], at: usize, index: usize) -> Option<usize> {
    if bytes.get(at) != Some(&b'[') {
        return None;
    }
    let mut i = skip_ws(bytes, at + 1);
    for _ in 0..index {
        i = skip_ws(bytes, skip_value(bytes, i));
        if bytes.get(i) != Some(&b',') {
            return None;
        }
        i = skip_ws(bytes, i + 1);
    }
    (i < bytes.len() && bytes[i] != b']').then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{
  "GroupId": "g",
  "MsgBody": [
    {"MsgType": "TIMTextElem", "MsgContent": {"Text": "a \"]"}},
    {"MsgType": "TIMFaceElem", "MsgContent": {"Index": 6}}
  ]
}"#;

    #[test]
    fn finds_nested_values() {
        let span = locate(BODY, "MsgBody[1].MsgContent.Index");
        assert_eq!(&BODY[span.range()], "6");
        let span = locate(BODY, "GroupId");
        assert_eq!(&BODY[span.range()], "\"g\"");
    }

    #[test]
    fn missing_paths_fall_back_to_the_nearest_ancestor() {
        let span = locate(BODY, "MsgBody[1].MsgContent.Data");
        assert_eq!(&BODY[span.range()], r#"{"Index": 6}"#);
        let span = locate(BODY, "Random");
        assert_eq!(span.start, 0);
    }

    #[test]
    fn bad_fields_are_refused_with_a_position() {
        let error =
            read_message(r#"{"GroupId": "g", "MsgBody": [], "GroupAt_account": []}"#).unwrap_err();
        assert!(
            error.message.contains("unknown field `GroupAt_account`"),
            "{}",
            error.message
        );
        assert!(error.span.unwrap().start > 30);
    }

    /// A body with every object and every field of the model.
    const FULL: &str = r#"{
  "GroupId": "@TGS#2C5SZEAEF",
  "From_Account": "admin",
  "Random": 1,
  "MsgPriority": "High",
  "ForbidCallbackControl": ["ForbidBeforeSendMsgCallback"],
  "OnlineOnlyFlag": 0,
  "SendMsgControl": ["NoUnread"],
  "MsgBody": [
    {"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi @all @tommy"}},
    {"MsgType": "TIMFaceElem", "MsgContent": {"Index": 6, "Data": "{}"}},
    {"MsgType": "TIMLocationElem", "MsgContent": {"Desc": "x", "Latitude": 39.9, "Longitude": -116}},
    {"MsgType": "TIMCustomElem", "MsgContent": {"Data": "{\"k\": 1}", "Desc": "d", "Ext": "e", "Sound": "s"}},
    {"MsgType": "TIMImageElem", "MsgContent": {"UUID": "u", "ImageFormat": 255, "ImageInfoArray": [
      {"Type": 1, "Size": 1, "Width": 2, "Height": 3, "URL": "https://x/a.png"},
      {"Type": 3, "Width": 2, "Height": 3, "URL": "https://x/t.png"}]}},
    {"MsgType": "TIMSoundElem", "MsgContent": {"Url": "https://x/a.mp3", "UUID": "u", "Size": 1, "Second": 2, "Download_Flag": 2}},
    {"MsgType": "TIMFileElem", "MsgContent": {"Url": "https://x/a.pdf", "UUID": "u", "FileSize": 1, "FileName": "a.pdf", "Download_Flag": 2}},
    {"MsgType": "TIMVideoFileElem", "MsgContent": {"VideoUrl": "https://x/v.mp4", "VideoUUID": "v", "VideoSize": 1, "VideoSecond": 2, "VideoFormat": "mp4", "VideoDownloadFlag": 2, "ThumbUrl": "https://x/v.jpg", "ThumbUUID": "t", "ThumbSize": 1, "ThumbWidth": 2, "ThumbHeight": 3, "ThumbFormat": "jpg", "ThumbDownloadFlag": 2}}
  ],
  "GroupAtInfo": [{"GroupAtAllFlag": 1}, {"GroupAtAllFlag": 0, "GroupAt_Account": "tommy"}],
  "CloudCustomData": "c",
  "OfflinePushInfo": {
    "PushFlag": 1, "Title": "t", "Desc": "d", "Ext": "e",
    "AndroidInfo": {"Sound": "s", "HuaWeiChannelID": "h", "XiaoMiChannelID": "x", "OPPOChannelID": "o", "GoogleChannelID": "g", "VIVOClassification": 1, "HuaWeiImportance": "NORMAL", "HuaWeiCategory": "c", "ExtAsHuaweiIntentParam": 0},
    "ApnsInfo": {"Sound": "s", "BadgeMode": 0, "Title": "t", "SubTitle": "s", "Image": "i", "MutableContent": 1}
  },
  "To_Account": ["a"],
  "NeedReadReceipt": 0,
  "SupportMessageExtension": 1
}"#;

    /// The byte offsets just inside every `{` and just before every `}` of `text`,
    /// strings skipped.
    fn object_edges(text: &str) -> Vec<(usize, bool)> {
        let bytes = text.as_bytes();
        let mut edges = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'"' => {
                    i = skip_string(bytes, i);
                    continue;
                }
                b'{' => edges.push((i + 1, true)),
                b'}' => edges.push((i, false)),
                _ => {}
            }
            i += 1;
        }
        edges
    }

    #[test]
    fn the_full_body_reads_and_writes_back_unchanged() {
        let message = read_message(FULL).unwrap();
        let again = read_message(&message.to_pretty_json()).unwrap();
        assert_eq!(again, message);
    }

    #[test]
    fn unknown_keys_are_refused_in_every_object_first_and_last() {
        let edges = object_edges(FULL);
        // The body, 8 elements and their contents, 2 images, 2 mentions, 3 push objects.
        assert_eq!(edges.len(), 2 * 24);
        for (at, opening) in edges {
            let inserted = if opening {
                "\"Unknown\": {\"x\": 1}, "
            } else {
                ", \"Unknown\": 1"
            };
            let text = format!("{}{inserted}{}", &FULL[..at], &FULL[at..]);
            let error = read_message(&text).expect_err(&text);
            assert!(
                error.message.contains("unknown field `Unknown`"),
                "{}\n{text}",
                error.message
            );
            let span = error.span.unwrap();
            assert_eq!(&text[span.range()], "\"Unknown\"", "{text}");
        }
    }

    #[test]
    fn unknown_keys_beside_msg_type_are_refused_in_any_order() {
        for element in [
            r#"{"MsgType": "TIMFaceElem", "Extra": 1, "MsgContent": {"Index": 6}}"#,
            r#"{"MsgContent": {"Index": 6}, "Extra": 1, "MsgType": "TIMFaceElem"}"#,
            r#"{"MsgContent": {"Index": 6}, "MsgType": "TIMFaceElem", "Extra": "Extra"}"#,
            r#"{"Extra": {"MsgType": 1}, "MsgType": "TIMFaceElem", "MsgContent": {"Index": 6}}"#,
        ] {
            let text = format!(r#"{{"GroupId": "g", "MsgBody": [{element}]}}"#);
            let error = read_message(&text).expect_err(&text);
            assert_eq!(
                error.message,
                "not a send_group_msg body: unknown field `Extra`, expected `MsgType` or `MsgContent`",
                "{text}"
            );
            let span = error.span.unwrap();
            assert_eq!(&text[span.range()], "\"Extra\"", "{text}");
            assert!(
                text[span.end..].trim_start().starts_with(':'),
                "the key, not a value: {text}"
            );
        }
    }

    /// `FULL` with the value at `path` replaced by `value`.
    fn with_value(path: &str, value: &str) -> String {
        let span = locate(FULL, path);
        format!("{}{value}{}", &FULL[..span.start], &FULL[span.end..])
    }

    #[test]
    fn every_flag_like_field_refuses_values_out_of_range() {
        let cases: &[(&str, &[&str])] = &[
            ("OnlineOnlyFlag", &["2", "5"]),
            ("NeedReadReceipt", &["2"]),
            ("SupportMessageExtension", &["2", "4294967295"]),
            ("GroupAtInfo[0].GroupAtAllFlag", &["7", "2"]),
            ("GroupAtInfo[1].GroupAtAllFlag", &["7"]),
            ("OfflinePushInfo.PushFlag", &["3", "2"]),
            ("OfflinePushInfo.AndroidInfo.VIVOClassification", &["2"]),
            ("OfflinePushInfo.AndroidInfo.ExtAsHuaweiIntentParam", &["2"]),
            ("OfflinePushInfo.ApnsInfo.BadgeMode", &["2"]),
            ("OfflinePushInfo.ApnsInfo.MutableContent", &["2"]),
            ("MsgBody[4].MsgContent.ImageFormat", &["0", "5", "254"]),
            ("MsgBody[4].MsgContent.ImageInfoArray[0].Type", &["0", "4"]),
            ("MsgBody[4].MsgContent.ImageInfoArray[1].Type", &["7"]),
            ("MsgBody[5].MsgContent.Download_Flag", &["0", "1", "3"]),
            ("MsgBody[6].MsgContent.Download_Flag", &["1"]),
            ("MsgBody[7].MsgContent.VideoDownloadFlag", &["1"]),
            ("MsgBody[7].MsgContent.ThumbDownloadFlag", &["0"]),
            ("MsgBody[2].MsgContent.Latitude", &["90.5", "-91"]),
            ("MsgBody[2].MsgContent.Longitude", &["181", "-180.25"]),
        ];
        for (path, values) in cases {
            let field = path.rsplit('.').next().unwrap();
            let field = field.split('[').next().unwrap();
            for value in *values {
                let text = with_value(path, value);
                let error = read_message(&text).expect_err(&text);
                assert!(
                    error.message.contains(&format!("`{field}` is {value}")),
                    "{path} = {value}: {}",
                    error.message
                );
                assert_eq!(&text[error.span.unwrap().range()], *value, "{path}");
                assert!(error.help.is_some());
            }
        }
        // The edges of every range are taken.
        for (path, value) in [
            ("OnlineOnlyFlag", "1"),
            ("MsgBody[4].MsgContent.ImageFormat", "1"),
            ("MsgBody[4].MsgContent.ImageInfoArray[0].Type", "2"),
            ("MsgBody[2].MsgContent.Latitude", "-90"),
            ("MsgBody[2].MsgContent.Longitude", "180"),
        ] {
            let text = with_value(path, value);
            assert!(read_message(&text).is_ok(), "{path} = {value}");
        }
    }

    #[test]
    fn a_mention_names_a_member_exactly_when_it_is_not_everyone() {
        let text = with_value("GroupAtInfo[1]", r#"{"GroupAtAllFlag": 0}"#);
        let error = read_message(&text).unwrap_err();
        assert!(
            error.message.contains("no `GroupAt_Account`"),
            "{}",
            error.message
        );
        let span = error.span.unwrap();
        assert_eq!(&text[span.range()], "0");
        assert!(text[..span.start].ends_with("{\"GroupAtAllFlag\": "));

        let text = with_value(
            "GroupAtInfo[0]",
            r#"{"GroupAtAllFlag": 1, "GroupAt_Account": "x"}"#,
        );
        let error = read_message(&text).unwrap_err();
        assert!(
            error.message.contains("`GroupAt_Account`"),
            "{}",
            error.message
        );
        assert_eq!(&text[error.span.unwrap().range()], "\"x\"");
    }

    #[test]
    fn the_first_bad_value_in_the_file_is_reported() {
        let text = with_value("SupportMessageExtension", "3");
        let text = text.replacen("\"OnlineOnlyFlag\": 0", "\"OnlineOnlyFlag\": 9", 1);
        let error = read_message(&text).unwrap_err();
        assert!(
            error.message.contains("`OnlineOnlyFlag` is 9"),
            "{}",
            error.message
        );
    }

    #[test]
    fn lists_compiling_would_change_are_refused() {
        let base =
            r#"{"GroupId":"g","MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}}]"#;
        for (extra, problem) in [
            (r#","To_Account":[]}"#, "`To_Account` is an empty list"),
            (
                r#","SendMsgControl":["NoUnread","NoUnread"]}"#,
                "listed twice in `SendMsgControl`",
            ),
            (
                r#","ForbidCallbackControl":["ForbidBeforeSendMsgCallback","ForbidBeforeSendMsgCallback"]}"#,
                "listed twice in `ForbidCallbackControl`",
            ),
        ] {
            let text = format!("{base}{extra}");
            let error = read_message(&text).unwrap_err();
            assert!(error.message.contains(problem), "{}", error.message);
        }
        assert!(read_message(&format!("{base},\"To_Account\":[\"a\"]}}")).is_ok());
    }
}
