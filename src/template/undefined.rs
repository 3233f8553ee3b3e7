//! Every undefined variable of a rendering, not just the first.
//!
//! minijinja stops at the first undefined variable. So that an author fixes them all
//! in one round, a failed rendering that names an undefined variable is tried again
//! with that variable set to an empty placeholder, until it renders, fails some other
//! way, or names a variable it already named. Only the first failure's other errors
//! are reported: a later one may come from a placeholder. Each undefined variable
//! gets "did you mean" against the variables the rendering has (data columns,
//! `--var`, `--vars`).

use std::collections::HashSet;
use std::sync::Arc;

use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{Error, ErrorKind, Value};

use super::Template;
use crate::diag::suggest::edit_distance;
use crate::diag::{rules, Diagnostic, LineIndex, Span};

/// At most this many undefined variables are reported for one rendering (each one
/// more is one more rendering).
const MOST: usize = 10;

/// The diagnostics of a failed rendering: `error` and, when it names an undefined
/// variable, every other undefined variable the rendering meets.
pub(super) fn all_undefined(
    template: &Template,
    error: &Error,
    context: &Value,
    cap: usize,
) -> Vec<Diagnostic> {
    let missing = missing_names(template, context);
    let mut diagnostics = Vec::new();
    let mut placeholders = HashSet::new();
    let mut later: Option<Error> = None;
    loop {
        let error = later.as_ref().unwrap_or(error);
        let (inner, source, span) = template.place(error);
        // The variable with no value: the first in the failing tag (`nmae` of
        // `{{ nmae|upper }}` or `mention(usr, name=nme)`), else the expression's head.
        let in_tag =
            span.and_then(|span| missing_in_tag(&source.text, span, &missing, &placeholders));
        // Or an undefined value met by a function or an operator ("cannot convert
        // undefined to u32", "unsupported types undefined and number").
        let undefined = inner.kind() == ErrorKind::UndefinedError
            || inner
                .detail()
                .is_some_and(|detail| detail.contains("undefined"));
        let shown = span
            .and_then(|span| source.text.get(span.range()))
            .unwrap_or("");
        let argument = inner
            .detail()
            .and_then(|detail| undefined_argument(detail, shown));
        let (name, mut diagnostic) = match in_tag {
            Some((name, at)) => (Some(name), undefined_at(&source, name, at)),
            None if argument.is_some() => {
                let mut diagnostic = template.diagnostic(error);
                let (message, help) = argument.unwrap_or_default();
                diagnostic.message = message;
                diagnostic.help = Some(help);
                (None, diagnostic)
            }
            None if undefined => (variable(shown), template.diagnostic(error)),
            None => {
                // Past the first, another error may come from a hole.
                if diagnostics.is_empty() {
                    diagnostics.push(template.diagnostic(error));
                }
                return diagnostics;
            }
        };
        if name.is_some_and(|name| placeholders.contains(name)) {
            // The placeholder's own doing (`"".b`): not the author's.
            return diagnostics;
        }
        let defined =
            name.is_some_and(|name| context.get_attr(name).is_ok_and(|v| !v.is_undefined()));
        let near = match name {
            // `user.nmae`: the attributes `user` has.
            Some(name) if defined => nearest_attribute(name, shown, context),
            Some(name) => nearest(name, context),
            None => None,
        };
        if let Some(near) = near {
            diagnostic.help = Some(format!("did you mean `{near}`?"));
        }
        diagnostics.push(diagnostic);
        // An attribute of a defined variable (`user.nmae`), or enough names: no
        // further rendering.
        let Some(name) = name else { return diagnostics };
        if defined || diagnostics.len() >= MOST {
            return diagnostics;
        }
        placeholders.insert(name.to_owned());
        let retried = Value::from_object(WithHoles {
            holes: placeholders.clone(),
            base: context.clone(),
        });
        match template.try_render(&retried, cap) {
            Ok(_) => return diagnostics,
            Err(next) => later = Some(next),
        }
    }
}

/// The variables the main template reads but never sets, that the rendering has no
/// value for (and that are no function, such as `range`).
pub(super) fn missing_names(template: &Template, context: &Value) -> HashSet<String> {
    // Parsed again by minijinja: once a template, not once a failing row.
    let unset = template.unset.get_or_init(|| {
        let Ok(main) = template.env.get_template(&template.name) else {
            return HashSet::new();
        };
        let globals: HashSet<&str> = template.env.globals().map(|(name, _)| name).collect();
        main.undeclared_variables(false)
            .into_iter()
            .filter(|name| !globals.contains(name.as_str()))
            .collect()
    });
    unset
        .iter()
        .filter(|name| !context.get_attr(name).is_ok_and(|v| !v.is_undefined()))
        .cloned()
        .collect()
}

