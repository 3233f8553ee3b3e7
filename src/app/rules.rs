//! `timl rules` and `timl explain RULE`: the rule table and each rule's explanation,
//! from the rule data (`diag::rules`).

use std::fmt::Write as _;

use super::config::ExplainConfig;
use super::input::write_stdout;
use super::outcome::Outcome;
use crate::diag::rules::{self, Rule};
use crate::diag::suggest::edit_distance;
use crate::error::Error;

/// `timl rules`: one line a rule: name, severity, the server error it prevents, what.
pub(super) fn list_rules() -> Result<Outcome, Error> {
    let width = rules::ALL
        .iter()
        .map(|rule| rule.name.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for rule in rules::ALL {
        let code = rule
            .server_error
            .map_or(String::new(), |code| code.to_string());
        let _ = writeln!(
            out,
            "{:<width$}  {:<7}  {:>5}  {}",
            rule.name, rule.severity, code, rule.summary
        );
    }
    let _ = writeln!(out, "\n`timl explain RULE` shows why a rule exists, with an example of the mistake and the fix.");
    write_stdout(out.as_bytes())?;
    Ok(Outcome::Success)
}

/// `timl explain RULE`: the rule's explanation, under a line of its data.
pub(super) fn explain(config: ExplainConfig) -> Result<Outcome, Error> {
    let name = config.rule.trim().to_ascii_lowercase();
    let name = name
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches(':');
    let text = match rules::by_name(name) {
        Some(rule) => explanation(rule),
        None => crate::markup::signature::describe_element(name)
            .or_else(|| crate::markup::header::describe(name))
            .ok_or_else(|| Error::Usage(unknown(&config.rule)))?,
    };
    write_stdout(text.as_bytes())?;
    Ok(Outcome::Success)
}

/// The text `timl explain` prints for `rule`.
pub fn explanation(rule: &Rule) -> String {
    let server = match rule.server_error {
        Some(code) => format!("; the server would answer with error {code}"),
        None => String::new(),
    };
    format!(
        "{} ({}{server})\n\n{}\n\n{}",
        rule.name,
        rule.severity,
        rule.summary,
        rule.explanation.trim_end()
    ) + "\n"
}

/// "no rule, element or header key `x`", with the nearest names.
fn unknown(name: &str) -> String {
    let shown = crate::diag::render::printable(name);
    let names = rules::ALL
        .iter()
        .map(|rule| rule.name)
        .chain(crate::markup::ast::element_names())
        .chain(crate::markup::header::names());
    let near = names
        .map(|known| (edit_distance(&name.to_ascii_lowercase(), known), known))
        .filter(|&(distance, _)| distance <= 3)
        .min_by_key(|&(distance, _)| distance);
    match near {
        Some((_, near)) => format!(
            "no rule, element or header key `{shown}`: did you mean `{near}`? (`timl rules` lists the rules)"
        ),
        None => format!("no rule, element or header key `{shown}` (`timl rules` lists the rules)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_get_the_nearest_rule() {
        assert!(unknown("too-lng").contains("did you mean `too-long`?"));
        assert!(!unknown("zzzzzzzzzz").contains("did you mean"));
    }

    #[test]
    fn an_explanation_starts_with_the_rule_data() {
        let text = explanation(rules::by_name("too-long").unwrap());
        assert!(text.starts_with("too-long (error; the server would answer with error 80002)\n\n"));
    }
}
