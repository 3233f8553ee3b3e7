//! Every command the README and the guide (`docs/*.md`) show runs as written, from a
//! fresh clone, in the manner of trycmd. The convention, for fenced blocks:
//!
//! - ` ```sh `, ` ```bash `: each line that starts with `timl ` or
//!   `cargo run --release -- ` (a line ending in `\` goes on on the next) is run with
//!   `sh -c`, `timl` being the binary under test (`cargo run --release --` and
//!   `target/release/timl` are rewritten to `timl`). It must exit 0, or the code a
//!   trailing comment gives: `# exit 1` (any other comment is prose). Other lines
//!   (`cargo test`, `bash benches/batch.sh`) are not run: they build or run for minutes.
//! - ` ```console `: a line `$ COMMAND` is run as above, and the lines after it, up to
//!   the next `$ ` line or the end of the block, are its standard output, exactly.
//! - ` ```sh no-run `: shown, not run: for commands that need real credentials, a
//!   server, a terminal, run until stopped (`--serve`) or write outside the folder
//!   (`~/.zfunc`).
//! - ` ```sh fake-server `: run with the credentials of a fake Tencent IM server on
//!   127.0.0.1 in the environment (`TIM_SDKAPPID`, `TIM_IDENTIFIER`, `TIM_SECRET_KEY`,
//!   `TIM_ENDPOINT`), which knows the groups of `templates/`: a real send, a journal
//!   and a recall, as a reader with credentials would run them.
//! - A block right after `<!-- same as PATH -->` is the text of the repository's file
//!   PATH.
//!
//! The commands of one document run in order, in one scratch folder holding a copy of
//! `templates/` and of every other repository path the document names, so a later
//! command reads what an earlier one wrote (the journal of a send, then its recall).
//! No command may name an absolute path or `~`. Every file a command names exists in
//! the repository, or is what a command of the document writes (`-o`, `--journal`,
//! `>`); a line that is not run may name only repository paths that exist. Links to
//! files and headings of the guide must lead somewhere.

#[path = "sending/mod.rs"]
mod sending;

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use timl::testing::{FakeConfig, FakeGroup, FakeIm};

const KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const SDKAPPID: u64 = 1400000000;
const ADMIN: &str = "administrator";
/// The top-level entries a repository path starts with.
const TOP: [&str; 8] = [
    "templates/",
    "tests/",
    "docs/",
    "benches/",
    "src/",
    "fuzz/",
    "grammar/",
    ".ci/",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// README.md and every `docs/*.md`, by their path in the repository.
fn documents() -> Vec<String> {
    let mut docs = vec!["README.md".to_owned()];
    let mut chapters: Vec<String> = fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/{name}"))
        .collect();
    chapters.sort();
    docs.extend(chapters);
    docs
}

/// How a block's commands are run.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    Run,
    NoRun,
    FakeServer,
}

/// A command of a document, and what it should do.
#[derive(Debug)]
struct Example {
    /// `README.md:42`.
    at: String,
    command: String,
    mode: Mode,
    exit: i32,
    /// The standard output it must print (`console` blocks).
    stdout: Option<String>,
    /// A line that is not a command of timl: checked for paths only.
    shown_only: bool,
}

/// A fenced block: its info string, first line number (of its text) and its lines.
struct Block {
    info: String,
    /// How far the fence is indented (in a list item): its lines are indented as far.
    indent: usize,
    line: usize,
    lines: Vec<String>,
    same_as: Option<String>,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    let mut same_as = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(block) = open.as_mut() {
            if trimmed.starts_with("```") {
                blocks.push(open.take().unwrap());
            } else {
                let indent = line.len() - line.trim_start_matches(' ').len();
                block
                    .lines
                    .push(line[indent.min(block.indent)..].to_owned());
            }
        } else if let Some(info) = trimmed.strip_prefix("```") {
            open = Some(Block {
                info: info.trim().to_owned(),
                indent: line.len() - trimmed.len(),
                line: i + 2,
                lines: Vec::new(),
                same_as: same_as.take(),
            });
        } else if let Some(path) = trimmed
            .strip_prefix("<!-- same as ")
            .and_then(|rest| rest.strip_suffix(" -->"))
        {
            same_as = Some(path.to_owned());
        } else if !trimmed.is_empty() {
            same_as = None;
        }
    }
    assert!(open.is_none(), "a fenced block is never closed");
    blocks
}

