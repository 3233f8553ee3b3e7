//! Preview: compiled messages in, one self-contained HTML page out, drawing each message
//! as a member's chat app would (with who sees it, its push notification, its
//! problems and its exact JSON), for people who would rather look than read.
//!
//! The page is a minijinja template (`page.html`) rendered with HTML auto-escaping: every
//! string from a template, a value or a server is escaped on its way into the page, so a
//! value holding HTML or script is text. The page has no script of its own (but the
//! `--serve` reload, with a nonce) and a Content Security Policy that allows none,
//! fetches no font or asset, and loads only the messages' own pictures (none with
//! `--no-remote`).

mod parts;
mod view;

use std::collections::HashSet;
use std::sync::Arc;

use minijinja::{context, Environment};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::compile::Compiled;
use crate::diag::Severity;
use crate::message::faces::Catalog;
pub use view::Item;

/// At most this many messages are drawn; the page says how many more there are.
pub const MAX_DRAWN: usize = 200;

/// How the page is made.
#[derive(Debug, Clone, Default)]
pub struct PageOptions {
    /// Load the messages' pictures (`--no-remote`: placeholders instead).
    pub remote: bool,
    /// `--serve`: the version the page reloads away from, and its script's nonce.
    pub live: Option<(u64, String)>,
}

/// What a batch holds, counted as its messages stream by.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub messages: usize,
    pub groups: usize,
    pub everyone: usize,
    pub with_errors: usize,
    pub with_warnings: usize,
    pub duplicates: usize,
}

/// Collects a batch for its page: every message counted, the first [`MAX_DRAWN`]
/// kept (those with errors first), so memory stays flat however many rows there are.
#[derive(Debug, Default)]
pub struct Collector {
    remote: bool,
    faces: Arc<Catalog>,
    summary: Summary,
    groups: HashSet<String>,
    bodies: HashSet<[u8; 16]>,
    failing: Vec<Item>,
    passing: Vec<Item>,
}

impl Collector {
    /// A collector that loads pictures when `remote`, and draws faces from `faces`.
    pub fn new(remote: bool, faces: Arc<Catalog>) -> Collector {
        Collector {
            remote,
            faces,
            ..Collector::default()
        }
    }

    /// Counts `compiled` (from `origin`) and keeps it when there is room.
    pub fn add(&mut self, origin: String, compiled: &Compiled) {
        let summary = &mut self.summary;
        summary.messages += 1;
        let has = |severity| compiled.diagnostics.iter().any(|d| d.severity == severity);
        let errors = has(Severity::Error);
        summary.with_errors += usize::from(errors);
        summary.with_warnings += usize::from(has(Severity::Warning));
        if let Some(message) = &compiled.message {
            if let Some(group) = &message.group_id {
                self.groups.insert(group.clone());
            }
            summary.everyone += usize::from(message.group_at.iter().any(|at| at.all == 1));
            // Rows that compile to the same body would send the same message twice.
            let body = serde_json::to_string(&message.body).unwrap_or_default();
            let key = format!("{}\n{body}", message.group_id.as_deref().unwrap_or(""));
            let digest: [u8; 16] = Sha256::digest(key.as_bytes())[..16]
                .try_into()
                .expect("16 bytes");
            summary.duplicates += usize::from(!self.bodies.insert(digest));
        }
        summary.groups = self.groups.len();
        let kept = if errors {
            &mut self.failing
        } else {
            &mut self.passing
        };
        if kept.len() < MAX_DRAWN {
            kept.push(view::item(origin, compiled, self.remote, &self.faces));
        }
    }

    /// The page.
    pub fn page(self, title: &str, options: &PageOptions) -> String {
        let mut items = self.failing;
        items.extend(self.passing);
        items.truncate(MAX_DRAWN);
        let more = self.summary.messages.saturating_sub(items.len());
        page(title, &self.summary, &items, more, options)
    }
}

/// The page for `items` of a batch summed up by `summary`.
fn page(
    title: &str,
    summary: &Summary,
    items: &[Item],
    more: usize,
    options: &PageOptions,
) -> String {
    let mut env = Environment::new();
    // `.html` templates escape every printed value for HTML.
    env.add_template("page.html", include_str!("page.html"))
        .expect("the page template compiles");
    let (version, nonce) = options.live.clone().unzip();
    let images = if options.remote {
        "http: https:"
    } else {
        "'none'"
    };
    let script = nonce
        .as_deref()
        .map_or("'none'".to_owned(), |n| format!("'nonce-{n}'"));
    let policy = format!(
        "default-src 'none'; img-src {images}; style-src 'unsafe-inline'; script-src {script}; connect-src 'self'; base-uri 'none'; form-action 'none'"
    );
    env.get_template("page.html")
        .and_then(|template| {
            template.render(context! {
                title => title,
                summary => minijinja::Value::from(minijinja::value::Serde(summary)),
                items => minijinja::Value::from(minijinja::value::Serde(items)),
                more => more,
                policy => policy,
                version => version,
                nonce => nonce,
            })
        })
        .expect("the page renders")
}
