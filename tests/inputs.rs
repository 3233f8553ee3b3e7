//! Inputs the user names on the command line: how much of each is read (`--data`
//! rows, `--max-bytes` and the caps derived from it) and that `-o` never replaces one
//! of them. Runs the built binary.

mod common;
use common::*;

const GOOD: &str =
    "---\ngroup: @TGS#2C5SZEAEF\ntype: public\nrandom: 8912345\n---\nred @all packet[face 6]\n";

// ---------------------------------------------------------------------------------
// --max-bytes
// ---------------------------------------------------------------------------------

#[test]
fn max_bytes_outside_its_range_is_bad_usage() {
    let dir = scratch("inputs-max-bytes");
    let file = write(&dir, "a.timl", GOOD);
    // 2^59 made the read cap overflow to nothing; 2^59 - 1 lifted it altogether.
    for value in [
        "0",
        "1048577",
        "576460752303423487",
        "576460752303423488",
        "18446744073709551615",
        "1e6",
    ] {
        let output = timl(&["compile", &file, "--max-bytes", value]);
        assert_eq!(code(&output), 2, "{value}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!("invalid value '{value}' for '--max-bytes <N>'")),
            "{value}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{value}");
    }
    for value in ["1", "8000", "1048576"] {
        let output = timl(&["compile", &file, "--max-bytes", value]);
        let expected = if value == "1" { 1 } else { 0 };
        assert_eq!(code(&output), expected, "{value}: {}", stderr(&output));
    }
}

#[test]
fn the_largest_max_bytes_still_caps_what_is_read() {
    // 32 times 1 MiB: a bigger input is refused, never read whole.
    let big = format!("{GOOD}{}", "x".repeat((32 << 20) + 1));
    let output = timl_with_stdin(
        &["compile", "-", "--max-bytes", "1048576"],
        Some(big.as_bytes()),
    );
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("error[too-long]: the file is over 33554432 bytes"),
        "{}",
        stderr(&output)
    );
    // And an input that fits is read, not taken for an empty one.
    let output = timl_with_stdin(
        &["compile", "-", "--max-bytes", "1048576"],
        Some(GOOD.as_bytes()),
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(stdout(&output).contains("red @all packet"));
}

// ---------------------------------------------------------------------------------
// --data: no row, and no file, is read past its cap
// ---------------------------------------------------------------------------------

/// A template with one value, for data rows.
const TEMPLATE: &str = "---\ngroup: @TGS#2C5SZEAEF\ntype: public\n---\nHello {{ name }}\n";

/// Asserts that a run over hostile data ended as a data error (exit 1) naming
/// `needle`, wrote nothing and printed a bounded amount.
fn assert_data_error(output: &std::process::Output, needle: &str) {
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("error[data]"), "{err}");
    assert!(err.contains(needle), "{needle} missing from: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(output.stdout.is_empty());
    assert!(err.len() < 2000, "{} bytes of diagnostics", err.len());
}

#[cfg(unix)]
#[test]
fn a_device_as_data_stops_at_the_row_cap() {
    let dir = scratch("inputs-device");
    let template = write(&dir, "t.timl", TEMPLATE);
    // A device of zeros by every data name: through a link, and (as root) itself.
    for name in ["zero.jsonl", "zero.csv", "zero.json"] {
        let path = dir.join(name);
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        let data = path.to_string_lossy();
        let output = timl_limited(400, &["compile", &template, "--data", &data]);
        assert_data_error(&output, &format!("{name}:1:"));
        assert_data_error(&output, "is over 16777216 bytes (16 MiB)");
    }
    let device = dir.join("device.jsonl");
    if make_special("mknod", &[&device.to_string_lossy(), "c", "1", "5"]) {
        let data = device.to_string_lossy();
        for command in ["compile", "check", "preview"] {
            let output = timl_limited(400, &[command, &template, "--data", &data]);
            let out = String::from_utf8_lossy(&output.stdout);
            let err = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(1), "{command}: {err}");
            assert!(
                format!("{out}{err}").contains("row 1 is over 16777216 bytes"),
                "{command}: {out}{err}"
            );
        }
    }
}

#[cfg(unix)]
#[test]
fn a_huge_sparse_line_is_not_read_whole() {
    // 700 MB of one line (NUL bytes, taking no disk), under a 400 MB memory limit.
    let dir = scratch("inputs-sparse");
    let template = write(&dir, "t.timl", TEMPLATE);
    let path = dir.join("rows.jsonl");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(700 << 20).unwrap();
    let data = path.to_string_lossy();
    let output = timl_limited(400, &["compile", &template, "--data", &data]);
    assert_data_error(&output, "rows.jsonl:1:");
    assert_data_error(&output, "row 1 is over 16777216 bytes");
}

