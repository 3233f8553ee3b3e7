//! The command line as users of cargo, rustc and gh expect it: pipes, colour, shell
//! integration, the rule list and explanations, typed variables.

mod common;
use common::*;

const HEAD: &str = "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\nrandom: 1\n---\n";

/// `timl compile ... | head -1` ends quietly with success, as `cat` does.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    let dir = scratch("ux-pipe");
    let rows: String = (0..5000).map(|n| format!("{{\"n\": {n}}}\n")).collect();
    let data = write(&dir, "rows.jsonl", &rows);
    let file = write(&dir, "t.timl", &format!("{HEAD}Row {{{{ n }}}}\n"));
    let script =
        format!("\"$0\" compile {file} --data {data} | head -1; echo \"exit=${{PIPESTATUS[0]}}\"",);
    let output = std::process::Command::new("bash")
        .args(["-c", &script, env!("CARGO_BIN_EXE_timl")])
        .output()
        .unwrap();
    let shown = stdout(&output);
    assert!(shown.starts_with("{\"GroupId\""), "{shown}");
    assert!(shown.ends_with("exit=0\n"), "{shown}");
    assert_eq!(stderr(&output), "", "nothing on standard error");
}

/// `timl check DIR` with nothing to check says so and fails: a wrong path is never a pass.
#[test]
fn a_folder_with_nothing_to_check_is_an_error() {
    let dir = scratch("ux-empty");
    let empty = dir.join("drafts");
    std::fs::create_dir_all(&empty).unwrap();
    write(&empty, "notes.txt", "not a template");
    let output = timl(&["check", &empty.to_string_lossy()]);
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).contains("holds nothing to check"),
        "{}",
        stderr(&output)
    );
    assert!(
        !stdout(&output).contains("no problems"),
        "{}",
        stdout(&output)
    );
    // Beside a file that is fine, the empty folder still fails the run.
    let file = write(&dir, "ok.timl", &format!("{HEAD}Hello\n"));
    let output = timl(&["check", &file, &empty.to_string_lossy()]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
}
