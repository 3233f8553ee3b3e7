//! Batch checks a reviewer can trust: every row is checked past a bad one, every
//! undefined variable is named at once, a problem shared by thousands of rows prints
//! a screenful, and rows that would send the same message twice are flagged.

mod common;
use common::*;

const HEAD: &str = "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\n";

/// A ragged CSV row is an error of that row; the rows after it are still checked.
#[test]
fn a_ragged_csv_row_does_not_stop_the_checking() {
    let dir = scratch("batch-ragged");
    let file = write(
        &dir,
        "t.timl",
        &format!("{HEAD}{{{{ name }}}} owes {{{{ amount }}}}\n"),
    );
    let rows = "name,amount\nAmy,5\nBen\nCy,7,9\nDee,8\n";
    let data = write(&dir, "rows.csv", rows);
    let output = timl(&["check", &file, "--data", &data, "--format", "json"]);
    assert_eq!(code(&output), 1);
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let rows_named: Vec<(u64, u64)> = lines
        .iter()
        .map(|d| (d["row"].as_u64().unwrap(), d["data_line"].as_u64().unwrap()))
        .collect();
    assert_eq!(rows_named, [(2, 3), (3, 4)], "{lines:?}");
    assert!(lines.iter().all(|d| d["rule"] == "data"));
    assert_eq!(
        lines[1]["message"],
        "the row has 3 fields, but the header row has 2 columns"
    );

    // A problem after the bad row is found too.
    let rows = "name,amount\nAmy,5\nBen\nCy,x\n";
    write(&dir, "rows.csv", rows);
    let file = write(
        &dir,
        "t.timl",
        &format!("{HEAD}{{{{ name }}}} owes {{{{ amount }}}}[face {{{{ amount }}}}]\n"),
    );
    let output = timl(&["check", &file, "--data", &data]);
    let shown = stdout(&output);
    assert!(shown.contains("in row 2 of"), "{shown}");
    assert!(shown.contains("in row 3 of"), "{shown}");
    assert!(shown.contains("checked 1 file: 2 errors"), "{shown}");
}