/// A FIFO in `dir` called `name` that a thread feeds `head`, then `body` over and
/// over until the reader goes away.
#[cfg(unix)]
fn endless_fifo(dir: &std::path::Path, name: &str, head: &str, body: &str) -> String {
    let path = dir.join(name);
    assert!(make_special("mkfifo", &[&path.to_string_lossy()]));
    let feeding = path.clone();
    let (head, body) = (head.to_owned(), body.to_owned());
    std::thread::spawn(move || {
        use std::io::Write;
        let mut fifo = std::fs::OpenOptions::new()
            .write(true)
            .open(feeding)
            .unwrap();
        let body = body.repeat(((64 << 10) / body.len().max(1)).max(1));
        if fifo.write_all(head.as_bytes()).is_ok() {
            while fifo.write_all(body.as_bytes()).is_ok() {}
        }
    });
    path.to_string_lossy().into_owned()
}

#[cfg(unix)]
#[test]
fn an_endless_pipe_as_data_stops_at_its_cap() {
    let dir = scratch("inputs-fifo");
    let template = write(&dir, "t.timl", TEMPLATE);
    // Rows of a megabyte (the padding unused): an array's cap is met after 64 of them.
    let padded = format!(
        "{{\"name\": \"a\", \"pad\": \"{}\"}},\n",
        "x".repeat(1 << 20)
    );
    for (name, head, body, needle) in [
        (
            "line.jsonl",
            "{\"name\": \"a\"}\n{\"name\": \"",
            "x",
            "line.jsonl:2:",
        ),
        ("record.csv", "name\nTommy\n\"", "x", "record.csv:3:"),
        (
            "item.json",
            "[{\"name\": \"a\"}, {\"name\": \"",
            "x",
            "row 2 is over 16777216",
        ),
        (
            "array.json",
            "[",
            &padded,
            "over 67108864 bytes (64 MiB), more than timl reads for a JSON array",
        ),
    ] {
        let data = endless_fifo(&dir, name, head, body);
        let output = timl_limited(400, &["compile", &template, "--data", &data]);
        assert_data_error(&output, needle);
    }
}

