//! The HTTP side of `preview --serve`: answers only what the page needs, and only to
//! whoever holds its URL.
//!
//! The page holds data rows and request bodies, and 127.0.0.1 is not private enough:
//! any local user can connect, and a web page whose name is rebound to 127.0.0.1 (DNS
//! rebinding) can read what it fetches. So, as Jupyter does, the printed URL carries a
//! random token (`http://127.0.0.1:PORT/TOKEN/`, 128 bits); a request is answered
//! only with `GET` or `HEAD`, a `Host` of `127.0.0.1:PORT` or `localhost:PORT` and
//! the token in its path. Connections are served each on its own thread (at most
//! [`MOST_CONNECTIONS`] at once) with a deadline for the request and one for the
//! answer, so a client that trickles its request or never reads holds up no one.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The page as served: its version (bumped on every change) and its HTML.
pub(super) struct Served {
    pub(super) version: u64,
    pub(super) page: String,
}

/// Connections served at once; past that, a new one is closed at once.
pub(super) const MOST_CONNECTIONS: usize = 32;
/// How long a client has to send its request line and headers.
const REQUEST_DEADLINE: Duration = Duration::from_secs(5);
/// How long a client has to take the answer.
const ANSWER_DEADLINE: Duration = Duration::from_secs(10);
/// The most of a request read: its line and headers.
const REQUEST_CAP: u64 = 16 << 10;

/// A fresh token: 128 bits from the operating system, as hex.
pub(super) fn token() -> String {
    (0..4)
        .map(|_| format!("{:08x}", crate::message::random::fresh()))
        .collect()
}

/// Serves `served` on `listener` (bound to `address`) to requests that carry `token`.
pub(super) fn serve_forever(
    listener: TcpListener,
    address: SocketAddr,
    token: &str,
    served: &Arc<Mutex<Served>>,
) {
    let busy = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming().flatten() {
        if busy.fetch_add(1, Ordering::SeqCst) >= MOST_CONNECTIONS {
            busy.fetch_sub(1, Ordering::SeqCst);
            drop(stream);
            continue;
        }
        let (served, busy, token) = (served.clone(), busy.clone(), token.to_owned());
        std::thread::spawn(move || {
            answer(stream, address, &token, &served);
            busy.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

/// What a request asks for, once it has been read.
struct Request {
    method: String,
    path: String,
    host: Option<String>,
}

/// Reads a request line and its headers within [`REQUEST_DEADLINE`] and
/// [`REQUEST_CAP`]; none when the client is too slow, too long or not HTTP.
fn read_request(stream: &TcpStream) -> Option<Request> {
    let started = Instant::now();
    let mut reader = BufReader::new(stream.try_clone().ok()?).take(REQUEST_CAP);
    let mut line = String::new();
    let mut read_line = |line: &mut String| -> Option<()> {
        line.clear();
        let left = REQUEST_DEADLINE.checked_sub(started.elapsed())?;
        stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .ok()?;
        // Each read waits at most what is left of the deadline.
        match reader.read_line(line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(()),
        }
    };
    read_line(&mut line)?;
    let mut words = line.split_whitespace();
    let (method, path) = (words.next()?.to_owned(), words.next()?.to_owned());
    let mut host = None;
    loop {
        read_line(&mut line)?;
        let header = line.trim_end_matches(['\r', '\n']);
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("host") {
                // Two Host headers are no answerable request.
                if host.is_some() {
                    return None;
                }
                host = Some(value.trim().to_owned());
            }
        }
    }
    Some(Request { method, path, host })
}

/// Answers one connection: `/TOKEN/` is the page, `/TOKEN/version` its version.
fn answer(stream: TcpStream, address: SocketAddr, token: &str, served: &Mutex<Served>) {
    let Some(request) = read_request(&stream) else {
        return;
    };
    let port = address.port();
    let host_ok = request.host.as_deref().is_some_and(|host| {
        host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
    });
    let head = request.method == "HEAD";
    let page = format!("/{token}/");
    let version = format!("/{token}/version");
    let (status, kind, body) = if !host_ok {
        (
            "403 Forbidden",
            "text/plain",
            "this preview answers 127.0.0.1 and localhost only".to_owned(),
        )
    } else if request.method != "GET" && !head {
        (
            "405 Method Not Allowed",
            "text/plain",
            "GET or HEAD only".to_owned(),
        )
    } else if request.path == page {
        let page = served.lock().map(|s| s.page.clone()).unwrap_or_default();
        ("200 OK", "text/html; charset=utf-8", page)
    } else if request.path == version {
        let version = served.lock().map(|s| s.version).unwrap_or_default();
        ("200 OK", "text/plain", version.to_string())
    } else {
        // No token, a wrong one, or another path: the same answer, saying nothing.
        ("404 Not Found", "text/plain", "not found".to_owned())
    };
    let mut stream = stream;
    let _ = stream.set_write_timeout(Some(ANSWER_DEADLINE));
    let headers = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncache-control: no-store\r\nx-content-type-options: nosniff\r\nreferrer-policy: no-referrer\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(headers.as_bytes());
    if !head {
        // A write that blocks past the deadline ends with an error: the client is dropped.
        let _ = stream.write_all(body.as_bytes());
    }
    let _ = stream.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_and_fresh() {
        let (a, b) = (token(), token());
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