/// The command without its trailing comment, and the comment.
fn split_comment(line: &str) -> (String, String) {
    let (mut single, mut double) = (false, false);
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\'' if !double => single = !single,
            b'"' if !single => double = !double,
            b'#' if !single && !double && (i == 0 || bytes[i - 1] == b' ') => {
                return (line[..i].trim().to_owned(), line[i + 1..].trim().to_owned());
            }
            _ => {}
        }
    }
    (line.trim().to_owned(), String::new())
}

/// The exit code a comment announces (`exit 1: ...`), else 0.
fn expected_exit(comment: &str) -> i32 {
    comment
        .split("exit ")
        .skip(1)
        .find_map(|rest| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .unwrap_or(0)
}

/// `cargo run --release --` and `target/release/timl` are the binary.
fn as_timl(command: &str) -> Option<String> {
    for prefix in [
        "cargo run --release -- ",
        "./target/release/timl ",
        "target/release/timl ",
    ] {
        if let Some(rest) = command.strip_prefix(prefix) {
            return Some(format!("timl {rest}"));
        }
    }
    command.starts_with("timl ").then(|| command.to_owned())
}

fn examples(doc: &str, text: &str) -> Vec<Example> {
    let mut out = Vec::new();
    for block in blocks(text) {
        let mut words = block.info.split_whitespace();
        let lang = words.next().unwrap_or("");
        let mode = match words.next() {
            None => Mode::Run,
            Some("no-run") => Mode::NoRun,
            Some("fake-server") => Mode::FakeServer,
            Some(other) => panic!("{doc}:{}: unknown block mark `{other}`", block.line),
        };
        if let Some(path) = &block.same_as {
            let file = fs::read_to_string(root().join(path))
                .unwrap_or_else(|e| panic!("{doc}:{}: `{path}`: {e}", block.line));
            assert_eq!(
                block.lines.join("\n") + "\n",
                file,
                "{doc}:{}: the block should be the text of {path}",
                block.line
            );
        }
        match lang {
            "sh" | "bash" => shell_examples(doc, &block, mode, &mut out),
            "console" => console_examples(doc, &block, mode, &mut out),
            _ => {}
        }
    }
    out
}

fn shell_examples(doc: &str, block: &Block, mode: Mode, out: &mut Vec<Example>) {
    let mut joined = String::new();
    let mut start = block.line;
    for (i, line) in block.lines.iter().enumerate() {
        if joined.is_empty() {
            start = block.line + i;
        }
        if let Some(head) = line.strip_suffix('\\') {
            joined.push_str(head);
            continue;
        }
        joined.push_str(line);
        let (command, comment) = split_comment(&joined);
        joined.clear();
        if command.is_empty() {
            continue;
        }
        let timl = as_timl(&command);
        out.push(Example {
            at: format!("{doc}:{start}"),
            shown_only: timl.is_none(),
            command: timl.unwrap_or(command),
            mode,
            exit: expected_exit(&comment),
            stdout: None,
        });
    }
}

fn console_examples(doc: &str, block: &Block, mode: Mode, out: &mut Vec<Example>) {
    for (i, line) in block.lines.iter().enumerate() {
        if let Some(command) = line.strip_prefix("$ ") {
            let (command, comment) = split_comment(command);
            let output: Vec<&str> = block.lines[i + 1..]
                .iter()
                .take_while(|l| !l.starts_with("$ "))
                .map(String::as_str)
                .collect();
            let timl = as_timl(&command);
            out.push(Example {
                at: format!("{doc}:{}", block.line + i),
                shown_only: timl.is_none(),
                command: timl.unwrap_or(command),
                mode,
                exit: expected_exit(&comment),
                stdout: Some(output.iter().map(|l| format!("{l}\n")).collect()),
            });
        }
    }
}

/// The words of a command, quotes removed (enough for the examples: no `$(...)`).
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    for c in command.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ' ' | '\t') => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Whether a word of a command names a file.
fn is_path(word: &str) -> bool {
    const SUFFIXES: [&str; 12] = [
        ".timl", ".csv", ".tsv", ".json", ".jsonl", ".toml", ".html", ".journal", ".sh", ".txt",
        ".md", ".png",
    ];
    !word.starts_with('-')
        && !word.contains("://")
        && !word.contains('=')
        && (word.contains('/') || SUFFIXES.iter().any(|s| word.ends_with(s)))
}

