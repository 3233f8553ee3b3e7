//! `timl preview`: snapshots of the page for the example templates, values that hold
//! HTML staying text (a property test, and a real headless Chromium loading the page),
//! and `--serve` drawing the page again when the template changes.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;

mod common;
use common::*;

fn preview(args: &[&str]) -> String {
    let output = timl(&[&["preview"], args].concat());
    assert!(
        matches!(code(&output), 0 | 1),
        "exit {}: {}",
        code(&output),
        stderr(&output)
    );
    stdout(&output)
}

/// `page` with the templates folder's path, as it is and as the page escapes it
/// (`/` as `&#x2f;`), written `templates`: the snapshots hold on any checkout.
fn relative(page: &str, root: &Path) -> String {
    let root = root.to_str().unwrap();
    page.replace(root, "templates")
        .replace(&root.replace('/', "&#x2f;"), "templates")
}

#[test]
fn example_templates_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    for name in [
        "announcement",
        "mentions",
        "media",
        "custom-card",
        "targeted",
        "push-settings",
    ] {
        let file = root.join(format!("{name}.timl"));
        let page = preview(&[file.to_str().unwrap(), "--no-remote"]);
        let page = relative(&page, &root);
        insta::assert_snapshot!(format!("preview-{name}"), page);
    }
    let csv = root.join("order-shipped.csv");
    let file = root.join("order-shipped.timl");
    let page = preview(&[file.to_str().unwrap(), "--data", csv.to_str().unwrap()]);
    let page = relative(&page, &root);
    insta::assert_snapshot!("preview-order-shipped", page);
}

/// The bubbles of a page: what it draws of each message's body.
fn bubbles(page: &str) -> String {
    page.split("<div class=\"bubble\">")
        .skip(1)
        .map(|rest| rest.split("</div>").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n---\n")
}

/// Faces as the apps draw them: pictures from the catalog's addresses, tiles with
/// their names under `--no-remote`, a broken tile for a face no app draws.
#[test]
fn faces_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good");
    let every = root.join("faces-every-kind-of-name.timl");
    let every = every.to_str().unwrap();
    let app = root.join("faces-app-catalog.timl");
    let catalog = root.join("faces-app-catalog.faces.toml");
    let dir = scratch("preview-faces");
    let broken = write(
        &dir,
        "broken.timl",
        "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\n---\nTyped [TUIEmoji_Kiss] [TUIEmoji_Smiel] [face 6] [face 6 \"abc\"]\n",
    );
    for (name, args) in [
        ("faces-remote", vec![every]),
        ("faces-no-remote", vec![every, "--no-remote"]),
        (
            "faces-app-catalog",
            vec![app.to_str().unwrap(), "--faces", catalog.to_str().unwrap()],
        ),
        ("faces-broken", vec![broken.as_str()]),
    ] {
        insta::assert_snapshot!(name, bubbles(&preview(&args)));
    }
}

/// The page of a template printing `value` everywhere a value can go (but an address:
/// the `url` rules judge what an address holds, and the page lists what they find).
fn page_with(dir: &Path, value: &str) -> String {
    let template = "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\nfrom: {{ v }}\npush.title: {{ v }}\npush.desc: {{ v }}\n---\nHi {{ v }} {{ mention(v, name=v) }} [custom \"{{ v }}\" desc=\"{{ v }}\"] [file url=https://x/a.pdf name=\"{{ v }}\" size=1] [location 1 2 \"{{ v }}\"]\n";
    let file = write(dir, "t.timl", template);
    let output = timl(&["preview", &file, "--var", &format!("v={value}")]);
    stdout(&output)
}

fn markup_characters(page: &str) -> [usize; 3] {
    [
        page.matches('<').count(),
        page.matches('>').count(),
        page.matches('"').count(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn values_never_add_markup_to_the_page(value in "[<>\"'&a-z =/;:()]{1,30}") {
        let dir = scratch("preview-escaping");
        let benign = page_with(&dir, "a");
        let hostile = page_with(&dir, &value);
        // (At most 30 bytes: an account ID takes 32, so both pages draw a message.)
        prop_assert!(hostile.contains("class=\"bubble\""), "{}", value);
        // A value is text: it adds no `<`, `>` or `"` of its own to the page.
        prop_assert_eq!(markup_characters(&benign), markup_characters(&hostile), "{}", value);
    }
}

/// Chromium, when this machine has it (`.ci/run` installs it).
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

fn headless(browser: &str, dir: &Path) -> Command {
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--virtual-time-budget=2000",
    ]);
    command.arg(format!("--user-data-dir={}", dir.join("profile").display()));
    command
}

