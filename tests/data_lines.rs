//! Data rows are where the file says they are: every row's line is the physical line
//! it starts on whatever the line endings (LF, CRLF, CR, mixed) and however many
//! line breaks its quoted fields hold, and a CSV quote still open at the end of the
//! file is an error at that quote, never rows silently read into one field.

mod common;
use common::*;

use proptest::prelude::*;
use timl::{compile_input, Compiled, InputKind, Options, Variables};

/// `v` and `w` make every row's message its own; `w == "boom"` is a template error.
const TEMPLATE: &str = "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n\
    {{ v }} / {{ w }}{% if w == \"boom\" %}{{ nope }}{% endif %}\n";

/// Every result of compiling [`TEMPLATE`] over the data file `name` holding `data`.
fn compile_rows(test: &str, name: &str, data: &str) -> Vec<Compiled> {
    let dir = scratch(test);
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    let variables = Variables {
        data: Some(path),
        ..Variables::default()
    };
    let mut results = Vec::new();
    compile_input(
        "t.timl",
        TEMPLATE.as_bytes(),
        InputKind::Markup,
        &dir,
        &variables,
        &Options::default(),
        &mut |compiled| {
            results.push(compiled);
            Ok(())
        },
    )
    .unwrap();
    results
}

/// Each problem as (rule, row number, the row's line, the diagnostic's line and
/// column), the warnings among them.
fn problems(results: &[Compiled]) -> Vec<(String, usize, usize, usize, usize)> {
    let mut found = Vec::new();
    for compiled in results {
        // A problem of the file, not of a row (the header's), names no row.
        let row = compiled
            .row
            .as_ref()
            .map_or((0, 0), |row| (row.number, row.line));
        for d in &compiled.diagnostics {
            let at = d.location.as_ref().map_or((0, 0), |l| (l.line, l.column));
            found.push((d.rule.name.to_owned(), row.0, row.1, at.0, at.1));
        }
    }
    found
}

/// The line breaks of `text`: a CRLF is one, and so is a lone CR or LF.
fn breaks(text: &str) -> usize {
    text.replace("\r\n", "\n").matches(['\n', '\r']).count()
}

/// A CSV field's text: plain, or quoted with commas, doubled quotes and line breaks.
fn field() -> impl Strategy<Value = String> {
    let quoted_piece = prop_oneof![
        "[a-z ]{1,4}",
        Just(",".to_owned()),
        Just("\"\"".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\r".to_owned()),
        Just("é中".to_owned()),
    ];
    prop_oneof![
        "[a-z]{1,6}",
        prop::collection::vec(quoted_piece, 0..6).prop_map(|p| format!("\"{}\"", p.concat())),
    ]
}

/// A record's end: any line ending, sometimes with a blank line after it (which CSV
/// skips, and which is a line all the same).
fn ending() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("\n"),
        Just("\r\n"),
        Just("\r"),
        Just("\n\n"),
        Just("\r\n\r\n")
    ]
}

