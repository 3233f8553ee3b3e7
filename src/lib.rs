//! timl compiles group announcements written as small template files into the exact
//! JSON body of Tencent Cloud IM's `send_group_msg` call, and checks them against the
//! rules of the target group type before anything reaches a server.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! parse   markup text        -> ast::Document (spans on every node)
//! lower   ast::Document      -> message::Message + srcmap::SourceMap
//! random  Message            -> Message with its Random
//! check   Message            -> diagnostics named by JSON path
//! compile bytes              -> Compiled (message + located diagnostics)
//! render  diagnostics        -> rustc-style text or JSON lines
//! run     config::Command    -> files written, Outcome
//! ```
//!
//! ```
//! let compiled = timl::compile_markup(
//!     "hello.timl",
//!     "---\ngroup: @TGS#2C5SZEAEF\ntype: public\nrandom: 1\n---\nHi @all [face 6]",
//!     &timl::Options::default(),
//! );
//! let json = compiled.message.unwrap().to_compact_json();
//! assert_eq!(
//!     json,
//!     r#"{"GroupId":"@TGS#2C5SZEAEF","Random":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"Hi @all "}},{"MsgType":"TIMFaceElem","MsgContent":{"Index":6,"Data":""}}],"GroupAtInfo":[{"GroupAtAllFlag":1}]}"#
//! );
//! ```

pub mod app;
pub mod check;
pub mod compile;
pub mod diag;
pub mod error;
pub mod markup;
pub mod message;
pub mod send;
pub mod template;

pub use app::{cli, config, run, Outcome};
pub use compile::{batch, json_input};
pub use compile::{
    compile_file, compile_json, compile_json_lines, compile_markup, Compiled, InputKind, Options,
};
pub use diag::{diagnostic, render, rules, span};
pub use diag::{Diagnostic, Severity};
pub use error::Error;
pub use markup::{ast, escape, lower, parse, srcmap};
pub use message::Message;
pub use message::{encode, group, random};
#[cfg(feature = "testing")]
pub use send::testing;
pub use send::{codes, credentials, deliver, journal, rate, usersig};
pub use template::data;