#[test]
fn hostile_values_render_as_text_in_a_real_browser() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: no chromium on this machine (`.ci/run` installs it)");
        return;
    };
    let dir = scratch("preview-browser");
    let rows = "name,note\n\"<img src=x onerror=document.title='pwned'>\",\"<script>document.title='pwned'</script>\"\nBob,\"</pre><b id=injected>bold</b>\"\n";
    fs::write(dir.join("rows.csv"), rows).unwrap();
    let template = "---\ngroup: @TGS#2C5SZEAEF\ntype: Public\npush.desc: {{ note }}\n---\nHello {{ name }}: {{ note }} [at bob \"{{ name }}\"] [custom \"{{ note }}\" desc=\"{{ name }}\"]\n";
    let file = write(&dir, "t.timl", template);
    let page = dir.join("page.html");
    let output = timl(&[
        "preview",
        &file,
        "--data",
        &dir.join("rows.csv").to_string_lossy(),
        "-o",
        &page.to_string_lossy(),
    ]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let dom = headless(browser, &dir)
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    assert!(dom.contains("</html>"), "no DOM: {dom}");
    // The texts a member reads are there, as text.
    assert!(dom.contains("Hello &lt;img src=x onerror="), "{dom}");
    assert!(
        dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"),
        "{dom}"
    );
    assert!(dom.contains("&lt;b id=injected&gt;bold&lt;/b&gt;"), "{dom}");
    assert!(
        dom.contains("class=\"mention\" title=\"reaches bob\">@&lt;img"),
        "{dom}"
    );
    // No element came from a value, and nothing ran.
    assert!(!dom.contains("<img src=\"x\""), "an injected image: {dom}");
    assert!(
        !dom.contains("id=\"injected\""),
        "an injected element: {dom}"
    );
    assert!(!dom.contains("<script"), "a script: {dom}");
    assert!(!dom.contains("<title>pwned</title>"), "a script ran: {dom}");
}

/// `timl preview FILE --serve` running: the child, its address and its token.
fn start_serving(file: &str) -> (std::process::Child, String, String) {
    start_serving_with(&[file])
}

/// `timl preview ARGS --serve` running: the child, its address and its token.
fn start_serving_with(args: &[&str]) -> (std::process::Child, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_timl"))
        .arg("preview")
        .args(args)
        .arg("--serve")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut url = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    let rest = url.trim().trim_start_matches("http://");
    let (address, token) = rest.split_once('/').unwrap();
    assert!(address.starts_with("127.0.0.1:"), "{url}");
    let token = token.trim_end_matches('/').to_owned();
    assert_eq!(token.len(), 32, "{url}");
    (child, address.to_owned(), token)
}