/// A row: its id (which makes its message its own), `v`, `w` and its ending.
type Record = (usize, String, String, &'static str);

/// Rows of `v,w` fields with their endings, and whether the last has its ending.
fn rows() -> impl Strategy<Value = (Vec<Record>, bool)> {
    let rows = prop::collection::vec((field(), field(), ending()), 1..12);
    let rows = rows.prop_map(|rows| {
        let numbered = rows.into_iter().enumerate();
        numbered.map(|(i, (v, w, end))| (i, v, w, end)).collect()
    });
    (rows, any::<bool>())
}

/// The CSV text of `rows` and each row's line.
fn csv_of(rows: &[Record], last_ending: bool) -> (String, Vec<usize>) {
    let mut text = "v,w\r\n".to_owned();
    let mut lines = Vec::new();
    for (i, (id, v, w, end)) in rows.iter().enumerate() {
        lines.push(breaks(&text) + 1);
        // A quoted value stays quoted: the id goes inside its quotes.
        let v = match v.strip_prefix('"') {
            Some(rest) => format!("\"{id}-{rest}"),
            None => format!("{id}-{v}"),
        };
        text.push_str(&format!("{v},{w}"));
        if i + 1 < rows.len() || last_ending {
            text.push_str(end);
        }
    }
    (text, lines)
}

/// How a row is made bad.
#[derive(Debug, Clone, Copy)]
enum Bad {
    /// One field too many.
    Ragged,
    /// A value the template fails on.
    TemplateError,
    /// The same values as the row before it.
    Repeated,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Well-formed rows have no problem, and each is on the line it starts on.
    #[test]
    fn well_formed_rows_are_on_their_lines((rows, last) in rows()) {
        let (text, lines) = csv_of(&rows, last);
        let results = compile_rows("lines-good", "rows.csv", &text);
        prop_assert_eq!(problems(&results), vec![], "{:?}", text);
        let seen: Vec<usize> = results.iter().map(|c| c.row.as_ref().unwrap().line).collect();
        prop_assert_eq!(seen, lines, "{:?}", text);
    }

    /// One bad row is reported at the line it starts on, as the row it is.
    #[test]
    fn a_bad_row_is_reported_at_its_line(
        (mut rows, last) in rows(),
        pick in any::<prop::sample::Index>(),
        bad in prop_oneof![Just(Bad::Ragged), Just(Bad::TemplateError), Just(Bad::Repeated)],
    ) {
        let k = pick.index(rows.len());
        match bad {
            Bad::Ragged => rows[k].2.push_str(",extra"),
            Bad::TemplateError => rows[k].2 = "boom".to_owned(),
            Bad::Repeated => {
                // Row k again (its id too), right after it.
                let again = rows[k].clone();
                rows.insert(k + 1, again);
            }
        }
        let k = if matches!(bad, Bad::Repeated) { k + 1 } else { k };
        let (text, lines) = csv_of(&rows, last);
        let found = problems(&compile_rows("lines-bad", "rows.csv", &text));
        let rule = match bad {
            Bad::Ragged => "data",
            Bad::TemplateError => "template",
            Bad::Repeated => "same-message",
        };
        prop_assert_eq!(found.len(), 1, "{:?} {:?}", text, found);
        let (name, number, line, at, _) = found[0].clone();
        prop_assert_eq!((name.as_str(), number, line), (rule, k + 1, lines[k]), "{:?}", text);
        if !matches!(bad, Bad::TemplateError) {
            // A row's own problem is at its line in the data file.
            prop_assert_eq!(at, lines[k], "{:?}", text);
        }
    }

    /// One quote left open, after any well-formed rows and before any rows of plain
    /// fields, is one error at that quote, of the row it opens in.
    #[test]
    fn a_quote_left_open_is_an_error_at_it(
        (rows, _) in rows(),
        end in ending(),
        open_in_v in any::<bool>(),
        inside in prop::collection::vec(prop_oneof![
            "[a-z ,]{1,4}", Just("\"\"".to_owned()), Just("\n".to_owned()),
            Just("\r\n".to_owned()), Just("\r".to_owned())], 0..5),
        after in prop::collection::vec(("[a-z]{1,4}", "[a-z]{1,4}", ending()), 0..4),
    ) {
        let (mut text, _) = csv_of(&rows, true);
        text.push_str(end);
        let row_line = breaks(&text) + 1;
        let open = if open_in_v { "\"" } else { "x,\"" };
        text.push_str(open);
        let quote = (row_line, open.len());
        text.push_str(&inside.concat());
        for (v, w, end) in &after {
            text.push_str(&format!("{end}{v},{w}"));
        }
        let found = problems(&compile_rows("lines-open", "rows.csv", &text));
        let row = rows.len() + 1;
        prop_assert_eq!(
            found,
            vec![("data".to_owned(), row, row_line, quote.0, quote.1)],
            "{:?}", text
        );
    }
}

/// The issue's file: a quote open in the last column of row 2 swallowed rows 3 and
/// 4, and two messages went out for four customers.
#[test]
fn the_issue_file_is_an_error_at_the_open_quote() {
    for end in ["\n", "\r\n", "\r"] {
        let dir = scratch("lines-issue");
        let template = write(&dir, "t.timl", TEMPLATE);
        let rows = [
            "v,w",
            "amy,A-1001",
            "chen,\"Chen \"\"the boss",
            "lee,A-1003",
            "kim,A-1004",
        ];
        let data = write(&dir, "rows.csv", &(rows.join(end) + end));
        let output = timl(&["check", &template, "--data", &data]);
        let shown = stdout(&output);
        assert_eq!(code(&output), 1, "{end:?}: {shown}");
        assert!(
            shown
                .contains("error[data]: row 2 opens a quote in the `w` field that is never closed"),
            "{shown}"
        );
        assert!(shown.contains("rows.csv:3:6"), "{shown}");
        assert!(shown.contains("3 | chen,\"Chen \"\"the boss"), "{shown}");
        assert!(
            shown.contains("double a quote that is part of the value"),
            "{shown}"
        );
        assert!(shown.contains("in row 2 of"), "{shown}");
        // Nothing is written for any row.
        let output = timl(&["compile", &template, "--data", &data]);
        assert_eq!(code(&output), 1);
        assert_eq!(stdout(&output), "");
    }
}

/// A header row with a quote left open is an error at the quote, of the header.
#[test]
fn a_quote_left_open_in_the_header_is_an_error() {
    let results = compile_rows("lines-header", "rows.csv", "v,\"w\r\namy,A-1\r\n");
    let found = problems(&results);
    assert_eq!(found, vec![("data".to_owned(), 0, 0, 1, 3)]);
    let message = &results[0].diagnostics[0].message;
    assert!(
        message.starts_with("the CSV header row opens a quote"),
        "{message}"
    );
}

/// JSON Lines rows are on their lines with CRLF line endings too.
#[test]
fn json_lines_rows_are_on_their_lines_with_crlf() {
    let text = "{\"v\":\"a\",\"w\":\"1\"}\r\n\r\n{\"v\":\"b\",\"w\":\"boom\"}\r\n[1]\r\n";
    let found = problems(&compile_rows("lines-jsonl", "rows.jsonl", text));
    assert_eq!(
        found
            .iter()
            .map(|p| (p.0.as_str(), p.1, p.2))
            .collect::<Vec<_>>(),
        [("template", 2, 3), ("data", 3, 4)]
    );
    assert_eq!(found[1].3, 4, "the data error is at the row's line");
    // And through the binary, as a person sees it.
    let dir = scratch("lines-jsonl-cli");
    let template = write(&dir, "t.timl", TEMPLATE);
    let data = write(&dir, "rows.jsonl", text);
    let shown = stdout(&timl(&["check", &template, "--data", &data]));
    assert!(shown.contains("in row 2 of"), "{shown}");
    assert!(shown.contains("(line 3)"), "{shown}");
    assert!(shown.contains("rows.jsonl:4:1"), "{shown}");
}
