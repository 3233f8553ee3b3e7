//! Compiled requests as input: a `.json` body in, a [`Message`] out, and JSON paths
//! back to positions in the file, so `timl check request.json` reports
//! `request.json:7:18` as well as `MsgBody[1].MsgContent.Index`.

use crate::diagnostic::Diagnostic;
use crate::message::Message;
use crate::rules;
use crate::span::Span;

/// Reads one request body; a parse or shape error is a `json` diagnostic.
pub fn read_message(text: &str) -> Result<Message, Box<Diagnostic>> {
    serde_json::from_str::<Message>(text).map_err(|error| {
        let at = offset_of(text, error.line(), error.column());
        // serde_json's messages end with " at line X column Y"; the location is ours.
        let message = error.to_string();
        let message = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(head, _)| head)
            .to_owned();
        let (span, help) = if error.is_data() {
            let help =
                "field names and types are those of the send_group_msg body (see the README)";
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
    })
}

/// serde_json reports an unknown field after its key; point at the key itself.
fn unknown_field_span(text: &str, message: &str, at: usize) -> Option<Span> {
    let name = message.strip_prefix("unknown field `")?.split('`').next()?;
    let quoted = format!("\"{name}\"");
    // serde_json's position is at or just past the key's closing quote.
    let mut end = (at + 1).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let start = text[..end].rfind(&quoted)?;
    Some(Span::new(start, start + quoted.len()))
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
}