/// Sends `request` (a whole HTTP request) to `address`; the whole answer.
fn ask(address: &str, request: &str) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn the_served_page_is_drawn_again_when_the_template_changes() {
    let dir = scratch("preview-serve");
    let file = write(
        &dir,
        "t.timl",
        "---\ngroup: @TGS#2C5SZEAEF\n---\nfirst draft\n",
    );
    let (mut child, address, token) = start_serving(&file);
    let host = address.clone();
    let get = |path: &str| {
        ask(
            &address,
            &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n"),
        )
    };
    let page = format!("/{token}/");
    let version = format!("/{token}/version");
    assert!(get(&page).contains("first draft"));
    assert!(
        get(&page).contains("script nonce="),
        "the page reloads itself"
    );
    let before = get(&version);
    // Modified times can be coarse: wait a little before writing again.
    std::thread::sleep(Duration::from_millis(1100));
    fs::write(&file, "---\ngroup: @TGS#2C5SZEAEF\n---\nsecond draft\n").unwrap();
    let start = Instant::now();
    while get(&version) == before {
        assert!(start.elapsed() < Duration::from_secs(60), "never redrawn");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(get(&page).contains("second draft"));
    assert!(get(&format!("/{token}/nope")).starts_with("HTTP/1.1 404"));
    let _ = child.kill();
    let _ = child.wait();
}

/// The page answers only its URL's holder, from 127.0.0.1 or localhost by name (DNS
/// rebinding gives another `Host`), with `GET` or `HEAD`.
#[test]
fn the_served_page_answers_no_one_else() {
    let dir = scratch("preview-serve-trust");
    let file = write(
        &dir,
        "t.timl",
        "---\ngroup: @TGS#2C5SZEAEF\n---\nsecret row\n",
    );
    let (mut child, address, token) = start_serving(&file);
    let port = address.rsplit(':').next().unwrap().to_owned();
    let page = format!("/{token}/");
    for (request, status) in [
        (
            format!("GET {page} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"),
            "200",
        ),
        (
            format!("GET {page} HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"),
            "200",
        ),
        (
            format!("GET {page} HTTP/1.1\r\nHost: evil.example:{port}\r\n\r\n"),
            "403",
        ),
        (
            format!("GET {page} HTTP/1.1\r\nHost: evil.example\r\n\r\n"),
            "403",
        ),
        (format!("GET {page} HTTP/1.1\r\n\r\n"), "403"),
        (
            format!("GET {page} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.example\r\n\r\n"),
            "",
        ),
        (
            format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"),
            "404",
        ),
        (
            format!("GET /version HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"),
            "404",
        ),
        (
            format!(
                "GET /{}/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n",
                "0".repeat(32)
            ),
            "404",
        ),
        (
            format!("POST {page} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"),
            "405",
        ),
        (
            format!("HEAD {page} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"),
            "200",
        ),
    ] {
        let answer = ask(&address, &request);
        if status.is_empty() {
            assert!(answer.is_empty(), "{request:?}: {answer}");
            continue;
        }
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status}")),
            "{request:?}: {answer}"
        );
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
        assert_eq!(
            body.contains("secret row"),
            status == "200" && !request.starts_with("HEAD"),
            "{request:?}"
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A client that trickles its request, or never reads a large page, holds up no one.
#[test]
fn a_slow_client_holds_up_no_one() {
    let dir = scratch("preview-serve-slow");
    // A page of about 16 MB (200 messages of 40 KB, drawn with their JSON): more than
    // the kernel buffers of a connection hold, so a client that never reads stalls
    // the write to it (a small page would be written whole and prove nothing).
    let big = "word ".repeat(8000);
    let rows: String = std::iter::once("v\n".to_owned())
        .chain((0..200).map(|i| format!("{i} {big}\n")))
        .collect();
    let data = write(&dir, "rows.csv", &rows);
    let file = write(&dir, "t.timl", "---\ngroup: @TGS#2C5SZEAEF\n---\n{{ v }}\n");
    let (mut child, address, token) =
        start_serving_with(&[&file, "--data", &data, "--max-bytes", "1048576"]);
    let (address, token) = (address.as_str(), token.as_str());
    // One sends a byte of its request now and then; one asks for the page and never reads.
    let mut trickling = TcpStream::connect(address).unwrap();
    trickling.write_all(b"G").unwrap();
    let mut stalled = TcpStream::connect(address).unwrap();
    write!(stalled, "GET /{token}/ HTTP/1.1\r\nHost: {address}\r\n\r\n").unwrap();
    // Another client is still answered, whole.
    let answer = ask(
        address,
        &format!("GET /{token}/version HTTP/1.1\r\nHost: {address}\r\n\r\n"),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let page = ask(
        address,
        &format!("GET /{token}/ HTTP/1.1\r\nHost: {address}\r\n\r\n"),
    );
    let (head, body) = page.split_once("\r\n\r\n").expect("an answer");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        body.len() > 8 << 20,
        "the page is {} bytes: too small to stall a write",
        body.len()
    );
    assert!(
        head.contains(&format!("content-length: {}", body.len())),
        "the page came whole"
    );
    drop((trickling, stalled));
    let _ = child.kill();
    let _ = child.wait();
}