/// The first variable of `missing` (and not yet given a placeholder) that the tag
/// around `span` reads, and where: names after a `.` (attributes), before a `=`
/// (keyword arguments) and inside quotes are not variables.
fn missing_in_tag<'m>(
    text: &str,
    span: Span,
    missing: &'m HashSet<String>,
    placeholders: &HashSet<String>,
) -> Option<(&'m str, Span)> {
    let before = &text[..span.start.min(text.len())];
    let start = ["{{", "{%"]
        .iter()
        .filter_map(|open| before.rfind(open))
        .max()?;
    let end = ["}}", "%}"]
        .iter()
        .filter_map(|close| text[span.end.min(text.len())..].find(close))
        .min()
        .map_or(text.len(), |at| span.end + at);
    // The words of the tags, as `unread` reads them, that lie in this tag.
    super::unread::words(text)
        .into_iter()
        .filter(|word| word.span.start >= start && word.span.end <= end)
        .find_map(|word| {
            let attribute = word.before.trim_end().ends_with('.');
            let rest = word.after.trim_start();
            let keyword = rest.starts_with('=') && !rest.starts_with("==");
            // `town|default(ctiy)`: `town` may be missing; the default may not.
            let guarded = [
                "|default",
                "| default",
                "|d(",
                "is defined",
                "is not defined",
                "is undefined",
            ]
            .iter()
            .any(|guard| rest.starts_with(guard));
            if attribute || keyword || guarded || placeholders.contains(word.text) {
                return None;
            }
            let name = missing.get(word.text)?;
            Some((name.as_str(), word.span))
        })
}

/// For timl's own functions' "the argument `name` of `mention()` is undefined" in
/// the call `shown`: what the author wrote for it, and what to check.
fn undefined_argument(detail: &str, shown: &str) -> Option<(String, String)> {
    let rest = detail.strip_prefix("the argument `")?;
    let (param, rest) = rest.split_once('`')?;
    let function = rest.split('`').nth(1).unwrap_or("the function");
    let written = shown
        .split_once(&format!("{param}="))
        .map(|(_, after)| after.split([',', ')']).next().unwrap_or("").trim())
        .filter(|w| !w.is_empty());
    let message = match written {
        Some(written) => {
            format!("`{written}` is undefined: the argument `{param}` of `{function}` gets nothing")
        }
        None => format!("the argument `{param}` of `{function}` is undefined"),
    };
    let help = match written {
        Some(written) => {
            format!("check the spelling of `{written}` (a variable, or an attribute of one)")
        }
        None => format!("check the spelling of what is given as `{param}`"),
    };
    Some((message, help))
}

/// "`name` is undefined", at `span` of `source`.
fn undefined_at(source: &super::Source, name: &str, span: Span) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(&rules::TEMPLATE, format!("`{name}` is undefined"))
        .at(span)
        .help("give it a value with `--var`, `--vars` or a `--data` column");
    diagnostic.resolve(&source.path, &LineIndex::new(&source.text));
    diagnostic
}

/// The variables of a rendering with a hole for each undefined one found so far.
#[derive(Debug)]
struct WithHoles {
    holes: HashSet<String>,
    base: Value,
}

impl Object for WithHoles {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = key.as_str()?;
        if self.holes.contains(name) {
            return Some(Value::from_object(Hole));
        }
        self.base.get_attr(name).ok().filter(|v| !v.is_undefined())
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        match self.base.try_iter() {
            Ok(keys) => Enumerator::Values(keys.collect()),
            Err(_) => Enumerator::Empty,
        }
    }
}

/// A stand-in for an undefined variable: prints nothing, is false, holds nothing,
/// and each of its attributes and items is another hole, so that `{{ user.name }}`
/// with `user` undefined lets the rendering go on to the next undefined variable.
#[derive(Debug)]
struct Hole;

impl Object for Hole {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, _key: &Value) -> Option<Value> {
        Some(Value::from_object(Hole))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Empty
    }

    fn render(self: &Arc<Self>, _f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Ok(())
    }
}

/// The variable an expression starts with: `user` of `user.name`, `xs` of `xs[0]`.
fn variable(expression: &str) -> Option<&str> {
    let end = expression
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(expression.len());
    let name = &expression[..end];
    let starts_well = name.starts_with(|c: char| c.is_alphabetic() || c == '_');
    starts_well.then_some(name)
}

/// Names longer than this are never compared: no one types them, and comparing
/// costs the product of the lengths (a column name may be megabytes long).
const LONGEST_NAME: usize = 64;

/// How many defined names are compared, at most (a row may have 100,000 columns).
const MOST_NAMES: usize = 1000;

