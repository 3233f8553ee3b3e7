//! What a rendering that succeeds does not say: values an author asked for that
//! minijinja quietly left out.
//!
//! minijinja's strict mode stops at an undefined variable that is printed, tested or
//! operated on, but not at one that is only passed on: a keyword argument
//! (`mention(user, name=nmae)`), a call argument, a `set` value. Each goes on as
//! none, and every message says `@lina_wu` instead of the display name. And a macro
//! called with fewer arguments than it takes (`m.tracking(carrier)`) fails inside the
//! macro, as an undefined parameter the author never wrote, or not at all. So after
//! rendering, the template's text is read for both, and each is reported where the
//! author wrote it, naming what to give.

use std::collections::HashSet;

use minijinja::Value;

use super::undefined::{missing_names, nearest};
use super::{Source, Template};
use crate::diag::{rules, Diagnostic, LineIndex, Span};

/// The problems [`unread`] finds for a rendering with `context`.
pub(super) fn unread(template: &Template, context: &Value) -> Vec<Diagnostic> {
    let main = template.main_source();
    let mut found = template
        .macro_calls
        .get_or_init(|| macro_calls(template, &main))
        .clone();
    let missing = missing_names(template, context);
    if !missing.is_empty() {
        found.extend(unset_arguments(&main, &missing, context));
    }
    found
}

/// A word of a tag, with where it is in the source.
pub(super) struct Word<'t> {
    pub(super) text: &'t str,
    pub(super) span: Span,
    /// The text of the tag before it and after it.
    pub(super) before: &'t str,
    pub(super) after: &'t str,
}

/// Every word (a name: letters, digits, `_`) inside `{{ }}` and `{% %}` of `text`,
/// strings and comments skipped.
pub(super) fn words(text: &str) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut rest = 0;
    while let Some(open) = ["{{", "{%"]
        .iter()
        .filter_map(|o| text[rest..].find(o))
        .min()
    {
        let start = rest + open + 2;
        let close = ["}}", "%}"]
            .iter()
            .filter_map(|c| text[start..].find(c))
            .min()
            .map_or(text.len(), |at| start + at);
        let tag = &text[start..close];
        let bytes = tag.as_bytes();
        let mut at = 0;
        while at < tag.len() {
            let c = tag[at..].chars().next().unwrap_or(' ');
            if c == '"' || c == '\'' {
                let mut next = at + 1;
                while next < tag.len() && bytes[next] != c as u8 {
                    next += if bytes[next] == b'\\' { 2 } else { 1 };
                }
                at = (next + 1).min(tag.len());
                continue;
            }
            if !(c.is_alphabetic() || c == '_') {
                at += c.len_utf8();
                continue;
            }
            let end = tag[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(tag.len(), |n| at + n);
            out.push(Word {
                text: &tag[at..end],
                span: Span::new(start + at, start + end),
                before: &tag[..at],
                after: &tag[end..],
            });
            at = end;
        }
        rest = (close + 2).min(text.len());
    }
    out
}

/// The missing names read where minijinja lets an undefined value through: a keyword
/// argument's value, a call argument, a `set` value; unless guarded (`is defined`,
/// `|default`), as an optional value is.
fn unset_arguments(source: &Source, missing: &HashSet<String>, context: &Value) -> Vec<Diagnostic> {
    let mut reported: HashSet<&str> = HashSet::new();
    let mut out = Vec::new();
    for word in words(&source.text) {
        if !missing.contains(word.text) || reported.contains(word.text) {
            continue;
        }
        let before = word.before.trim_end();
        let after = word.after.trim_start();
        let attribute = before.ends_with('.');
        let keyword = after.starts_with('=') && !after.starts_with("==");
        if attribute || keyword {
            continue;
        }
        let guarded = [
            "is defined",
            "is not defined",
            "is undefined",
            "|default",
            "| default",
            "|d(",
            "|d ",
            "|d)",
        ]
        .iter()
        .any(|guard| after.starts_with(guard));
        if guarded {
            // One guarded reading makes the name optional everywhere.
            reported.insert(word.text);
            continue;
        }
        let passed = before.ends_with('(') || before.ends_with(',') || before.ends_with('=');
        if !passed {
            continue;
        }
        reported.insert(word.text);
        let role = if before.ends_with('=') && !before.ends_with("==") {
            let keyword = before[..before.len() - 1].trim_end();
            let name = keyword
                .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            if keyword.starts_with("set ") || keyword.contains(" set ") || name.is_empty() {
                "the value it sets is none".to_owned()
            } else {
                format!("the argument `{name}=` gets none")
            }
        } else {
            "the call gets none for it".to_owned()
        };
        let mut diagnostic = Diagnostic::new(
            &rules::TEMPLATE,
            format!("`{}` is undefined: {role}", word.text),
        )
        .at(word.span);
        diagnostic.help = Some(match nearest(word.text, context) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!(
                "give `{}` a value with `--var`, `--vars` or a `--data` column, or write `{}|default(\"\")` where it may be missing",
                word.text, word.text
            ),
        });
        diagnostic.resolve(&source.path, &LineIndex::new(&source.text));
        out.push(diagnostic);
    }
    out
}

