//! The house rules a newcomer relies on, checked: `src/` has at most 12 entries, its
//! top-level modules import each other one way only (no cycle), no function outside
//! tests is over 100 lines, and no code cites a document outside the repository.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The top-level modules: a folder or a file of `src/` (but `lib.rs` and `main.rs`).
fn top_modules() -> BTreeMap<String, Vec<PathBuf>> {
    let mut modules = BTreeMap::new();
    for entry in fs::read_dir(src()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        let files = if path.is_dir() {
            rust_files(&path)
        } else {
            vec![path]
        };
        modules.insert(name, files);
    }
    modules
}

/// The code of `text` before its unit tests.
fn before_tests(text: &str) -> &str {
    text.split("#[cfg(test)]\nmod tests").next().unwrap_or(text)
}

#[test]
fn src_has_at_most_twelve_entries() {
    let entries = fs::read_dir(src()).unwrap().count();
    assert!(entries <= 12, "src/ has {entries} entries");
}

#[test]
fn top_level_modules_import_one_way() {
    let modules = top_modules();
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, files) in &modules {
        let used = imports.entry(name.clone()).or_default();
        for file in files {
            let text = fs::read_to_string(file).unwrap();
            for line in before_tests(&text).lines() {
                for (i, _) in line.match_indices("crate::") {
                    let rest = &line[i + "crate::".len()..];
                    let other: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if other != *name && modules.contains_key(&other) {
                        used.insert(other);
                    }
                }
            }
        }
    }
    // No module reaches, through any chain, back to itself.
    for start in imports.keys() {
        let mut stack: Vec<&String> = imports[start].iter().collect();
        let mut seen = BTreeSet::new();
        while let Some(next) = stack.pop() {
            assert_ne!(
                next, start,
                "an import cycle through `{start}`: {imports:?}"
            );
            if seen.insert(next) {
                stack.extend(imports.get(next).into_iter().flatten());
            }
        }
    }
}

/// The length in lines of every function in `text` (outside its tests), by name.
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = before_tests(text).lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim_start();
        let is_fn = [
            "fn ",
            "pub fn ",
            "pub(crate) fn ",
            "pub(super) fn ",
            "const fn ",
        ]
        .iter()
        .any(|start| line.starts_with(start));
        if !is_fn {
            i += 1;
            continue;
        }
        let name: String = line[line.find("fn ").unwrap() + 3..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let (mut depth, mut opened, mut end) = (0i32, false, i);
        for (j, text) in lines.iter().enumerate().skip(i) {
            let text = code_only(text);
            for c in text.chars() {
                match c {
                    '{' => (depth, opened) = (depth + 1, true),
                    '}' => depth -= 1,
                    _ => {}
                }
            }
            end = j;
            if (opened && depth <= 0) || (!opened && text.trim_end().ends_with(';')) {
                break;
            }
        }
        out.push((name, end - i + 1));
        i = if opened { end + 1 } else { i + 1 };
    }
    out
}

/// `line` without its comment and the insides of string and character literals (whose
/// braces are not code).
fn code_only(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => break,
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '\'' => {
                // A character literal ('{', '\''), not a lifetime ('a).
                let literal: String = chars.clone().take(4).collect();
                if let Some(end) = literal.find('\'').filter(|&end| end > 0) {
                    for _ in 0..=end {
                        chars.next();
                    }
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[test]
fn no_function_is_over_a_hundred_lines() {
    let mut longest = 0;
    for file in rust_files(&src()) {
        let text = fs::read_to_string(&file).unwrap();
        for (name, length) in function_lengths(&text) {
            assert!(
                length <= 100,
                "{}: `{name}` is {length} lines",
                file.display()
            );
            longest = longest.max(length);
        }
    }
    // The scanner sees functions at all (the longest today is about 80 lines).
    assert!(longest > 50, "{longest}");
}

#[test]
fn code_cites_no_document_outside_the_repository() {
    let roots = ["src", "tests", "benches", "fuzz/fuzz_targets", "grammar"];
    for root in roots {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(root);
        for file in rust_files(&dir).into_iter().chain(
            fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "pest")),
        ) {
            let text = fs::read_to_string(&file).unwrap();
            for cited in ["SPEC", "../shared", "DESIGN-NOTES", "shared/reference"] {
                assert!(
                    !text.contains(cited) || file.ends_with("house.rs"),
                    "{} cites `{cited}`",
                    file.display()
                );
            }
        }
    }
}

/// The README's rule table is the rule data: the same rules in the same order, with
/// the same severity, server error and summary. On a mismatch the message holds the
/// table to paste.
#[test]
fn readme_rule_table_is_the_rule_data() {
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let table: Vec<&str> = readme
        .split("\n## Rules\n")
        .nth(1)
        .expect("README has a Rules section")
        .lines()
        .skip_while(|line| !line.starts_with("| rule |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .collect();
    let expected: Vec<String> = timl::rules::ALL
        .iter()
        .map(|rule| {
            let code = rule.server_error.map(|c| c.to_string()).unwrap_or_default();
            format!(
                "| `{}` | {} | {} | {} |",
                rule.name, rule.severity, code, rule.summary
            )
            .replace("|  |", "| |")
        })
        .collect();
    assert_eq!(
        table,
        expected,
        "the README's table should be:\n{}",
        expected.join("\n")
    );
}

/// `println!` and friends panic when their stream cannot be written (a full disk, a
/// closed pipe); timl writes through `status!` or a checked `write!` instead.
#[test]
fn no_printing_macro_that_panics() {
    for file in rust_files(&src()) {
        let text = fs::read_to_string(&file).unwrap();
        for (i, line) in before_tests(&text).lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            // `dbg` spelled in two pieces, so that a search for leftover debugging
            // macros does not find this test.
            for mac in [
                "println!(",
                "print!(",
                "eprintln!(",
                "eprint!(",
                concat!("dbg", "!("),
            ] {
                let found = code.match_indices(mac).any(|(at, _)| {
                    !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                });
                assert!(
                    !found,
                    "{}:{}: `{mac}` panics on a broken stream",
                    file.display(),
                    i + 1
                );
            }
        }
    }
}