#[test]
fn a_long_bad_row_is_shown_as_a_window() {
    let dir = scratch("inputs-window");
    let template = write(&dir, "t.timl", TEMPLATE);
    // 10 MB of one line, broken at its end; and one that is no object.
    let rows = format!(
        "{{\"name\": \"a\"}}\n{{\"name\": \"{}\" oops}}\n[\"{}\"]\n",
        "é".repeat(5 << 20),
        "1,".repeat(5 << 20)
    );
    let data = write(&dir, "rows.jsonl", &rows);
    let output = timl(&["compile", &template, "--data", &data]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(err.len() < 3000, "{} bytes of diagnostics", err.len());
    assert!(err.contains("the row is not JSON"), "{err}");
    assert!(err.contains("in row 2 of"), "{err}");
    assert!(
        err.contains(&format!("rows.jsonl:2:{}", (5 << 20) + 13)),
        "{err}"
    );
    assert!(err.contains("éé\" oops}"), "{err}");
    assert!(err.contains("the row is not a JSON object"), "{err}");
    assert!(err.contains("in row 3 of"), "{err}");
    assert!(err.contains("rows.jsonl:3:1"), "{err}");
}

#[test]
fn rows_up_to_the_cap_are_read() {
    // A row of nearly 16 MiB is a row (its value unused), and the rows after it too.
    let dir = scratch("inputs-big-row");
    let template = write(&dir, "t.timl", TEMPLATE);
    let big = format!(
        "{{\"name\": \"a\", \"blob\": \"{}\"}}\n",
        "x".repeat((16 << 20) - 100)
    );
    let rows = format!("{big}{big}{{\"name\": \"b\"}}\n");
    let data = write(&dir, "rows.jsonl", &rows);
    let output = timl_limited(400, &["compile", &template, "--data", &data]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 3);
}

#[test]
fn a_diagnostic_quoting_a_huge_value_stays_short() {
    let dir = scratch("inputs-quoted");
    // serde quotes the string it could not take; timl quotes the bad argument.
    let requests = write(
        &dir,
        "requests.jsonl",
        &format!(
            "{{\"GroupId\": \"g\", \"Random\": \"{}\", \"MsgBody\": []}}\n",
            "9".repeat(10 << 20)
        ),
    );
    let face = write(&dir, "face.timl", "---\ngroup: g\n---\n[face {{ n }}]\n");
    let vars = write(
        &dir,
        "vars.json",
        &format!("{{\"n\": \"{}\"}}", "6".repeat(200 << 10)),
    );
    for args in [
        vec!["compile", &requests],
        vec!["check", &requests],
        vec!["compile", &face, "--vars", &vars],
    ] {
        let output = timl(&args);
        assert_eq!(code(&output), 1, "{}", stderr(&output));
        let shown = format!("{}{}", stdout(&output), stderr(&output));
        assert!(shown.len() < 5000, "{args:?}: {} bytes", shown.len());
        assert!(
            shown.contains("666...") || shown.contains("characters left out"),
            "{shown}"
        );
    }
}

// ---------------------------------------------------------------------------------
// --journal: a huge file is refused after its first line
// ---------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn a_huge_file_as_journal_is_refused_without_reading_it() {
    let dir = scratch("inputs-journal");
    let template = write(&dir, "a.timl", GOOD);
    let usersig = write(&dir, "usersig", "not-a-real-usersig");
    // 2 GB of NUL bytes taking no disk, under a 400 MB memory limit.
    let journal = dir.join("huge.journal");
    std::fs::File::create(&journal)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let journal = journal.to_string_lossy().into_owned();
    let send = [
        "send",
        &template,
        "--journal",
        &journal,
        "--sdkappid",
        "1400000000",
        "--identifier",
        "admin",
        "--usersig-file",
        &usersig,
        // Nothing listens there: the journal stops the run before any request.
        "--endpoint",
        "http://127.0.0.1:9",
    ];
    let recall = ["recall", "--journal", &journal, "--dry-run"];
    for args in [&send[..], &recall[..]] {
        let output = timl_limited(400, args);
        let err = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(3), "{args:?}: {err}");
        assert!(
            err.contains("not a timl journal (line 1 is over 4096 bytes"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(std::fs::metadata(&journal).unwrap().len(), 2 << 30);
}

// ---------------------------------------------------------------------------------
// -o never names an input
// ---------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn output_that_names_an_input_is_refused_and_nothing_is_written() {
    let dir = scratch("inputs-output");
    let template = "---\ngroup: {{ group }}\ntype: public\n---\nHello {{ name }}\n{% include \"_footer.timl\" %}\n";
    let file = write(&dir, "a.timl", template);
    write(&dir, "_footer.timl", "Thanks\n");
    write(&dir, "other.timl", GOOD);
    let csv = write(&dir, "rows.csv", "group,name\n@TGS#2C5SZEAEF,Tommy\n");
    let vars = write(
        &dir,
        "vars.json",
        "{\"name\": \"Lee\", \"group\": \"@TGS#2C5SZEAEF\"}",
    );
    std::os::unix::fs::symlink("a.timl", dir.join("link.json")).unwrap();
    std::fs::hard_link(dir.join("rows.csv"), dir.join("hard.jsonl")).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::os::unix::fs::symlink("../vars.json", dir.join("sub/vars-link")).unwrap();
    let before: Vec<_> = [
        "a.timl",
        "_footer.timl",
        "other.timl",
        "rows.csv",
        "vars.json",
    ]
    .iter()
    .map(|name| std::fs::read(dir.join(name)).unwrap())
    .collect();
    let entries = || std::fs::read_dir(&dir).unwrap().count();
    let count = entries();
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![file.clone(), "-o".into(), file.clone()], "the input"),
        // Another spelling, a symbolic link, a hard link.
        (
            vec![file.clone(), "-o".into(), path("./sub/../a.timl")],
            "the input",
        ),
        (
            vec![file.clone(), "-o".into(), path("link.json")],
            "the input",
        ),
        (
            vec![
                file.clone(),
                "--data".into(),
                csv.clone(),
                "-o".into(),
                path("hard.jsonl"),
            ],
            "the data file",
        ),
        (
            vec![
                file.clone(),
                "--data".into(),
                csv.clone(),
                "-o".into(),
                csv.clone(),
            ],
            "the data file",
        ),
        (
            vec![
                file.clone(),
                "--vars".into(),
                vars.clone(),
                "-o".into(),
                path("sub/vars-link"),
            ],
            "the variables file",
        ),
        // What an include reads, and any template an include could read.
        (
            vec![
                file.clone(),
                "--vars".into(),
                vars.clone(),
                "-o".into(),
                path("_footer.timl"),
            ],
            "a template that an include may read",
        ),
        (
            vec![
                file.clone(),
                "--vars".into(),
                vars.clone(),
                "-o".into(),
                path("other.timl"),
            ],
            "a template that an include may read",
        ),
    ];
    for command in ["compile", "preview"] {
        for (args, what) in &cases {
            let mut all = vec![command];
            all.extend(args.iter().map(String::as_str));
            let output = timl(&all);
            let err = stderr(&output);
            assert_eq!(code(&output), 2, "{all:?}: {err}");
            assert!(err.contains(&format!("is {what}")), "{all:?}: {err}");
            assert!(err.contains("which this run reads"), "{all:?}: {err}");
            assert_eq!(stdout(&output), "", "{all:?}");
        }
    }
    let after: Vec<_> = [
        "a.timl",
        "_footer.timl",
        "other.timl",
        "rows.csv",
        "vars.json",
    ]
    .iter()
    .map(|name| std::fs::read(dir.join(name)).unwrap())
    .collect();
    assert_eq!(before, after, "no input was touched");
    assert_eq!(entries(), count, "no temporary file was left");
    assert!(std::fs::symlink_metadata(dir.join("link.json"))
        .unwrap()
        .file_type()
        .is_symlink());
    // A file that is no input is written as ever, and so is a new one.
    for _ in 0..2 {
        let output = timl(&["compile", &file, "--vars", &vars, "-o", &path("out.json")]);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
    }
    let output = timl(&["compile", &file, "--vars", &vars, "-o", &path("new.timl")]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // Once it exists, a `.timl` file beside the template is one an include may read.
    let output = timl(&["compile", &file, "--vars", &vars, "-o", &path("new.timl")]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
}

#[cfg(unix)]
#[test]
fn a_huge_include_is_not_read_whole() {
    // 1 GB of NUL bytes taking no disk, included, under a 400 MB memory limit.
    let dir = scratch("inputs-include");
    let file = write(
        &dir,
        "a.timl",
        "---\ngroup: @TGS#2C5SZEAEF\n---\n{% include \"_big.timl\" %}\n",
    );
    std::fs::File::create(dir.join("_big.timl"))
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    let output = timl_limited(400, &["compile", &file]);
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(err.contains("error[template]"), "{err}");
    assert!(err.contains("over 33554432 bytes"), "{err}");
}

#[cfg(unix)]
#[test]
fn rows_of_many_small_values_stop_at_a_budget() {
    // Eight bytes of text make a table of a few hundred bytes: 15 MB of them would
    // take more than a gigabyte, so values are counted too.
    let dir = scratch("inputs-values");
    let template = write(&dir, "t.timl", TEMPLATE);
    let tables = "{\"a\":0},".repeat(15 << 17);
    let line = format!("{{\"name\": \"a\", \"x\": [{tables}0]}}");
    let jsonl = write(
        &dir,
        "rows.jsonl",
        &format!("{{\"name\": \"b\"}}\n{line}\n"),
    );
    let array = write(
        &dir,
        "rows.json",
        &format!("[{{\"name\": \"b\"}},\n{line}]"),
    );
    let vars = write(&dir, "vars.json", &line);
    for (args, needle) in [
        (["--data", &jsonl], "rows.jsonl:2:"),
        (
            ["--data", &jsonl],
            "the row holds more than 100000 JSON values",
        ),
        (
            ["--data", &array],
            "the row holds more than 100000 JSON values",
        ),
        (["--vars", &vars], "holds more than 250000 JSON values"),
    ] {
        let mut all = vec!["compile", &template];
        all.extend(args);
        let output = timl_limited(400, &all);
        assert_data_error(&output, needle);
    }
}

#[test]
fn a_column_named_twice_is_quoted_short() {
    let dir = scratch("inputs-columns");
    let template = write(&dir, "t.timl", TEMPLATE);
    let name = "n".repeat(100_000);
    let rows = write(&dir, "rows.csv", &format!("{name},{name}\n1,2\n"));
    let output = timl(&["compile", &template, "--data", &rows]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(err.contains("names the column `nnn"), "{err}");
    assert!(err.len() < 2000, "{} bytes", err.len());
}
