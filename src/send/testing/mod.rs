//! A fake Tencent IM server for tests and benchmarks, on 127.0.0.1 only.
//!
//! It checks every request as the real one would (the path, the query, the UserSig
//! against the key), drops a repeated (`GroupId`, `Random`) within five minutes, and
//! injects failures chosen by the group ID, so one batch can mix them:
//!
//! | group ID starts with | first N attempts to that group get |
//! |---|---|
//! | `flaky-CODE-N-` | `ErrorCode` CODE (e.g. 10002), then success |
//! | `http500-N-` | HTTP 500, then success |
//! | `reset-N-` | the connection closed with no answer, then success |
//! | `slow-MS-N-` | an answer after MS milliseconds, then at once |
//! | `final-CODE-` | `ErrorCode` CODE, always |
//! | `then-A-B-` | `ErrorCode` A, then B from the second attempt on |
//! | `late429-` | `ErrorCode` 10002 (which may have stored it), then HTTP 429 always |
//! | `drop-` | success with a `MsgDropReason`, always |
//! | `echo-` | `ErrorCode` 70003 with an `ErrorInfo` that echoes the UserSig it got and the key, each in many encodings (raw, percent-encoded in both cases, JSON-escaped, base64, MIME base64 wrapped at 76 columns, hex, UTF-16LE, HTML character references), and the UserSig's fields decoded (`TLS.sig` in those encodings too), always, UserSig checked or not |
//! | `echodrop-` | the same echo as a `MsgDropReason` of a success |
//! | `hold-N-` | stored, but answered only once the test calls [`FakeIm::release`] (or after 9 s) |
//! | `garbled-` | stored, but answered 200 with a body that is not a reply (a proxy's page) |
//! | `bare-` | stored, but answered 200 with a reply without `ActionStatus` |
//! | `fail0-` | stored, but answered `ActionStatus` `FAIL` with `ErrorCode` 0 |
//! | `status-CODE-` | stored, and an `OK` reply, but with HTTP status CODE (202, 418, ...) |
//! | `ansi-` | `ErrorCode` 80001 with an `ErrorInfo` full of terminal escapes (ESC, OSC, BEL, CR, C1, DEL, bidi overrides), always |
//! | `ansidrop-` | the same escapes as a `MsgDropReason` of a success |
//! | `redirect-CODE-PORT-` | HTTP CODE (301, 302, ...) to `http://127.0.0.1:PORT/landing/page?` + the request's own query (UserSig included) + `#frag`, always |
//!
//! [`Elsewhere`] is where such a redirect points: a server that answers anything OK.
//!
//! Given groups ([`FakeConfig::groups`]), it also answers `get_group_info`,
//! `get_role_in_group` and `group_msg_recall` ([`groups`]) and refuses a send to a
//! group it does not know with 10010.

mod elsewhere;
mod groups;
mod seen;

pub use elsewhere::Elsewhere;
pub use groups::{Call, FakeGroup};
pub use seen::{busiest_second, Seen, Stored};

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::send::usersig;

/// What the fake server expects and how slow it is.
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// The app.
    pub sdkappid: u64,
    /// The admin account.
    pub identifier: String,
    /// The secret key UserSigs must verify with.
    pub key: String,
    /// Added to every answer.
    pub latency: Duration,
    /// Added before the first request of each new connection is read, as a slow TLS
    /// handshake would.
    pub connect_delay: Duration,
    /// The groups it knows, by ID (`None`: any group exists, and the group APIs know
    /// none).
    pub groups: Option<HashMap<String, FakeGroup>>,
    /// A journal to read as each message arrives, to see whether it already holds
    /// that message's `sending` line ([`Seen::journaled`]).
    pub journal: Option<PathBuf>,
}

/// A running fake server; stops when dropped.
pub struct FakeIm {
    addr: SocketAddr,
    seen: Arc<Mutex<Seen>>,
    stop: Arc<AtomicBool>,
    gate: Arc<Gate>,
    accept: Option<JoinHandle<()>>,
}

/// Holds answers back until opened.
#[derive(Default)]
struct Gate {
    open: Mutex<bool>,
    opened: Condvar,
}

impl Gate {
    /// Waits until the gate is open, for at most `limit`.
    fn wait(&self, limit: Duration) {
        let open = self.open.lock().expect("not poisoned");
        let _ = self
            .opened
            .wait_timeout_while(open, limit, |open| !*open)
            .expect("not poisoned");
    }

    fn open(&self) {
        *self.open.lock().expect("not poisoned") = true;
        self.opened.notify_all();
    }
}

