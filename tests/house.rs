//! The house rules a newcomer relies on, checked: `src/` has at most 12 entries, its
//! top-level modules import each other one way only (no cycle), no function outside
//! tests is over 100 lines, and no code cites a document outside the repository; and
//! the guide's tables that are data (rules, header keys, elements, stickers) are the
//! data.

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

fn doc(name: &str) -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

/// The rows of the first table after `heading` whose header row starts with `header`.
fn table_rows<'d>(doc: &'d str, heading: &str, header: &str) -> Vec<&'d str> {
    doc.split(&format!("\n{heading}\n"))
        .nth(1)
        .unwrap_or_else(|| panic!("no `{heading}` section"))
        .lines()
        .skip_while(|line| !line.starts_with(header))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .collect()
}

/// The first cell of a table row, split at `, ` into its backquoted names.
fn first_cell_names(row: &str) -> Vec<&str> {
    let cell = row.trim_start_matches("| ").split(" | ").next().unwrap();
    cell.split(", ")
        .map(|name| name.trim_matches('`'))
        .collect()
}

/// The guide's rule table (docs/rules.md) is the rule data: the same rules in the same
/// order, with the same severity, server error and summary. On a mismatch the message
/// holds the table to paste.
#[test]
fn guide_rule_table_is_the_rule_data() {
    let rules = doc("docs/rules.md");
    let table = table_rows(&rules, "## The rules", "| rule |");
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
        "the table of docs/rules.md should be:\n{}",
        expected.join("\n")
    );
}

/// The keys of a header table's first column, a later key of a row shortened to its
/// last part (`push.apns.sound`, `title` is `push.apns.title`).
fn header_table_keys(rows: &[&str]) -> Vec<String> {
    let mut keys = Vec::new();
    for row in rows {
        let mut prefix = String::new();
        for (i, name) in first_cell_names(row).into_iter().enumerate() {
            if i == 0 || name.contains('.') {
                prefix = name.rsplit_once('.').map_or("", |(p, _)| p).to_owned();
                keys.push(name.to_owned());
            } else if prefix.is_empty() {
                keys.push(name.to_owned());
            } else {
                keys.push(format!("{prefix}.{name}"));
            }
        }
    }
    keys
}

/// Every header key is in the header tables of docs/markup.md (what each writes) and
/// of the README (the index), each once, and no other key is. The tables group keys
/// by subject, so they are compared as sets: `timl::header_keys()` lists the push keys
/// in the order they were added.
#[test]
fn header_tables_list_every_header_key_once() {
    let expected: BTreeSet<String> = timl::header_keys().into_iter().map(str::to_owned).collect();
    let markup = doc("docs/markup.md");
    let readme = doc("README.md");
    for (file, rows) in [
        (
            "docs/markup.md",
            table_rows(&markup, "## Header", "| key |"),
        ),
        ("README.md", table_rows(&readme, "### Header", "| key |")),
    ] {
        let keys = header_table_keys(&rows);
        let mut seen = BTreeSet::new();
        for key in &keys {
            assert!(seen.insert(key.clone()), "{file} lists `{key}` twice");
        }
        let missing: Vec<_> = expected.difference(&seen).collect();
        let unknown: Vec<_> = seen.difference(&expected).collect();
        assert!(
            missing.is_empty() && unknown.is_empty(),
            "{file}'s header table: missing {missing:?}, no such key {unknown:?}"
        );
    }
}

/// The element table of docs/markup.md lists exactly the elements, in their order.
#[test]
fn guide_element_table_is_the_element_data() {
    let markup = doc("docs/markup.md");
    let rows = table_rows(&markup, "## Elements", "| element |");
    let names: Vec<&str> = rows.iter().flat_map(|row| first_cell_names(row)).collect();
    assert_eq!(names, timl::element_names());
}

/// docs/faces.md's counts and sticker ranges are TUIKit's catalog: 62 emoji, 51
/// stickers in 3 groups, and each group's names from the first to the last given.
#[test]
fn faces_chapter_counts_and_sticker_ranges_are_the_catalog() {
    // Lines joined, so a phrase may be wrapped.
    let faces = doc("docs/faces.md").replace('\n', " ");
    let catalog = timl::faces::Catalog::builtin();
    let emoji = catalog.emoji().len();
    let stickers = catalog.stickers();
    assert!(
        faces.contains(&format!("a small emoji ({emoji},")),
        "{emoji} emoji"
    );
    let groups = catalog.groups();
    assert!(
        faces.contains(&format!(
            "a big sticker ({}, in {} groups)",
            stickers.len(),
            groups.len()
        )),
        "{} stickers in {} groups",
        stickers.len(),
        groups.len()
    );
    for group in groups {
        let names: Vec<&str> = stickers
            .iter()
            .filter(|s| s.group == group)
            .map(|s| s.name.as_str())
            .collect();
        let range = format!(
            "`{}`-`{}` (group {group})",
            names[0],
            names[names.len() - 1]
        );
        assert!(faces.contains(&range), "docs/faces.md should say {range}");
        let digits = |name: &str| name.trim_start_matches(|c: char| c.is_alphabetic()).len();
        let prefix = names[0].trim_end_matches(|c: char| c.is_ascii_digit());
        let expected: Vec<String> = (0..names.len())
            .map(|i| format!("{prefix}{i:0width$}", width = digits(names[0])))
            .collect();
        assert_eq!(names, expected, "group {group} is {range} without a gap");
    }
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
