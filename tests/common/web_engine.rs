//! Tencent's web chat UI engine (`@tencentcloud/chat-uikit-engine-lite`, the version
//! `tests/web-engine/package.json` pins) run in Node on send_group_msg bodies: what a
//! member's web app draws of each element. Include it with
//! `#[path = "common/web_engine.rs"] mod web_engine;`.
//!
//! [`engine`] installs it once per test process (`tests/web-engine/install.sh`, into
//! `$TIML_NPM_CACHE`, default `~/.cache/timl-npm`), or says why the test skips; [`draw`]
//! runs `tests/web-engine/draw.mjs` on bodies and returns, for each, the JSON array it
//! prints: one `{"MsgType", "engine"}` entry per MsgBody element (the shape is described at
//! the top of draw.mjs).
#![allow(dead_code)] // each test crate uses its own subset

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// The folder of the scripts, package.json and lockfile.
pub fn scripts() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/web-engine")
}

/// The installed engine: the folder holding its `node_modules/`.
#[derive(Clone, Debug)]
pub struct Engine {
    pub modules: PathBuf,
}

/// What `install.sh` exits with when npm could not reach the registry.
const NO_NETWORK: i32 = 75;

fn found(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Why the tests cannot run the engine.
#[derive(Debug)]
enum Missing {
    /// The test skips, saying so.
    Skip(String),
    /// The test fails.
    Fail(String),
}

fn install() -> Result<Engine, Missing> {
    if !found("node") || !found("npm") {
        return Err(Missing::Skip("node or npm not found".into()));
    }
    let output = Command::new("bash")
        .arg(scripts().join("install.sh"))
        .stdin(Stdio::null())
        .output()
        .expect("bash runs install.sh");
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => {
            let stdout = String::from_utf8(output.stdout).expect("a UTF-8 path");
            let modules = PathBuf::from(stdout.lines().last().unwrap_or_default().trim());
            if !modules.join("node_modules").is_dir() {
                return Err(Missing::Fail(format!(
                    "install.sh printed {modules:?}, which has no node_modules:\n{stderr}"
                )));
            }
            Ok(Engine { modules })
        }
        Some(NO_NETWORK) if !on_ci() => Err(Missing::Skip(format!(
            "npm could not reach the registry to install the engine ({})",
            stderr
                .lines()
                .find(|l| l.contains("error"))
                .unwrap_or("no npm message")
        ))),
        code => Err(Missing::Fail(format!(
            "install.sh failed (exit {code:?}):\n{stderr}"
        ))),
    }
}

/// The engine, installed on the first call of the process; `None`, once it has printed
/// `skipped: web_engine: ...` to both outputs, when node or npm is missing or npm has no
/// network (outside CI: with `CI=true` a failed install fails the test).
pub fn engine() -> Option<Engine> {
    static INSTALLED: OnceLock<Result<Engine, Missing>> = OnceLock::new();
    match INSTALLED.get_or_init(install) {
        Ok(engine) => Some(engine.clone()),
        Err(Missing::Skip(why)) => {
            eprintln!("skipped: web_engine: {why}");
            println!("skipped: web_engine: {why}");
            None
        }
        Err(Missing::Fail(why)) => panic!("{why}"),
    }
}

/// Runs draw.mjs on `jsonl` (one send_group_msg body a line, as timl writes them) and
/// returns its lines, one JSON array per body.
pub fn draw_jsonl(engine: &Engine, jsonl: &str) -> Vec<Value> {
    let mut child = Command::new("node")
        .arg(scripts().join("draw.mjs"))
        .arg("--modules")
        .arg(&engine.modules)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs draw.mjs");
    let mut pipe = child.stdin.take().unwrap();
    let input = jsonl.to_owned();
    // Written from a thread: a long input and its output would fill both pipes.
    let writer = std::thread::spawn(move || pipe.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().expect("draw.mjs reads its input");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "draw.mjs failed ({}):\n{stderr}",
        output.status
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 output");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let bodies = jsonl.lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(lines.len(), bodies, "one line a body: {stdout}\n{stderr}");
    lines
}

/// Runs draw.mjs on `bodies` (whole send_group_msg bodies) and returns one JSON array for
/// each, in order.
pub fn draw(engine: &Engine, bodies: &[Value]) -> Vec<Value> {
    let jsonl: String = bodies.iter().map(|body| format!("{body}\n")).collect();
    draw_jsonl(engine, &jsonl)
}

/// Runs `tests/web-engine/dump-emoji-table.mjs`: the engine's built-in emoji table, as
/// `engine-emoji-table.json` holds it.
pub fn emoji_table(engine: &Engine) -> Value {
    let output = Command::new("node")
        .arg(scripts().join("dump-emoji-table.mjs"))
        .arg("--modules")
        .arg(&engine.modules)
        .stdin(Stdio::null())
        .output()
        .expect("node runs dump-emoji-table.mjs");
    assert!(
        output.status.success(),
        "dump-emoji-table.mjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("a JSON table")
}