impl FakeIm {
    /// Starts a server on 127.0.0.1 at a free port.
    pub fn start(config: FakeConfig) -> FakeIm {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port is free");
        let addr = listener.local_addr().expect("bound");
        let seen = Arc::new(Mutex::new(Seen::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let config = Arc::new(config);
        let gate = Arc::new(Gate::default());
        let accept = {
            let (seen, stop, gate) = (seen.clone(), stop.clone(), gate.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    let (seen, config, stop, gate) =
                        (seen.clone(), config.clone(), stop.clone(), gate.clone());
                    std::thread::spawn(move || serve(stream, &config, &seen, &stop, &gate));
                }
            })
        };
        FakeIm {
            addr,
            seen,
            stop,
            gate,
            accept: Some(accept),
        }
    }

    /// Lets the answers held for `hold-` groups go, now and from now on.
    pub fn release(&self) {
        self.gate.open();
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the server saw so far.
    pub fn seen(&self) -> std::sync::MutexGuard<'_, Seen> {
        self.seen.lock().expect("not poisoned")
    }
}

impl Drop for FakeIm {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.gate.open();
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Serves one kept-alive connection.
fn serve(
    stream: TcpStream,
    config: &FakeConfig,
    seen: &Mutex<Seen>,
    stop: &AtomicBool,
    gate: &Gate,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    std::thread::sleep(config.connect_delay);
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut writer = stream;
    loop {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let Some(body) = read_rest(&mut reader) else {
            return;
        };
        let target = request_line.split_whitespace().nth(1).unwrap_or("");
        let answer = match answer(target, &body, config, seen) {
            Answer::Held(reply) => {
                // Below timl's 10 s limit, so a forgotten release is a slow answer.
                gate.wait(Duration::from_secs(9));
                Answer::Json(200, reply, Duration::ZERO)
            }
            answer => answer,
        };
        match answer {
            Answer::Json(status, reply, delay) => {
                std::thread::sleep(delay + config.latency);
                let text = reply.to_string();
                let response = format!(
                    "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{text}",
                    if status == 200 { "OK" } else { "Error" },
                    text.len()
                );
                if writer.write_all(response.as_bytes()).is_err() {
                    return;
                }
            }
            Answer::Redirect(status, location) => {
                let response = format!(
                    "HTTP/1.1 {status} Redirect\r\nlocation: {location}\r\ncontent-length: 0\r\n\r\n"
                );
                if writer.write_all(response.as_bytes()).is_err() {
                    return;
                }
            }
            Answer::Reset | Answer::Held(_) => return,
        }
    }
}

enum Answer {
    Json(u16, Value, Duration),
    Redirect(u16, String),
    Reset,
    /// A success, answered once the gate opens.
    Held(Value),
}

fn error(code: i64, info: &str) -> Answer {
    Answer::Json(
        200,
        json!({"ActionStatus": "FAIL", "ErrorCode": code, "ErrorInfo": info}),
        Duration::ZERO,
    )
}

/// One request as the fake server reads it: the path, the query, the body and the
/// fault its group ID asks for (`flaky-10002-2`: kind, then numbers).
struct Request<'a> {
    target: &'a str,
    path: &'a str,
    raw_query: &'a str,
    query: HashMap<&'a str, &'a str>,
    message: Value,
    group: String,
    random: u32,
}

