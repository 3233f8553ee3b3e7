//! Snapshot tests driven by fixture folders.
//!
//! - `fixtures/good/*.timl`: the compiled JSON, then any warnings and notes.
//!   Templates take their variables from `NAME.vars.toml` and their data rows from
//!   `NAME.rows.csv` beside them, and a face catalog from `NAME.faces.toml`; `_*.timl`
//!   files are partials they include.
//! - `fixtures/bad/*.{timl,json}`: the full rendered diagnostics. A bad fixture is
//!   named after the rule it breaks (`too-long-cjk.timl` breaks `too-long`), and the
//!   test checks that the rule is reported, so a fixture cannot pass by accident.

use std::fs;
use std::path::Path;

use timl::compile_input;
use timl::render::{self, Colour};
use timl::Variables;
use timl::{Compiled, InputKind, Options, Severity};

fn name_of(path: &Path) -> String {
    let folder = path
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy();
    format!("{folder}/{}", path.file_name().unwrap().to_string_lossy())
}

fn rendered(diagnostics: &[timl::Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| render::human(d, Colour(false)))
        .collect()
}

/// Compiles a fixture (with its `.vars.toml` and `.rows.csv`), every result.
fn compile_all(path: &Path, bytes: &[u8], kind: InputKind) -> Vec<Compiled> {
    // Relative paths keep the snapshots the same on every machine.
    let folder = Path::new("tests/fixtures").join(path.parent().unwrap().file_name().unwrap());
    let stem = path.file_stem().unwrap().to_string_lossy().to_string();
    let beside =
        |ending: &str| Some(folder.join(format!("{stem}.{ending}"))).filter(|p| p.exists());
    let variables = Variables {
        vars: Vec::new(),
        vars_file: beside("vars.toml"),
        data: beside("rows.csv"),
    };
    let mut options = Options::default();
    if let Some(catalog) = beside("faces.toml") {
        let text = fs::read_to_string(&catalog).unwrap();
        let faces = timl::faces::file::read(&catalog.to_string_lossy(), &text).unwrap();
        options.faces = std::sync::Arc::new(faces);
    }
    let mut results = Vec::new();
    compile_input(
        &name_of(path),
        bytes,
        kind,
        &folder,
        &variables,
        &options,
        &mut |c| {
            results.push(c);
            Ok(())
        },
    )
    .unwrap();
    results
}

/// Compiles a fixture; several requests (`.jsonl`, rows) are taken together: output
/// only when there is exactly one and it compiled.
fn compile(path: &Path, bytes: &[u8], kind: InputKind) -> Compiled {
    let results = compile_all(path, bytes, kind);
    let diagnostics = results.iter().flat_map(|r| r.diagnostics.clone()).collect();
    let message = results
        .into_iter()
        .map(|r| r.message)
        .collect::<Option<Vec<_>>>();
    Compiled {
        message: message.and_then(|mut m| (m.len() == 1).then(|| m.remove(0))),
        diagnostics,
        ..Compiled::default()
    }
}

fn is_partial(path: &Path) -> bool {
    path.file_name().unwrap().to_string_lossy().starts_with('_')
}

#[test]
fn good_fixtures() {
    insta::glob!("fixtures/good/*.timl", |path| {
        if is_partial(path) {
            return;
        }
        let bytes = fs::read(path).unwrap();
        let results = compile_all(path, &bytes, InputKind::Markup);
        let diagnostics: Vec<_> = results.iter().flat_map(|r| r.diagnostics.clone()).collect();
        let mut snapshot = String::new();
        for compiled in results {
            let message = compiled
                .message
                .unwrap_or_else(|| panic!("{}:\n{}", path.display(), rendered(&diagnostics)));
            snapshot.push_str(&message.to_pretty_json());
        }
        let notes = rendered(&diagnostics);
        if !notes.is_empty() {
            snapshot.push_str("---\n");
            snapshot.push_str(&notes);
        }
        insta::assert_snapshot!(snapshot);
    });
}

