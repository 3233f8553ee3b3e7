//! Markup: timl text in, a typed [`Message`](crate::message::Message) and a source map
//! out.
//!
//! ```text
//! text --parse--> ast::Document (spans on every node) --lower--> Message + SourceMap
//! ```
//!
//! pest stays inside [`parse`]: its pairs become the typed AST at once. Template
//! values arrive as placeholders ([`placeholder`]), which every rule reads as one
//! literal atom. Header keys ([`header`]) and element arguments ([`elements`]) are
//! tables; [`srcmap`] maps the JSON paths the checks name back to the markup.

pub mod ast;
pub(crate) mod elements;
pub mod escape;
pub(crate) mod header;
pub mod lower;
mod mistakes;
pub mod parse;
pub mod placeholder;
mod push_keys;
pub(crate) mod signature;
pub mod source;
pub mod srcmap;
