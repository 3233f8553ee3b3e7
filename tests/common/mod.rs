//! Helpers shared by the tests that run the built binary.
#![allow(dead_code)] // each test crate uses its own subset

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Runs `timl` with `args` (no colour, empty standard input).
pub fn timl(args: &[&str]) -> Output {
    timl_in(None, args)
}

/// Runs `timl` with `args` in the working folder `cwd` when given.
pub fn timl_in(cwd: Option<&Path>, args: &[&str]) -> Output {
    run(cwd, args, None)
}

/// Runs `timl` with `args`, feeding `stdin`.
pub fn timl_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Output {
    run(None, args, stdin)
}

fn run(cwd: Option<&Path>, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_timl"));
    command
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    let mut child = command.spawn().expect("timl runs");
    let mut pipe = child.stdin.take().unwrap();
    // timl may stop reading early (an input over its cap): a broken pipe is fine.
    let _ = pipe.write_all(stdin.unwrap_or_default());
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// The exit code.
pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited normally")
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// A scratch folder unique to the test (and the test process).
pub fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("timl-test-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Runs the binary with its address space limited to `megabytes`, so that an input
/// that would need more memory fails the test instead of the machine.
#[cfg(unix)]
pub fn timl_limited(megabytes: u64, args: &[&str]) -> Output {
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(format!(
            "ulimit -v {}; exec \"$0\" \"$@\"",
            megabytes * 1024
        ))
        .arg(env!("CARGO_BIN_EXE_timl"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    command.output().unwrap()
}

/// Makes a special file with a system tool (`mkfifo`, `mknod`); false when the tool
/// is missing or not permitted (`mknod` needs root).
#[cfg(unix)]
pub fn make_special(tool: &str, args: &[&str]) -> bool {
    Command::new(tool)
        .args(args)
        .status()
        .is_ok_and(|status| status.success())
}