/// A hand-written `.json` body with the fields of today's documentation is taken
/// without an error and compiles to the same fields and values it was given.
#[test]
fn good_json_fixtures() {
    insta::glob!("fixtures/good/*.json", |path| {
        let bytes = fs::read(path).unwrap();
        let compiled = compile(path, &bytes, InputKind::Json);
        let message = compiled
            .message
            .unwrap_or_else(|| panic!("{}:\n{}", path.display(), rendered(&compiled.diagnostics)));
        let given: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let written: serde_json::Value = serde_json::from_str(&message.to_pretty_json()).unwrap();
        assert_eq!(written, given, "{}", path.display());
        let mut snapshot = message.to_pretty_json();
        let notes = rendered(&compiled.diagnostics);
        if !notes.is_empty() {
            snapshot.push_str("---\n");
            snapshot.push_str(&notes);
        }
        insta::assert_snapshot!(snapshot);
    });
}

/// Every good fixture's output, read back as a `.json` input (pretty, and every
/// message as a line of `.jsonl`), is the same message and the same bytes, without
/// an error: the strict reading refuses nothing that markup makes.
#[test]
fn good_fixtures_read_back_from_json_unchanged() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good");
    let mut checked = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("timl") || is_partial(&path) {
            continue;
        }
        let bytes = fs::read(&path).unwrap();
        let results = compile_all(&path, &bytes, InputKind::Markup);
        let mut lines = String::new();
        for compiled in &results {
            let message = compiled.message.as_ref().unwrap();
            let pretty = message.to_pretty_json();
            let again = timl::compile_json("again.json", &pretty, &Options::default());
            assert!(
                again.diagnostics.iter().all(|d| !d.is_error()),
                "{}:\n{}",
                path.display(),
                rendered(&again.diagnostics)
            );
            assert_eq!(again.message.as_ref(), Some(message), "{}", path.display());
            assert_eq!(again.message.unwrap().to_pretty_json(), pretty);
            let compact = compiled.compact_json().unwrap();
            lines.push_str(&compact);
            lines.push('\n');
            checked += 1;
        }
        let again = timl::compile_json_lines("again.jsonl", &lines, &Options::default());
        let again: Vec<String> = again
            .iter()
            .map(|c| c.compact_json().expect("no error"))
            .collect();
        let expected: Vec<&str> = lines.lines().collect();
        assert_eq!(again, expected, "{}", path.display());
    }
    assert!(checked >= 20, "only {checked} messages read back");
}

#[test]
fn bad_fixtures() {
    insta::glob!("fixtures/bad/*.{timl,json,jsonl}", |path| {
        if is_partial(path) {
            return;
        }
        let bytes = fs::read(path).unwrap();
        let compiled = compile(path, &bytes, InputKind::of_path(&path.to_string_lossy()));
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let rule = timl::rules::ALL
            .iter()
            .filter(|rule| stem.starts_with(rule.name))
            .max_by_key(|rule| rule.name.len())
            .unwrap_or_else(|| {
                panic!("{stem}: a bad fixture's name starts with the rule it breaks")
            });
        assert!(
            compiled
                .diagnostics
                .iter()
                .any(|d| d.rule.name == rule.name),
            "{} does not report `{}`:\n{}",
            path.display(),
            rule.name,
            rendered(&compiled.diagnostics)
        );
        if rule.severity == Severity::Error {
            assert!(
                compiled.message.is_none(),
                "{}: an error must stop the output",
                path.display()
            );
        }
        insta::assert_snapshot!(rendered(&compiled.diagnostics));
    });
}

#[test]
fn every_rule_has_a_bad_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad");
    let names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // These need the server's answers; `tests/online.rs` breaks each against the
    // fake server.
    let online = [
        "group-missing",
        "group-type-mismatch",
        "from-not-member",
        "mention-not-member",
    ];
    for rule in timl::rules::ALL {
        if online.contains(&rule.name) {
            continue;
        }
        assert!(
            names.iter().any(|n| n.starts_with(rule.name)),
            "no bad fixture for rule `{}`",
            rule.name
        );
    }
}
