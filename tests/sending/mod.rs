//! What the tests of `timl send` share: the fake server's settings, a scratch folder
//! with the key, the command with credentials, a batch of messages, the journal.
#![allow(dead_code)] // each test crate uses its own subset

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use timl::testing::{FakeConfig, FakeIm};

pub const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
pub const SDKAPPID: u64 = 1400000000;

pub fn server(latency_ms: u64) -> FakeIm {
    FakeIm::start(FakeConfig {
        sdkappid: SDKAPPID,
        identifier: "admin".into(),
        key: KEY.into(),
        latency: Duration::from_millis(latency_ms),
        connect_delay: Duration::ZERO,
        groups: None,
        journal: None,
    })
}

pub fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("timl-send-{}-{test}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("key"), format!("{KEY}\n")).unwrap();
    dir
}

/// `timl send` with credentials from the environment and the key from a file.
pub fn send_command(dir: &Path, endpoint: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_timl"));
    command
        .current_dir(dir)
        .arg("send")
        .args(args)
        .args(["--endpoint", endpoint, "--secret-key-file", "key"])
        .env("NO_COLOR", "1")
        .env("TIM_SDKAPPID", SDKAPPID.to_string())
        .env("TIM_IDENTIFIER", "admin")
        .env_remove("TIM_SECRET_KEY")
        .env_remove("TIM_USERSIG")
        .env("HOME", dir)
        .stdin(Stdio::null());
    command
}

/// Every environment variable timl reads credentials from.
pub const TIM_VARIABLES: [&str; 6] = [
    "TIM_SDKAPPID",
    "TIM_IDENTIFIER",
    "TIM_SECRET_KEY",
    "TIM_USERSIG",
    "TIM_REGION",
    "TIM_ENDPOINT",
];

/// `timl ARGS` in `dir` with no credentials anywhere: no `TIM_*` variable, and the
/// user's config folder an empty one inside `dir`.
pub fn bare_command(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_timl"));
    let home = dir.join("home");
    fs::create_dir_all(&home).unwrap();
    command
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .stdin(Stdio::null());
    for name in TIM_VARIABLES {
        command.env_remove(name);
    }
    command
}

/// Runs `timl send`; whatever happens, neither secret appears in its output.
pub fn send(dir: &Path, endpoint: &str, args: &[&str]) -> Output {
    let output = send_command(dir, endpoint, args).output().unwrap();
    assert_no_secrets(&output);
    output
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Neither the key nor any UserSig the server accepted appears in the output.
pub fn assert_no_secrets(output: &Output) {
    let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
    assert!(!all.contains(KEY), "the secret key leaked:\n{all}");
    assert!(
        !all.contains("eJ"),
        "something like a UserSig leaked:\n{all}"
    );
}

/// Waits until `done` holds, for at most a minute (far longer than any run here takes
/// even on a loaded machine; the limit only keeps a broken run from hanging the suite).
pub fn wait_for(done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "gave up waiting after a minute"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `timl send` of the batch `batch` writes, with a journal.
pub const JOURNALLED: [&str; 5] = [
    "notice.timl",
    "--data",
    "groups.csv",
    "--journal",
    "batch.journal",
];

pub const TEMPLATE: &str =
    "---\ngroup: {{ group }}\ntype: Public\n---\nHello {{ group }} [face 6]\n";

pub fn batch(dir: &Path, groups: &[String]) {
    fs::write(dir.join("notice.timl"), TEMPLATE).unwrap();
    let mut csv = String::from("group\n");
    for group in groups {
        csv.push_str(group);
        csv.push('\n');
    }
    fs::write(dir.join("groups.csv"), csv).unwrap();
}

/// The journal keys of the messages `notice.timl` makes from `groups.csv`.
pub fn keys(dir: &Path) -> Vec<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_timl"))
        .current_dir(dir)
        .args(["compile", "notice.timl", "--data", "groups.csv"])
        .output()
        .unwrap();
    text(&output.stdout)
        .lines()
        .map(timl::journal::key)
        .collect()
}

/// The journal's lines, parsed.
pub fn journal_lines(path: &Path) -> Vec<serde_json::Value> {
    text(&fs::read(path).unwrap_or_default())
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}
