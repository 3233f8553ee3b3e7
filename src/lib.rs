//! timl compiles group announcements written as small template files into the exact
//! JSON body of Tencent Cloud IM's `send_group_msg` call, and checks them against the
//! rules of the target group type before anything reaches a server.
//!
//! One folder per pipeline stage, each depending only on the ones below it
//! (`ARCHITECTURE.md` draws the picture):
//!
//! ```text
//! app       command line -> config -> files written, Outcome
//! compile   bytes -> Compiled (message + located diagnostics); batches of rows
//! send      compiled bodies -> POSTs at the rate limit, exactly once
//! check     Message -> rule diagnostics by JSON path
//! template  template + variables -> markup whose values are data
//! markup    markup text -> AST -> Message + source map
//! message   the typed send_group_msg body, its encoding and Random
//! diag      diagnostics, the rule table, spans, rendering
//! ```
//!
//! The modules are private; what a library user, the tests, the benchmarks and the
//! fuzz targets need is re-exported here.
//!
//! ```
//! let compiled = timl::compile_markup(
//!     "hello.timl",
//!     "---\ngroup: @TGS#2C5SZEAEF\ntype: public\nrandom: 1\n---\nHi @all [emoji smile] [sticker yz00]",
//!     &timl::Options::default(),
//! );
//! let json = compiled.message.unwrap().to_compact_json();
//! assert_eq!(
//!     json,
//!     r#"{"GroupId":"@TGS#2C5SZEAEF","Random":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"Hi @all [TUIEmoji_Smile] "}},{"MsgType":"TIMFaceElem","MsgContent":{"Index":1,"Data":"yz00"}}],"GroupAtInfo":[{"GroupAtAllFlag":1}]}"#
//! );
//! ```

/// Writes a status line to standard error, like `eprintln!`, but a standard error
/// that cannot be written (a full disk, a closed pipe) is ignored rather than a
/// panic: by then the work is done, or stopping it would lose more than the line.
macro_rules! status {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

/// [`status!`] without the line break (a prompt).
macro_rules! status_part {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stderr = std::io::stderr();
        let _ = write!(stderr, $($arg)*);
        let _ = stderr.flush();
    }};
}

mod app;
mod check;
mod compile;
mod diag;
mod error;
mod markup;
mod message;
mod preview;
mod send;
mod template;

// Compiling: the entry points and what they give.
pub use compile::batch::compile_input;
pub use compile::{
    compile_file, compile_json, compile_json_lines, compile_markup, compile_template, Compiled,
    InputKind, Options,
};
pub use markup::ast::element_names;
pub use markup::escape::escape;
pub use markup::header::names as header_keys;
pub use message::faces;
pub use message::{Element, Message};
pub use template::budget::Budgeted;
pub use template::data::Variables;
pub use template::{filter_names, test_names, Template};

// Diagnostics: the type, the rule table, rendering.
pub use diag::{render, rules, Diagnostic, Rule, Severity};

// Sending.
pub use send::credentials::{Auth, Credentials};
pub use send::deliver::{deliver_all, DeliverOptions, Status};
pub use send::redact::Redactor;
pub use send::secret::Secret;
pub use send::sender::{Delivery, Sender};
/// The fake Tencent IM server the tests and benchmarks start on 127.0.0.1 (feature
/// `testing`; not in the release binary).
#[cfg(feature = "testing")]
pub use send::testing;
pub use send::{journal, usersig};

// The command line, for `main`.
pub use app::cli::Cli;
pub use app::{run, Outcome};
pub use error::Error;