impl<'a> Request<'a> {
    fn read(target: &'a str, body: &[u8]) -> Request<'a> {
        let (path, raw_query) = target.split_once('?').unwrap_or((target, ""));
        let query = raw_query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .collect();
        let message: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        Request {
            target,
            path,
            raw_query,
            query,
            group: message["GroupId"].as_str().unwrap_or("").to_owned(),
            random: message["Random"].as_u64().unwrap_or(0) as u32,
            message,
        }
    }

    /// The fault kind: the group ID up to its first `-`.
    fn kind(&self) -> &str {
        self.group.split('-').next().unwrap_or("")
    }

    /// The `i`th number of the fault (0 when missing).
    fn number(&self, i: usize) -> u64 {
        self.group
            .split('-')
            .nth(i)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    }

    /// The query names the app and the identifier, and its UserSig verifies.
    fn authorized(&self, config: &FakeConfig) -> bool {
        let query = &self.query;
        let paths = [
            crate::send::sender::PATH,
            crate::send::groups::GROUP_INFO,
            crate::send::groups::ROLE_IN_GROUP,
            crate::send::groups::RECALL,
        ];
        paths.contains(&self.path)
            && query.get("sdkappid") == Some(&config.sdkappid.to_string().as_str())
            && query.get("identifier") == Some(&config.identifier.as_str())
            && query.get("contenttype") == Some(&"json")
            && query
                .get("random")
                .is_some_and(|r| r.parse::<u32>().is_ok())
            && query.get("usersig").is_some_and(|sig| {
                usersig::verify(sig, &config.key, usersig::now()).is_ok_and(|c| {
                    c.sdkappid == config.sdkappid && c.identifier == config.identifier
                })
            })
    }
}

fn ok_reply(seq: u64, drop_reason: &str) -> Value {
    json!({"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0, "MsgTime": usersig::now(), "MsgSeq": seq, "MsgDropReason": drop_reason})
}

/// Misbehaving answers that do not depend on the request being authorized: escape
/// sequences, echoed secrets, redirects.
fn misbehaving(request: &Request<'_>, config: &FakeConfig) -> Option<Answer> {
    let answer = match request.kind() {
        "ansi" => error(80001, TERMINAL_ESCAPES),
        "ansidrop" => Answer::Json(200, ok_reply(0, TERMINAL_ESCAPES), Duration::ZERO),
        kind @ ("echo" | "echodrop") => {
            let usersig = percent_decode(request.query.get("usersig").unwrap_or(&""));
            let mut text = format!(
                "bad request {} usersig {} key {}",
                request.target,
                echoes(&usersig),
                echoes(&config.key)
            );
            // What the UserSig says, decoded: `TLS.sig` and the public fields rebuild it.
            if let Ok(claims) = usersig::decode(&usersig) {
                let json = serde_json::to_string(&claims).unwrap_or_default();
                text.push_str(&format!(" claims {json} sig {}", echoes(&claims.sig)));
            }
            if kind == "echo" {
                error(70003, &text)
            } else {
                Answer::Json(200, ok_reply(0, &text), Duration::ZERO)
            }
        }
        "redirect" => {
            let location = format!(
                "http://127.0.0.1:{}/landing/page?{}#frag",
                request.number(2),
                request.raw_query
            );
            Answer::Redirect(request.number(1) as u16, location)
        }
        // The UserSig in the path, where no query stripping removes it.
        "redirectsig" => {
            let usersig = percent_decode(request.query.get("usersig").unwrap_or(&""));
            let location = format!(
                "http://127.0.0.1:{}/{usersig}/then/{}",
                request.number(2),
                request.query.get("usersig").unwrap_or(&"")
            );
            Answer::Redirect(request.number(1) as u16, location)
        }
        _ => return None,
    };
    Some(answer)
}

/// A fault injected for this attempt of the group's, or the delay to answer with.
fn injected(request: &Request<'_>, attempt: u32) -> Result<Duration, Answer> {
    let within = |n: u64| u64::from(attempt) <= n;
    match request.kind() {
        "flaky" if within(request.number(2)) => Err(error(request.number(1) as i64, "injected")),
        "http500" if within(request.number(1)) => Err(Answer::Json(
            500,
            json!({"error": "injected"}),
            Duration::ZERO,
        )),
        "reset" if within(request.number(1)) => Err(Answer::Reset),
        "slow" if within(request.number(2)) => Ok(Duration::from_millis(request.number(1))),
        "final" => Err(error(request.number(1) as i64, "injected final error")),
        "then" if within(1) => Err(error(request.number(1) as i64, "injected")),
        "late429" if within(1) => Err(error(10002, "injected")),
        "late429" => Err(Answer::Json(
            429,
            json!({"error": "slow down"}),
            Duration::ZERO,
        )),
        "then" => Err(error(request.number(2) as i64, "injected final error")),
        "drop" => Err(Answer::Json(
            200,
            ok_reply(0, "MsgFreqCtrl"),
            Duration::ZERO,
        )),
        _ => Ok(Duration::ZERO),
    }
}

/// Whether the journal at `path` holds a `sending` line for (`group`, `random`).
fn journal_holds(path: &std::path::Path, group: &str, random: u32) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .any(|line| {
            line["state"] == "sending" && line["group"] == group && line["random"] == random
        })
}

fn answer(target: &str, body: &[u8], config: &FakeConfig, seen: &Mutex<Seen>) -> Answer {
    let request = Request::read(target, body);
    let mut seen = seen.lock().expect("not poisoned");
    if let Some(answer) = group_api(&request, config, &mut seen) {
        return answer;
    }
    let now = Instant::now();
    seen.requests
        .push((now, request.group.clone(), request.random));
    if let Some(journal) = &config.journal {
        let held = journal_holds(journal, &request.group, request.random);
        seen.journaled.push(held);
    }
    if let Some(answer) = misbehaving(&request, config) {
        return answer;
    }
    if !request.authorized(config) {
        seen.unauthorized += 1;
        return error(70009, "bad query or UserSig");
    }
    if request.message.is_null() {
        return error(60003, "the body is not JSON");
    }
    if config
        .groups
        .as_ref()
        .is_some_and(|groups| !groups.contains_key(&request.group))
    {
        return error(10010, "group does not exist");
    }
    let attempt = {
        let count = seen.attempts.entry(request.group.clone()).or_default();
        *count += 1;
        *count
    };
    let delay = match injected(&request, attempt) {
        Ok(delay) => delay,
        Err(answer) => return answer,
    };
    // Stored once per (group, Random) within five minutes, as the server does.
    let key = (request.group.clone(), request.random);
    if seen
        .recent
        .get(&key)
        .is_some_and(|at| now.duration_since(*at) < Duration::from_secs(300))
    {
        seen.duplicates += 1;
    } else {
        seen.recent.insert(key, now);
        seen.stored.push(Stored {
            group: request.group.clone(),
            random: request.random,
            body: request.message.clone(),
            at: now,
        });
    }
    let reply = ok_reply(seen.stored.len() as u64, "");
    match request.kind() {
        // Stored, but answered with something that is not a reply (a proxy's page).
        "garbled" => return Answer::Json(200, json!("<html><body>OK</body></html>"), delay),
        // Stored, but the reply lacks its `ActionStatus`.
        "bare" => return Answer::Json(200, json!({"ErrorCode": 0}), delay),
        // A reply at odds with itself: no error code, but not OK either.
        "fail0" => {
            return Answer::Json(200, json!({"ActionStatus": "FAIL", "ErrorCode": 0}), delay)
        }
        // Stored, and a reply that reads OK, but under another HTTP status.
        "status" => return Answer::Json(request.number(1) as u16, reply, delay),
        _ => {}
    }
    if request.kind() == "hold" && u64::from(attempt) <= request.number(1) {
        return Answer::Held(reply);
    }
    Answer::Json(200, reply, delay)
}

/// The answer of a group API call (not `send_group_msg`, which `requests` counts).
fn group_api(request: &Request<'_>, config: &FakeConfig, seen: &mut Seen) -> Option<Answer> {
    use crate::send::groups::{GROUP_INFO, RECALL, ROLE_IN_GROUP};
    if ![GROUP_INFO, ROLE_IN_GROUP, RECALL].contains(&request.path) {
        return None;
    }
    if !request.authorized(config) {
        seen.unauthorized += 1;
        return Some(error(70009, "bad query or UserSig"));
    }
    Some(match request.path {
        GROUP_INFO => groups::group_info(&request.message, config, seen),
        ROLE_IN_GROUP => groups::role_in_group(&request.message, config, seen),
        _ => groups::recall(&request.message, seen),
    })
}

/// A server text that would drive a terminal if printed as it is: colour (CSI), a
/// window title (OSC ended by BEL), a bell, a carriage return that overwrites the
/// line, an 8-bit CSI (C1), DEL, and a right-to-left override.
pub const TERMINAL_ESCAPES: &str = "\x1b[31mred\x1b[0m \x1b]0;pwned title\x07 bell\x07 overwrite\rdone \u{9b}31mc1 \u{90}dcs del\u{7f} \u{202e}desrever\u{202c} two\nlines";

/// `secret` in the encodings a careless server, proxy or framework might echo it in.
fn echoes(secret: &str) -> String {
    use base64::Engine;
    let percent = |upper: bool| -> String {
        secret
            .bytes()
            .map(|b| match (b.is_ascii_alphanumeric(), upper) {
                (true, _) => char::from(b).to_string(),
                (false, true) => format!("%{b:02X}"),
                (false, false) => format!("%{b:02x}"),
            })
            .collect()
    };
    let json = serde_json::to_string(secret)
        .unwrap_or_default()
        .replace('/', "\\/")
        .replace('+', "\\u002b");
    let base64 = base64::engine::general_purpose::STANDARD.encode(secret);
    // MIME's base64: lines of 76 characters.
    let lines = base64.as_bytes().chunks(76).map(String::from_utf8_lossy);
    let wrapped = lines.collect::<Vec<_>>().join("\r\n");
    let forms = [
        secret.to_owned(),
        percent(true),
        percent(false),
        percent(true).replace("%2B", "%252B"),
        json,
        base64.clone(),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret),
        wrapped,
        secret.bytes().map(|b| format!("{b:02x}")).collect(),
        // UTF-16LE, as a JSON string holds it.
        secret.chars().map(|c| format!("{c}\0")).collect(),
        secret.bytes().map(|b| format!("&#{b};")).collect(),
        secret.bytes().map(|b| format!("&#x{b:X};")).collect(),
    ];
    forms.join(" | ")
}

/// A query value with its `%XX` escapes decoded.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The rest of a request after its first line: the headers, then the body (of its
/// `content-length`, at most 1 MiB); `None` when the connection ends first.
pub(super) fn read_rest(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    Some(body)
}