/// The files a command reads, and those it writes.
fn paths(command: &str) -> (Vec<String>, Vec<String>) {
    let (mut reads, mut writes) = (Vec::new(), Vec::new());
    let words = words(command);
    for (i, word) in words.iter().enumerate() {
        if !is_path(word) {
            continue;
        }
        let before = if i > 0 { words[i - 1].as_str() } else { "" };
        if ["-o", "--output", ">", ">>", "--journal"].contains(&before) {
            writes.push(word.clone());
        } else {
            reads.push(word.clone());
        }
    }
    (reads, writes)
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(from, to).unwrap();
    }
}

/// A scratch folder with `templates/` and the repository paths `examples` read.
fn scratch(doc: &str, examples: &[Example]) -> PathBuf {
    let name = doc.replace(['/', '.'], "-");
    let dir = std::env::temp_dir().join(format!("timl-docs-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("bin")).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_timl"), dir.join("bin/timl")).unwrap();
    copy(&root().join("templates"), &dir.join("templates"));
    for example in examples {
        for path in paths(&example.command).0 {
            if !example.shown_only && root().join(&path).exists() {
                copy(&root().join(&path), &dir.join(&path));
            }
        }
    }
    dir
}

/// The fake server, knowing the groups of `templates/` as Work groups.
fn fake_server() -> FakeIm {
    let members: Vec<String> = [ADMIN, "lina_wu", "chen.hao", "sam-o", "tommy"]
        .map(str::to_owned)
        .to_vec();
    let groups: HashMap<String, FakeGroup> = ["@TGS#2C5SZEAEF", "@TGS#1NVTZEAE4"]
        .map(|id| {
            let group = FakeGroup {
                group_type: "Private".into(),
                members: members.clone(),
            };
            (id.to_owned(), group)
        })
        .into_iter()
        .collect();
    FakeIm::start(FakeConfig {
        sdkappid: SDKAPPID,
        identifier: ADMIN.into(),
        key: KEY.into(),
        latency: Duration::ZERO,
        connect_delay: Duration::ZERO,
        groups: Some(groups),
        journal: None,
    })
}

/// Runs one example in `dir`; on a failure, says what went wrong.
fn run(example: &Example, dir: &Path, server: Option<&FakeIm>) -> Result<(), String> {
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(&example.command)
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join(".config"))
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for variable in sending::TIM_VARIABLES
        .into_iter()
        .chain(["TIML_THREADS", "CLICOLOR_FORCE"])
    {
        command.env_remove(variable);
    }
    if let Some(server) = server {
        command
            .env("TIM_SDKAPPID", SDKAPPID.to_string())
            .env("TIM_IDENTIFIER", ADMIN)
            .env("TIM_SECRET_KEY", KEY)
            .env("TIM_ENDPOINT", server.endpoint());
    }
    let mut child = command.spawn().map_err(|e| e.to_string())?;
    let started = Instant::now();
    while child.try_wait().map_err(|e| e.to_string())?.is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            return Err("still running after 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code().unwrap_or(-1);
    let shown = format!("stdout:\n{stdout}\nstderr:\n{stderr}");
    if code != example.exit {
        let hint = if code == 2 { " (bad usage)" } else { "" };
        return Err(format!(
            "exit {code}{hint}, the document says {} (a trailing `# exit N` says otherwise)\n{shown}",
            example.exit
        ));
    }
    if let Some(expected) = &example.stdout {
        if *expected != stdout {
            return Err(format!(
                "standard output differs; it is:\n{stdout}\nthe document has:\n{expected}"
            ));
        }
    }
    Ok(())
}