/// A macro: its name, where it is defined, and its parameters (with whether each
/// has a default).
struct Macro {
    name: String,
    file: String,
    params: Vec<(String, bool)>,
}

/// Every macro the loaded sources define.
fn macros(template: &Template) -> Vec<Macro> {
    let mut out = Vec::new();
    for source in template.all_sources() {
        for word in words(&source.text) {
            if word.text != "macro" || !word.before.trim().is_empty() {
                continue;
            }
            let after = word.after.trim_start();
            let name_end = after
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let name = &after[..name_end];
            let Some(list) = after[name_end..].trim_start().strip_prefix('(') else {
                continue;
            };
            let Some((args, _)) = arguments(list) else {
                continue;
            };
            let params = args
                .iter()
                .map(|arg| match arg.split_once('=') {
                    Some((param, _)) => (param.trim().to_owned(), true),
                    None => (arg.trim().to_owned(), false),
                })
                .filter(|(param, _)| !param.is_empty())
                .collect();
            out.push(Macro {
                name: name.to_owned(),
                file: source.path.clone(),
                params,
            });
        }
    }
    out
}

/// The top-level arguments of a call whose text starts after its `(`, and where its
/// `)` is; none when the call is not closed in the tag.
fn arguments(text: &str) -> Option<(Vec<&str>, usize)> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = 0;
    let mut args = Vec::new();
    let mut escaped = false;
    for (at, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth > 0 => depth -= 1,
                ')' => {
                    let last = text[start..at].trim();
                    if !last.is_empty() || !args.is_empty() {
                        args.push(last);
                    }
                    return Some((args, at));
                }
                ',' if depth == 0 => {
                    args.push(text[start..at].trim());
                    start = at + 1;
                }
                _ => {}
            },
        }
    }
    None
}

/// Calls of the main template's macros (and the imported ones) that leave out a
/// parameter without a default: an error at the call, naming what it leaves out.
fn macro_calls(template: &Template, main: &Source) -> Vec<Diagnostic> {
    let macros = macros(template);
    if macros.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for word in words(&main.text) {
        let Some(found) = macros.iter().find(|m| m.name == word.text) else {
            continue;
        };
        // A definition is no call.
        if word.before.trim_end().ends_with("macro") {
            continue;
        }
        let Some(list) = word.after.trim_start().strip_prefix('(') else {
            continue;
        };
        let Some((args, close)) = arguments(list) else {
            continue;
        };
        let keywords: Vec<&str> = args
            .iter()
            .filter_map(|a| a.split_once('=').filter(|(_, v)| !v.starts_with('=')))
            .map(|(k, _)| k.trim())
            .collect();
        let positional = args.len() - keywords.len();
        let left_out: Vec<&str> = found
            .params
            .iter()
            .skip(positional)
            .filter(|(param, default)| !default && !keywords.contains(&param.as_str()))
            .map(|(param, _)| param.as_str())
            .collect();
        if left_out.is_empty() {
            continue;
        }
        let params: Vec<&str> = found.params.iter().map(|(p, _)| p.as_str()).collect();
        // From the start of `m.tracking` to its `)`.
        let prefix = word.before.len()
            - word
                .before
                .trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
                .len();
        let paren = word.span.end + (word.after.len() - word.after.trim_start().len());
        let span = Span::new(word.span.start - prefix, paren + 1 + close + 1);
        let named: Vec<String> = left_out.iter().map(|p| format!("`{p}`")).collect();
        let mut diagnostic = Diagnostic::new(
            &rules::TEMPLATE,
            format!(
                "this call of the macro `{}` gives no {}: it takes `{}` (`{}`)",
                found.name,
                named.join(" and "),
                params.join(", "),
                found.file
            ),
        )
        .at(span)
        .help(format!("pass {} in the call", named.join(" and ")));
        diagnostic.resolve(&main.path, &LineIndex::new(&main.text));
        out.push(diagnostic);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_arguments_at_the_top_level() {
        assert_eq!(arguments("a, b)"), Some((vec!["a", "b"], 4)));
        assert_eq!(arguments(")"), Some((vec![], 0)));
        assert_eq!(
            arguments("f(a, b), \"x,)\", n=[1, 2]) rest").map(|(a, _)| a),
            Some(vec!["f(a, b)", "\"x,)\"", "n=[1, 2]"])
        );
        assert_eq!(arguments("a, b"), None);
    }

    #[test]
    fn words_of_tags_only() {
        let text = "hi {{ mention(user, name=nmae) }} x {% set y = \"z\" %}";
        let found: Vec<&str> = words(text).iter().map(|w| w.text).collect();
        assert_eq!(found, ["mention", "user", "name", "nmae", "set", "y"]);
    }
}
