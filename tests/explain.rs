//! `timl explain`'s explanations are right: for every rule, the mistake it shows
//! breaks the rule and the fix it shows does not.

use timl::{compile_json, compile_markup, compile_template, rules, Options, Template};

/// The code blocks of `text` that follow the heading `heading`, up to the next
/// heading, with their language.
fn blocks<'t>(text: &'t str, heading: &str) -> Vec<(&'t str, String)> {
    let Some(section) = text.split(&format!("## {heading}\n")).nth(1) else {
        return Vec::new();
    };
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut found = Vec::new();
    let mut pieces = section.split("```");
    pieces.next();
    while let (Some(block), _) = (pieces.next(), pieces.next()) {
        let (language, code) = block.split_once('\n').unwrap_or((block, ""));
        found.push((language.trim(), code.to_owned()));
    }
    found
}

/// The rules an example block shows, compiled as its language says (`text` blocks
/// are prose: a server's answer, bytes no Markdown can hold).
fn rules_of(language: &str, code: &str) -> Option<Vec<&'static str>> {
    let options = Options::default();
    let compiled = match language {
        // Template code is rendered first, as `timl check` does.
        "timl" if code.contains("{{") || code.contains("{%") => {
            match Template::new("example.timl", code, None) {
                Ok(template) => compile_template(&template, minijinja::context! {}, &options),
                Err(diagnostics) => return Some(diagnostics.iter().map(|d| d.rule.name).collect()),
            }
        }
        "timl" => compile_markup("example.timl", code, &options),
        "json" => compile_json("example.json", code, &options),
        _ => return None,
    };
    Some(compiled.diagnostics.iter().map(|d| d.rule.name).collect())
}

/// The rules whose mistake cannot be shown by compiling one file: it needs the
/// server's answers, bytes that are not UTF-8, data rows, or an app's face catalog.
const PROSE_ONLY: [&str; 9] = [
    "encoding",
    "data",
    "same-message",
    "same-random",
    "group-missing",
    "group-type-mismatch",
    "from-not-member",
    "mention-not-member",
    "face-unknown",
];

#[test]
fn every_rule_has_an_explanation_whose_examples_hold() {
    for rule in rules::ALL {
        let text = rule.explanation;
        assert!(
            text.len() > 200 && !text.contains("TODO"),
            "`{}` has no explanation yet",
            rule.name
        );
        let mistakes = blocks(text, "The mistake");
        let fixes = blocks(text, "The fix");
        assert!(
            !mistakes.is_empty(),
            "`{}`: no example of the mistake",
            rule.name
        );
        assert!(!fixes.is_empty(), "`{}`: no example of the fix", rule.name);
        let mut compiled = 0;
        for (language, code) in &mistakes {
            if let Some(found) = rules_of(language, code) {
                compiled += 1;
                assert!(
                    found.contains(&rule.name),
                    "`{}`: the mistake shows {found:?}:\n{code}",
                    rule.name
                );
            }
        }
        for (language, code) in &fixes {
            if let Some(found) = rules_of(language, code) {
                compiled += 1;
                assert!(
                    !found.contains(&rule.name),
                    "`{}`: the fix still shows it:\n{code}",
                    rule.name
                );
                let errors: Vec<_> = found
                    .iter()
                    .filter(|name| rules::by_name(name).unwrap().severity == timl::Severity::Error)
                    .collect();
                assert!(
                    errors.is_empty(),
                    "`{}`: the fix has errors {errors:?}:\n{code}",
                    rule.name
                );
            }
        }
        if !PROSE_ONLY.contains(&rule.name) {
            assert!(
                compiled >= 2,
                "`{}`: the examples are not timl or json blocks",
                rule.name
            );
        }
    }
}
