//! Every undefined variable of a rendering, not just the first.
//!
//! minijinja stops at the first undefined variable. So that an author fixes them all
//! in one round, a failed rendering that names an undefined variable is tried again
//! with that variable set to an empty placeholder, until it renders, fails some other
//! way, or names a variable it already named. Only the first failure's other errors
//! are reported: a later one may come from a placeholder. Each undefined variable
//! gets "did you mean" against the variables the rendering has (data columns,
//! `--var`, `--vars`).

use minijinja::{Error, ErrorKind, Value};

use super::context::row_context;
use super::Template;
use crate::diag::suggest::edit_distance;
use crate::diag::Diagnostic;

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
    let mut diagnostics = Vec::new();
    let mut placeholders = serde_json::Map::new();
    let mut later: Option<Error> = None;
    loop {
        let error = later.as_ref().unwrap_or(error);
        let (inner, source, span) = template.place(error);
        let mut diagnostic = template.diagnostic(error);
        if inner.kind() != ErrorKind::UndefinedError {
            // Past the first, another error may come from a placeholder's value.
            if diagnostics.is_empty() {
                diagnostics.push(diagnostic);
            }
            return diagnostics;
        }
        let shown = span
            .and_then(|span| source.text.get(span.range()))
            .unwrap_or("");
        let name = variable(shown);
        if name.is_some_and(|name| placeholders.contains_key(name)) {
            // The placeholder's own doing (`"".b`): not the author's.
            return diagnostics;
        }
        if let Some(near) = name.and_then(|name| nearest(name, context)) {
            diagnostic.help = Some(format!("did you mean `{near}`?"));
        }
        diagnostics.push(diagnostic);
        // An attribute of a defined variable (`user.nmae`), or enough names: no
        // further rendering.
        let Some(name) = name else { return diagnostics };
        let defined = context.get_attr(name).is_ok_and(|v| !v.is_undefined());
        if defined || diagnostics.len() >= MOST {
            return diagnostics;
        }
        placeholders.insert(name.to_owned(), serde_json::Value::from(""));
        let retried = row_context(placeholders.clone(), context.clone());
        match template.try_render(&retried, cap) {
            Ok(_) => return diagnostics,
            Err(next) => later = Some(next),
        }
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

/// The defined variable nearest to `name`, when one is near enough to be a typo.
fn nearest(name: &str, context: &Value) -> Option<String> {
    let names = context.try_iter().ok()?;
    names
        .filter_map(|key| key.as_str().map(str::to_owned))
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
    fn a_placeholder_never_causes_a_report() {
        // `a` as a placeholder string has no attribute `b`: that is not reported.
        let found = messages("{{ a.b }} {{ c }}", context! {});
        assert_eq!(found.len(), 1, "{found:?}");
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
