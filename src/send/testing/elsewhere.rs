//! Where a redirect points: a server on 127.0.0.1 that answers anything OK, and counts
//! the requests it got (a test asserts none arrive).

use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::json;

use super::read_rest;
use crate::send::usersig;

/// A server on 127.0.0.1 that answers every request (any method, any path) with a
/// `send_group_msg` success, and counts them: where a redirect from [`FakeIm`] points,
/// so a test can tell whether timl followed it.
pub struct Elsewhere {
    addr: SocketAddr,
    requests: Arc<Mutex<usize>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Elsewhere {
    /// Starts it at a free port.
    pub fn start() -> Elsewhere {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port is free");
        let addr = listener.local_addr().expect("bound");
        let requests = Arc::new(Mutex::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let (requests, stop) = (requests.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    let Ok(stream) = stream else { continue };
                    // Counted on connection: even a request that never finished
                    // arriving means timl went there.
                    *requests.lock().expect("not poisoned") += 1;
                    std::thread::spawn(move || answer_ok(stream));
                }
            })
        };
        Elsewhere {
            addr,
            requests,
            stop,
            accept: Some(accept),
        }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Connections made to it so far.
    pub fn requests(&self) -> usize {
        *self.requests.lock().expect("not poisoned")
    }
}

impl Drop for Elsewhere {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Reads one request's head (and body, if it has a length) and answers OK.
fn answer_ok(stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    if read_rest(&mut reader).is_none() {
        return;
    }
    let text = json!({"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0, "MsgTime": usersig::now(), "MsgSeq": 1}).to_string();
    let mut writer = stream;
    let _ = writer.write_all(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        )
        .as_bytes(),
    );
}
