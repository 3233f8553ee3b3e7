//! Diagnostics: what timl says about an input, as data, and how it is shown.
//!
//! Takes spans (byte ranges) and rules from every stage; gives [`Diagnostic`]s resolved
//! to `file:line:col`, rendered once, rustc-style or as JSON lines. The rule table
//! ([`rules`]) is the one place that names each rule, its severity and the server error
//! it prevents.

mod data_row;
pub mod diagnostic;
pub mod render;
pub mod rules;
mod severity;
pub mod span;
pub(crate) mod suggest;

pub use data_row::DataRow;
pub use diagnostic::{Diagnostic, Location, Tally};
pub use rules::Rule;
pub use severity::Severity;
pub use span::{LineIndex, Span};