/// Every undefined variable of a template is named in one run, with the nearest
/// column or variable.
#[test]
fn every_undefined_variable_is_named_with_did_you_mean() {
    let dir = scratch("batch-undefined");
    let body = "Dear {{ nmae }}, {{ greeting }}: order {{ ordr }} ({{ city }}) {{ zzz }}\n";
    let file = write(&dir, "t.timl", &format!("{HEAD}{body}"));
    let data = write(&dir, "rows.csv", "name,order\nAmy,A1\n");
    let output = timl(&[
        "check",
        &file,
        "--data",
        &data,
        "--var",
        "greting=Hi",
        "--format",
        "json",
    ]);
    assert_eq!(code(&output), 1);
    let found: Vec<(String, String)> = stdout(&output)
        .lines()
        .map(|line| {
            let d: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                d["message"].as_str().unwrap().to_owned(),
                d["help"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let messages: Vec<&str> = found.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(
        messages,
        [
            "`nmae` is undefined",
            "`greeting` is undefined",
            "`ordr` is undefined",
            "`city` is undefined",
            "`zzz` is undefined"
        ]
    );
    assert_eq!(found[0].1, "did you mean `name`?");
    assert_eq!(found[1].1, "did you mean `greting`?");
    assert_eq!(found[2].1, "did you mean `order`?");
    assert!(found[4].1.contains("--var"), "{found:?}");
}

/// 5,000 rows with one shared problem print a screenful: the first in full, then
/// the count and the first rows' numbers. JSON keeps one object per diagnostic.
#[test]
fn a_problem_shared_by_thousands_of_rows_prints_a_screenful() {
    let dir = scratch("batch-shared");
    let file = write(
        &dir,
        "t.timl",
        &format!("{HEAD}Hi {{{{ nmae }}}} [face 1000]\n"),
    );
    let rows: String = std::iter::once("name\n".to_owned())
        .chain((0..5000).map(|n| format!("user{n}\n")))
        .collect();
    let data = write(&dir, "rows.csv", &rows);
    let output = timl(&["check", &file, "--data", &data]);
    assert_eq!(code(&output), 1);
    let shown = stdout(&output);
    assert!(shown.lines().count() < 40, "{shown}");
    assert!(
        shown.contains(&format!(
            "... and in 4,999 more rows of {data}: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, ..."
        )),
        "{shown}"
    );
    assert!(shown.contains("checked 1 file: 5,000 errors"), "{shown}");

    let output = timl(&["check", &file, "--data", &data, "--format", "json"]);
    let json = stdout(&output);
    let lines: Vec<&str> = json.lines().collect();
    assert_eq!(lines.len(), 5000);
    let last: serde_json::Value = serde_json::from_str(lines[4999]).unwrap();
    assert_eq!(
        (last["row"].as_u64(), last["data_line"].as_u64()),
        (Some(5000), Some(5001))
    );

    // `compile` prints to standard error the same way.
    let output = timl(&["compile", &file, "--data", &data]);
    assert_eq!(code(&output), 1);
    assert!(stderr(&output).lines().count() < 40, "{}", stderr(&output));
}

/// Rows that compile to the same message are a warning naming the first row.
#[test]
fn rows_that_compile_to_the_same_message_are_flagged() {
    let dir = scratch("batch-same");
    let file = write(&dir, "t.timl", &format!("{HEAD}Shipped, {{{{ name }}}}!\n"));
    let data = write(&dir, "rows.csv", "name\nAmy\nBen\nAmy\n");
    let output = timl(&["check", &file, "--data", &data]);
    assert_eq!(code(&output), 0);
    let shown = stdout(&output);
    assert!(
        shown.contains("warning[same-message]: this row compiles to the same message as row 1"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("in row 3 of {data} (line 4)")),
        "{shown}"
    );
    assert!(shown.contains("checked 1 file: 1 warning"), "{shown}");
    let denied = timl(&["check", &file, "--data", &data, "--deny-warnings"]);
    assert_eq!(code(&denied), 1);
    let distinct = write(&dir, "distinct.csv", "name\nAmy\nBen\n");
    let output = timl(&["check", &file, "--data", &distinct]);
    assert!(
        stdout(&output).contains("no problems"),
        "{}",
        stdout(&output)
    );
}

/// Two rows whose derived Randoms collide (found among 300,000 rows of this template
/// by the derivation alone): the later is derived again, so the server drops neither,
/// and the batch still gives the same bodies every time.
#[test]
fn derived_randoms_never_collide_within_a_batch() {
    let dir = scratch("batch-collide");
    let file = write(&dir, "t.timl", &format!("{HEAD}Row {{{{ n }}}}\n"));
    let randoms = |rows: &str| -> Vec<u64> {
        let data = write(&dir, "rows.csv", rows);
        let output = timl(&["compile", &file, "--data", &data]);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        assert_eq!(stderr(&output), "");
        stdout(&output)
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["Random"]
                    .as_u64()
                    .unwrap()
            })
            .collect()
    };
    let alone = [randoms("n\n19254\n")[0], randoms("n\n108006\n")[0]];
    assert_eq!(alone[0], alone[1], "the two rows' derived Randoms collide");
    let together = randoms("n\n19254\n108006\n");
    assert_eq!(together[0], alone[0], "the first keeps its derived Random");
    assert_ne!(together[1], together[0]);
    assert_eq!(
        randoms("n\n19254\n108006\n"),
        together,
        "the same batch, the same bodies"
    );
    // `check` agrees: nothing to report.
    let data = write(&dir, "rows.csv", "n\n19254\n108006\n");
    let output = timl(&["check", &file, "--data", &data]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    // A Random the author fixed is theirs: two rows sharing it are still an error.
    let fixed = write(
        &dir,
        "fixed.timl",
        &format!("{HEAD}Row {{{{ n }}}}\n").replace("---\nRow", "random: 7\n---\nRow"),
    );
    let output = timl(&["check", &fixed, "--data", &data]);
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).contains("error[same-random]"));
}
