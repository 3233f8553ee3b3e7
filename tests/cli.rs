//! Tests that run the built `timl` binary: exit codes, streams, files.

use std::fs;
use std::path::Path;

mod common;
use common::*;

const GOOD: &str =
    "---\ngroup: @TGS#2C5SZEAEF\ntype: public\nrandom: 8912345\n---\nred @all packet[sticker yz00]\n";

#[test]
fn compile_prints_the_body_and_exits_0() {
    let dir = scratch("compile");
    let file = write(&dir, "a.timl", GOOD);
    let output = timl(&["compile", &file]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        r#"{
  "GroupId": "@TGS#2C5SZEAEF",
  "Random": 8912345,
  "MsgBody": [
    {
      "MsgType": "TIMTextElem",
      "MsgContent": {
        "Text": "red @all packet"
      }
    },
    {
      "MsgType": "TIMFaceElem",
      "MsgContent": {
        "Index": 1,
        "Data": "yz00"
      }
    }
  ],
  "GroupAtInfo": [
    {
      "GroupAtAllFlag": 1
    }
  ]
}
"#
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn compile_reads_standard_input() {
    let output = timl_with_stdin(
        &[
            "compile",
            "-",
            "--group",
            "g1",
            "--group-type",
            "work",
            "--random",
            "5",
        ],
        Some(b"hi @bob"),
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["GroupId"], "g1");
    assert_eq!(json["Random"], 5);
    assert_eq!(json["GroupAtInfo"][0]["GroupAt_Account"], "bob");
}

#[test]
fn errors_exit_1_with_location_rule_and_caret_and_write_nothing() {
    let dir = scratch("errors");
    let file = write(
        &dir,
        "bad.timl",
        "---\ngroup: g\ntype: community\n---\nhello @all\n",
    );
    let out = dir.join("out.json");
    let output = timl(&["compile", &file, "-o", &out.to_string_lossy()]);
    assert_eq!(code(&output), 1);
    let err = stderr(&output);
    assert!(
        err.contains("error[community-at-all]: Community groups do not support @all"),
        "{err}"
    );
    assert!(err.contains(&format!("{file}:5:7")), "{err}");
    assert!(err.contains("5 | hello @all\n  |       ^^^^"), "{err}");
    assert!(err.contains("error[community-group-id]"), "{err}");
    assert!(!out.exists(), "nothing is written when there are errors");
    assert_eq!(stdout(&output), "");
}

#[test]
fn output_file_is_replaced_whole() {
    let dir = scratch("output");
    let file = write(&dir, "a.timl", GOOD);
    let out = dir.join("out.json");
    fs::write(&out, "old").unwrap();
    let output = timl(&["compile", &file, "-o", &out.to_string_lossy()]);
    assert_eq!(code(&output), 0);
    assert!(fs::read_to_string(&out)
        .unwrap()
        .starts_with("{\n  \"GroupId\""));
    assert_eq!(stdout(&output), "");
    // A failed compile leaves the previous output as it was.
    let bad = write(&dir, "b.timl", "---\ngroup: g\n---\n[face x]");
    let before = fs::read(&out).unwrap();
    assert_eq!(
        code(&timl(&["compile", &bad, "-o", &out.to_string_lossy()])),
        1
    );
    assert_eq!(fs::read(&out).unwrap(), before);
}

#[test]
fn unreadable_and_unwritable_files_exit_3() {
    let output = timl(&["compile", "/nonexistent/a.timl"]);
    assert_eq!(code(&output), 3);
    assert!(stderr(&output).contains("cannot read `/nonexistent/a.timl`"));
    let dir = scratch("unwritable");
    let file = write(&dir, "a.timl", GOOD);
    let output = timl(&["compile", &file, "-o", "/nonexistent/dir/out.json"]);
    assert_eq!(code(&output), 3);
    assert!(stderr(&output).contains("cannot write"));
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(code(&timl(&["compile"])), 2);
    assert_eq!(code(&timl(&["frobnicate"])), 2);
    assert_eq!(code(&timl(&["compile", "a.timl", "--random", "-1"])), 2);
    assert_eq!(
        code(&timl(&[
            "compile",
            "a.timl",
            "--random",
            "1",
            "--fresh-random"
        ])),
        2
    );
    assert_eq!(
        code(&timl(&["compile", "a.timl", "--group-type", "BChatRoom"])),
        2
    );
}

#[test]
fn help_explains_options_with_examples() {
    let output = timl(&["compile", "--help"]);
    assert_eq!(code(&output), 0);
    let help = stdout(&output);
    for needle in [
        "--group-type",
        "--fresh-random",
        "--max-bytes",
        "Example",
        "-o",
    ] {
        assert!(help.contains(needle), "{needle} missing from:\n{help}");
    }
}

#[test]
fn random_is_stable_content_sensitive_and_overridable() {
    let dir = scratch("random");
    let a = write(&dir, "a.timl", "---\ngroup: g\ntype: work\n---\nhello\n");
    let b = write(&dir, "b.timl", "---\ngroup: g\ntype: work\n---\nhello!\n");
    let random = |args: &[&str]| -> u64 {
        let output = timl(args);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        serde_json::from_str::<serde_json::Value>(&stdout(&output)).unwrap()["Random"]
            .as_u64()
            .unwrap()
    };
    let first = random(&["compile", &a]);
    assert_eq!(first, random(&["compile", &a]), "same message, same Random");
    assert_ne!(
        first,
        random(&["compile", &b]),
        "different message, different Random"
    );
    assert_ne!(
        first,
        random(&["compile", &a, "--group", "other"]),
        "the group is part of the message"
    );
    assert_eq!(random(&["compile", &a, "--random", "42"]), 42);
    let fresh: Vec<u64> = (0..3)
        .map(|_| random(&["compile", &a, "--fresh-random"]))
        .collect();
    assert!(fresh.iter().any(|&r| r != first) && (fresh[0] != fresh[1] || fresh[1] != fresh[2]));
    // The header's `random:` wins over derivation, and `--random` over the header.
    let c = write(
        &dir,
        "c.timl",
        "---\ngroup: g\ntype: work\nrandom: 7\n---\nhello\n",
    );
    assert_eq!(random(&["compile", &c]), 7);
    assert_eq!(random(&["compile", &c, "--random", "8"]), 8);
}

#[test]
fn check_reports_every_problem_in_every_file() {
    let dir = scratch("check");
    write(&dir, "good.timl", GOOD);
    write(
        &dir,
        "bad.timl",
        "---\ngroup: g\ntype: avchatroom\nonline-only: yes\ncontrol: no-unread\n---\n[fcae of the day] @",
    );
    fs::create_dir(dir.join("nested")).unwrap();
    write(
        &dir.join("nested"),
        "req.json",
        r#"{"GroupId": "g", "MsgBody": [{"MsgType": "TIMFaceElem", "MsgContent": {"Index": 1}}], "From_Account": ""}"#,
    );
    write(&dir, "ignored.txt", "not checked");
    let output = timl(&["check", &dir.to_string_lossy()]);
    assert_eq!(code(&output), 1);
    let out = stdout(&output);
    for rule in [
        "avchatroom-online-only",
        "avchatroom-control",
        "online-only-control",
        "element-lookalike",
        "account-id",
        "face-unrenderable",
    ] {
        assert!(out.contains(&format!("[{rule}]")), "{rule} missing:\n{out}");
    }
    assert!(out.contains("req.json:1:"), "{out}");
    assert!(out.contains("(From_Account)"), "{out}");
    assert!(
        out.ends_with("checked 3 files: 4 errors, 2 warnings\n"),
        "{out}"
    );
}

#[test]
fn check_json_format_lists_each_diagnostic_as_an_object() {
    let dir = scratch("check-json");
    let file = write(
        &dir,
        "bad.timl",
        "---\ngroup: g\ntype: work\npriority: urgent\nfrom: \n---\n[face index=x] [image url=a]\n",
    );
    let output = timl(&["check", &file, "--format", "json"]);
    assert_eq!(code(&output), 1);
    let lines: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect();
    let rules: Vec<&str> = lines.iter().map(|d| d["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        [
            "header-value",
            "account-id",
            "element-args",
            "element-args",
            "element-args"
        ]
    );
    let first = &lines[0];
    assert_eq!(first["file"], file.as_str());
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(4), Some(11))
    );
    assert_eq!(
        (first["end_line"].as_u64(), first["end_column"].as_u64()),
        (Some(4), Some(17))
    );
    assert_eq!(first["severity"], "error");
    assert!(first["message"].as_str().unwrap().contains("urgent"));
    assert!(first.get("help").is_some());
}