/// Checks what the examples of one document name, then runs them in order.
fn check_document(doc: &str) -> Vec<String> {
    let text = fs::read_to_string(root().join(doc)).unwrap();
    let examples = examples(doc, &text);
    let mut problems = Vec::new();
    let mut written: BTreeSet<String> = BTreeSet::new();
    let runs = |e: &Example| !e.shown_only && e.mode != Mode::NoRun;
    for example in &examples {
        let (reads, writes) = paths(&example.command);
        for path in reads.iter().chain(&writes) {
            let in_repo = TOP.iter().any(|top| path.starts_with(top));
            if runs(example) && (path.starts_with('/') || path.starts_with('~')) {
                problems.push(format!(
                    "{}: `{path}` is outside the folder: mark the block `no-run`",
                    example.at
                ));
            } else if (runs(example) || in_repo)
                && reads.contains(path)
                && !root().join(path).exists()
                && !written.contains(path)
            {
                problems.push(format!(
                    "{}: `{}` names `{path}`, which is no file of the repository",
                    example.at, example.command
                ));
            }
        }
        written.extend(writes);
    }
    let to_run: Vec<&Example> = examples.iter().filter(|e| runs(e)).collect();
    if to_run.is_empty() {
        return problems;
    }
    let dir = scratch(doc, &examples);
    let server = to_run
        .iter()
        .any(|e| e.mode == Mode::FakeServer)
        .then(fake_server);
    for example in to_run {
        let server = server.as_ref().filter(|_| example.mode == Mode::FakeServer);
        if let Err(why) = run(example, &dir, server) {
            problems.push(format!("{}: `{}`: {why}", example.at, example.command));
        }
    }
    let _ = fs::remove_dir_all(&dir);
    problems
}

#[test]
fn every_command_shown_runs_as_written() {
    let docs = documents();
    // One thread a document: the documents share nothing.
    let problems: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = docs
            .iter()
            .map(|doc| scope.spawn(move || check_document(doc)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(problems.is_empty(), "\n{}", problems.join("\n\n"));
}

#[test]
fn the_tour_runs_commands() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let examples = examples("README.md", &readme);
    let run: Vec<&Example> = examples
        .iter()
        .filter(|e| !e.shown_only && e.mode != Mode::NoRun)
        .collect();
    for needed in ["check", "preview", "send", "recall", "compile"] {
        assert!(
            run.iter()
                .any(|e| e.command.starts_with(&format!("timl {needed} "))),
            "the README runs no `timl {needed}`"
        );
    }
    assert!(
        run.iter()
            .any(|e| e.mode == Mode::FakeServer && e.command.contains("--journal")),
        "the tour sends with a journal"
    );
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

fn anchors(text: &str) -> BTreeSet<String> {
    let mut fenced = false;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.insert(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

#[test]
fn every_link_leads_somewhere() {
    let mut problems = Vec::new();
    for doc in documents() {
        let text = fs::read_to_string(root().join(&doc)).unwrap();
        let folder = Path::new(&doc).parent().unwrap();
        for (i, line) in text.lines().enumerate() {
            for link in line.split("](").skip(1) {
                let Some(target) = link.split(')').next() else {
                    continue;
                };
                if target.contains("://") {
                    continue;
                }
                let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
                let path = if file.is_empty() {
                    PathBuf::from(&doc)
                } else {
                    folder.join(file)
                };
                let full = root().join(&path);
                if !full.exists() {
                    problems.push(format!("{doc}:{}: no file `{target}`", i + 1));
                } else if !fragment.is_empty()
                    && path.extension().is_some_and(|e| e == "md")
                    && !anchors(&fs::read_to_string(&full).unwrap()).contains(fragment)
                {
                    problems.push(format!("{doc}:{}: no heading `#{fragment}`", i + 1));
                }
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