/// For `shown` = `user.nmae` with `user` (`head`) defined: `user.name`, when
/// `user` has an attribute near enough to `nmae` to be a typo.
fn nearest_attribute(head: &str, shown: &str, context: &Value) -> Option<String> {
    let attribute = shown.strip_prefix(head)?.strip_prefix('.')?;
    let attribute = variable(attribute).filter(|a| a.len() == attribute.len())?;
    let object = context.get_attr(head).ok()?;
    Some(format!("{head}.{}", nearest(attribute, &object)?))
}

/// The name in `names` (a map's keys) nearest to `name`, when one is near enough
/// to be a typo.
pub(super) fn nearest(name: &str, names: &Value) -> Option<String> {
    if name.len() > LONGEST_NAME {
        return None;
    }
    let names = names.try_iter().ok()?;
    names
        .take(MOST_NAMES)
        .filter_map(|key| key.as_str().map(str::to_owned))
        .filter(|key| key.len() <= LONGEST_NAME)
        .map(|key| (edit_distance(name, &key), key))
        .filter(|(distance, key)| *distance <= (key.chars().count() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, key)| key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    fn messages(source: &str, context: Value) -> Vec<(String, Option<String>)> {
        let template = Template::new("t.timl", source, None).unwrap();
        let diagnostics = template.render(context, 1 << 20).unwrap_err();
        diagnostics
            .into_iter()
            .map(|d| (d.message, d.help))
            .collect()
    }

    #[test]
    fn every_undefined_variable_is_named_with_the_nearest_defined_one() {
        let found = messages(
            "{{ name }} {{ nmae }} {{ cuont }} {{ zzz }} {{ nmae }}",
            context! { name => "a", count => 1 },
        );
        let named: Vec<&str> = found.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(
            named,
            [
                "`nmae` is undefined",
                "`cuont` is undefined",
                "`zzz` is undefined"
            ]
        );
        assert_eq!(found[0].1.as_deref(), Some("did you mean `name`?"));
        assert_eq!(found[1].1.as_deref(), Some("did you mean `count`?"));
        assert!(found[2].1.as_deref().unwrap().contains("--var"));
    }

    #[test]
    fn an_attribute_of_a_defined_variable_ends_the_search() {
        let found = messages(
            "{{ user.nmae }} {{ other }}",
            context! { user => context! { name => "a" } },
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "`user.nmae` is undefined");
    }

    #[test]
    fn other_errors_are_reported_as_they_are() {
        let found = messages("{{ 1 / 0 }} {{ missing }}", context! {});
        assert_eq!(found.len(), 1);
        assert!(!found[0].0.contains("undefined"), "{found:?}");
    }

    #[test]
    fn a_hole_never_causes_a_report_of_its_own() {
        // `a` is a hole: `a.b` and `a + 1` are not reported again, `c` is.
        let found = messages("{{ a.b }} {{ a.b.c }} {{ c }}", context! {});
        let named: Vec<&str> = found.iter().map(|(m, _)| m.as_str()).collect();
        assert_eq!(named, ["`a` is undefined", "`c` is undefined"]);
    }

    #[test]
    fn the_variable_is_found_inside_filters_calls_and_operators() {
        let context = context! { name => "a", user => context! { name => "u" } };
        for (source, expected, help) in [
            (
                "{{ nmae|upper }}",
                "`nmae` is undefined",
                Some("did you mean `name`?"),
            ),
            (
                "{{ 'x' ~ nmae }}",
                "`nmae` is undefined",
                Some("did you mean `name`?"),
            ),
            (
                "{{ range(nmae) }}",
                "`nmae` is undefined",
                Some("did you mean `name`?"),
            ),
            (
                "{{ mention(usr, name=name) }}",
                "`usr` is undefined",
                Some("did you mean `user`?"),
            ),
            (
                "{{ user.nmae }}",
                "`user.nmae` is undefined",
                Some("did you mean `user.name`?"),
            ),
            ("{{ 'nmae' ~ zz }}", "`zz` is undefined", None),
        ] {
            let found = messages(source, context.clone());
            // A name passed to a call also says what the call gets.
            assert!(found[0].0.starts_with(expected), "{source}: {}", found[0].0);
            if let Some(help) = help {
                assert_eq!(found[0].1.as_deref(), Some(help), "{source}");
            }
        }
    }

    #[test]
    fn variables_start_an_expression() {
        assert_eq!(variable("user.name"), Some("user"));
        assert_eq!(variable("xs[0]"), Some("xs"));
        assert_eq!(variable("名前"), Some("名前"));
        assert_eq!(variable("1 + x"), None);
        assert_eq!(variable(""), None);
    }
}