#[test]
fn deny_warnings_fails_on_warnings_only_when_asked() {
    let dir = scratch("deny");
    let file = write(
        &dir,
        "w.timl",
        "---\ngroup: g\ntype: work\n---\n[fcae of the day]\n",
    );
    assert_eq!(code(&timl(&["check", &file])), 0);
    assert_eq!(code(&timl(&["check", &file, "--deny-warnings"])), 1);
}

#[test]
fn invalid_utf8_is_an_input_error() {
    let dir = scratch("utf8");
    let path = dir.join("bad.timl");
    fs::write(&path, b"---\ngroup: g\n---\nhi \xff\xfe there").unwrap();
    let output = timl(&["compile", &path.to_string_lossy()]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("error[encoding]"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("bad.timl:4:4"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn compiled_json_is_checked_with_the_same_rules() {
    let dir = scratch("json");
    let file = write(&dir, "a.timl", GOOD);
    let compiled = timl(&["compile", &file]);
    let json = write(&dir, "a.json", &stdout(&compiled));
    let again = timl(&["compile", &json]);
    assert_eq!(code(&again), 0);
    assert_eq!(
        stdout(&again),
        stdout(&compiled),
        "what was reviewed is what comes out"
    );
    let output = timl(&["check", &json, "--group-type", "community"]);
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("(GroupAtInfo[0])"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn every_template_compiles_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut count = 0;
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let partial = path.file_name().unwrap().to_string_lossy().starts_with('_');
        if path.extension().and_then(|e| e.to_str()) != Some("timl") || partial {
            continue;
        }
        // A template with data beside it (`X.csv` for `X.timl`) compiles per row.
        let data = path.with_extension("csv");
        let mut args = vec!["compile".to_owned(), path.to_string_lossy().into_owned()];
        if data.exists() {
            args.extend(["--data".to_owned(), data.to_string_lossy().into_owned()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = timl(&args);
        assert_eq!(code(&output), 0, "{}:\n{}", path.display(), stderr(&output));
        assert_eq!(
            stderr(&output),
            "",
            "{} has warnings or notes",
            path.display()
        );
        count += 1;
    }
    assert!(count >= 6, "only {count} templates");
}

#[test]
fn json_lines_compile_to_json_lines_and_name_the_bad_line() {
    let dir = scratch("jsonl");
    let good = r#"{"GroupId": "g1", "Random": 1, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]}"#;
    let file = write(
        &dir,
        "a.jsonl",
        &format!("{good}\n\n{}\n", good.replace("g1", "g2")),
    );
    let output = timl(&["compile", &file, "--group-type", "work"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let out = stdout(&output);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        lines[1].starts_with(r#"{"GroupId":"g2","Random":1,"#),
        "{out}"
    );
    // Without a type, the note that type rules were skipped comes once per file,
    // not once per line.
    let output = timl(&["compile", &file]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stderr(&output).matches("note[group-type]").count(),
        1,
        "{}",
        stderr(&output)
    );
    // A bad line is named by its line number, and nothing is written.
    let bad = write(
        &dir,
        "b.jsonl",
        &format!("{good}\n{}\n", good.replace("\"Text\"", "\"Txt\"")),
    );
    let output = timl(&["compile", &bad]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("b.jsonl:2:"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
}

#[cfg(unix)]
#[test]
fn output_files_get_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("permissions");
    let file = write(&dir, "a.timl", GOOD);
    let out = dir.join("new.json");
    assert_eq!(
        code(&timl(&["compile", &file, "-o", &out.to_string_lossy()])),
        0
    );
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode & 0o044,
        0o044,
        "others can read it like any new file: {mode:o}"
    );
    // Replacing a file keeps its mode.
    fs::set_permissions(&out, fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(
        code(&timl(&["compile", &file, "-o", &out.to_string_lossy()])),
        0
    );
    assert_eq!(
        fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[cfg(unix)]
#[test]
fn output_to_a_device_writes_into_it_and_leaves_it_a_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = scratch("device");
    let file = write(&dir, "a.timl", GOOD);
    // A private copy of /dev/null first (as root), so that a regression cannot
    // replace the machine's own.
    let null = dir.join("null");
    if make_special("mknod", &[&null.to_string_lossy(), "c", "1", "3"]) {
        let output = timl(&["compile", &file, "-o", &null.to_string_lossy()]);
        assert_eq!(code(&output), 0, "{}", stderr(&output));
        let kind = fs::symlink_metadata(&null).unwrap().file_type();
        assert!(kind.is_char_device(), "{null:?} was replaced: {kind:?}");
        assert!(
            fs::read_dir(&dir).unwrap().count() == 2,
            "no temporary file is left beside it"
        );
    }
    let output = timl(&["compile", &file, "-o", "/dev/null"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    let kind = fs::symlink_metadata("/dev/null").unwrap().file_type();
    assert!(kind.is_char_device(), "/dev/null was replaced: {kind:?}");
}

#[cfg(unix)]
#[test]
fn output_to_a_fifo_writes_into_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = scratch("fifo");
    let file = write(&dir, "a.timl", GOOD);
    let fifo = dir.join("out.fifo");
    assert!(make_special("mkfifo", &[&fifo.to_string_lossy()]));
    // The reader opens the FIFO (which waits for a writer) and reads to the end.
    let (sender, received) = std::sync::mpsc::channel();
    let reading = fifo.clone();
    std::thread::spawn(move || {
        let _ = sender.send(fs::read_to_string(&reading));
    });
    let output = timl(&["compile", &file, "-o", &fifo.to_string_lossy()]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = received
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the FIFO was written and closed")
        .unwrap();
    assert_eq!(text, stdout(&timl(&["compile", &file])));
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 2, "no temporary file");
}

#[cfg(unix)]
#[test]
fn output_through_a_symlink_replaces_its_target_and_keeps_the_link() {
    let dir = scratch("symlink-output");
    let file = write(&dir, "a.timl", GOOD);
    let expected = stdout(&timl(&["compile", &file]));
    fs::create_dir(dir.join("real")).unwrap();
    let target = dir.join("real/out.json");
    fs::write(&target, "old").unwrap();
    // A chain of two links, the first one relative.
    std::os::unix::fs::symlink(&target, dir.join("second")).unwrap();
    std::os::unix::fs::symlink("second", dir.join("out.json")).unwrap();
    let link = dir.join("out.json");
    let output = timl(&["compile", &file, "-o", &link.to_string_lossy()]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    for name in ["out.json", "second"] {
        let kind = fs::symlink_metadata(dir.join(name)).unwrap().file_type();
        assert!(kind.is_symlink(), "{name} is no longer a link: {kind:?}");
    }
    assert_eq!(fs::read_to_string(&target).unwrap(), expected);
    // A link to a file that does not exist yet creates the file.
    let dangling = dir.join("dangling.json");
    std::os::unix::fs::symlink("real/new.json", &dangling).unwrap();
    let output = timl(&["compile", &file, "-o", &dangling.to_string_lossy()]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(fs::symlink_metadata(&dangling)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_to_string(dir.join("real/new.json")).unwrap(),
        expected
    );
    // An error leaves the target as it was.
    let bad = write(&dir, "b.timl", "---\ngroup: g\n---\n[face x]");
    assert_eq!(
        code(&timl(&["compile", &bad, "-o", &link.to_string_lossy()])),
        1
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), expected);
}

#[test]
fn output_dash_is_standard_output() {
    let dir = scratch("dash");
    let file = write(&dir, "a.timl", GOOD);
    let output = timl_in(Some(&dir), &["compile", &file, "-o", "-"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), stdout(&timl(&["compile", &file])));
    assert!(!dir.join("-").exists(), "no file called `-`");
}

/// Runs `timl` with `args`, killed after `seconds` (a loop would hang the test).
fn timl_within(seconds: u64, args: &[&str]) -> std::process::Output {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_timl"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("timl {args:?} did not finish in {seconds} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// The `checked N files` line of a `check` run.
fn checked_line(output: &std::process::Output) -> String {
    stdout(output)
        .lines()
        .find(|line| line.starts_with("checked "))
        .unwrap_or_default()
        .to_owned()
}

#[cfg(unix)]
#[test]
fn check_does_not_follow_a_folder_link_to_its_parent() {
    use std::os::unix::fs::symlink;
    let dir = scratch("check-parent-link");
    fs::create_dir_all(dir.join("sub")).unwrap();
    write(&dir, "a.timl", GOOD);
    symlink("..", dir.join("sub/up")).unwrap();
    let output = timl_within(60, &["check", &dir.to_string_lossy()]);
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
    assert_eq!(checked_line(&output), "checked 1 file: no problems");
}

#[cfg(unix)]
#[test]
fn check_survives_links_that_point_at_each_other() {
    use std::os::unix::fs::symlink;
    let dir = scratch("check-link-cycle");
    fs::create_dir_all(dir.join("a")).unwrap();
    fs::create_dir_all(dir.join("b")).unwrap();
    write(&dir.join("a"), "one.timl", GOOD);
    write(&dir.join("b"), "two.timl", GOOD);
    // Two folder links into each other's folder, and two file links to each other.
    symlink("../b", dir.join("a/to-b")).unwrap();
    symlink("../a", dir.join("b/to-a")).unwrap();
    symlink("y.timl", dir.join("a/x.timl")).unwrap();
    symlink("x.timl", dir.join("a/y.timl")).unwrap();
    let a = dir.join("a");
    let output = timl_within(60, &["check", &a.to_string_lossy()]);
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
    assert_eq!(checked_line(&output), "checked 1 file: no problems");
    let output = timl_within(60, &["check", &dir.to_string_lossy()]);
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
    assert_eq!(checked_line(&output), "checked 2 files: no problems");
}

#[cfg(unix)]
#[test]
fn check_checks_a_file_reached_twice_once() {
    use std::os::unix::fs::symlink;
    let dir = scratch("check-file-twice");
    let root = dir.join("root");
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::create_dir_all(dir.join("elsewhere")).unwrap();
    // One error per check, so the count of errors counts the checks.
    let bad = "---\ngroup: g\ntype: work\n---\n[face x]\n";
    write(&root, "a.timl", bad);
    symlink("a.timl", root.join("b.timl")).unwrap();
    symlink("../a.timl", root.join("sub/c.timl")).unwrap();
    // A link to a file outside the folder is checked, once.
    write(&dir.join("elsewhere"), "out.timl", bad);
    symlink("../elsewhere/out.timl", root.join("out.timl")).unwrap();
    let a = root.join("a.timl");
    let output = timl_within(
        60,
        &["check", &root.to_string_lossy(), &a.to_string_lossy()],
    );
    assert_eq!(code(&output), 1, "{}{}", stdout(&output), stderr(&output));
    assert_eq!(checked_line(&output), "checked 2 files: 2 errors");
    let shown = stdout(&output);
    assert!(shown.contains("a.timl:5:"), "{shown}");
    assert!(shown.contains("out.timl:5:"), "{shown}");
}

#[cfg(unix)]
#[test]
fn check_skips_special_files_in_a_folder() {
    let dir = scratch("check-fifo");
    write(&dir, "a.timl", GOOD);
    // Reading a FIFO would wait for a writer forever.
    assert!(make_special(
        "mkfifo",
        &[&dir.join("waits.timl").to_string_lossy()]
    ));
    let output = timl_within(60, &["check", &dir.to_string_lossy()]);
    assert_eq!(code(&output), 0, "{}{}", stdout(&output), stderr(&output));
    assert_eq!(checked_line(&output), "checked 1 file: no problems");
}
