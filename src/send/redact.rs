//! Redaction: secrets found in any encoding a server or library could echo them in.

mod scan;
mod spelling;

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::credentials::Auth;
use super::usersig;
use scan::{Pattern, Patterns};

/// Secrets shorter than this are not redacted: they would blank out ordinary words,
/// and no real key (64 hex digits) or UserSig (a few hundred characters) is that short.
/// Forms of a secret shorter than this (a few base64 characters) are not looked for.
const SHORTEST_SECRET: usize = 6;

/// Finds secrets in text in every encoding a server, a proxy or a library could echo
/// them in, and replaces each with `***`. Every text timl writes that could hold one
/// (the server's texts, reports, the journal, a dry run) goes through one of these.
///
/// A secret is found in any of its forms: itself (a hex key also in either case), its
/// hex, and its base64 (standard, URL-safe, or the UserSig's `*-_` alphabet, padded or
/// not, at any alignment, so also inside a longer encoded text). A UserSig is also
/// found by what it is made of: the signature `TLS.sig` inside it (with which its
/// public fields rebuild it, so a server that echoes the UserSig decoded shows it), the
/// signature's bytes, and the compressed bytes the UserSig encodes, each in all of
/// those forms.
///
/// A form is found however it is spelled: any of its characters percent-encoded (either
/// case, a space as `+` or `%20`), JSON-escaped (`\u002b`, `\/`), C-escaped (`\x2b`) or
/// an HTML character reference (`&#43;`, `&#x2B;`, `&plus;`), those escapes themselves
/// escaped once more (`%252B`, `&amp;#43;`, `%26%2343%3B`); and with filler between
/// any two characters: whitespace and line breaks (base64 wrapped at 76 columns), NUL
/// (UTF-16), other control characters and the stand-ins timl shows for them (`␊`,
/// `␀`), invisible format characters, or any of those escaped. The whole span found,
/// from its first character to its last, is cut.
#[derive(Clone, Default)]
pub struct Redactor {
    patterns: Patterns,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Redactor({} patterns)", self.patterns.len())
    }
}

impl Redactor {
    /// A redactor for `secrets`.
    pub fn new(secrets: &[&str]) -> Redactor {
        let mut redactor = Redactor::default();
        for secret in secrets {
            redactor.add(secret);
        }
        redactor
    }

    /// A redactor for the secrets of `auth`.
    pub fn for_auth(auth: Option<&Auth>) -> Redactor {
        match auth {
            Some(Auth::SecretKey(secret) | Auth::UserSig(secret)) => {
                Redactor::new(&[secret.expose()])
            }
            None => Redactor::default(),
        }
    }

    /// Redacts `secret` too (a UserSig signed during the run). A UserSig, whether timl
    /// signed it or was given it, is decoded for the signature it holds.
    pub fn add(&mut self, secret: &str) {
        if secret.len() < SHORTEST_SECRET {
            return;
        }
        self.add_text(secret);
        if let (Ok(compressed), Ok(claims)) = (usersig::compressed(secret), usersig::decode(secret))
        {
            // The bytes the UserSig encodes: their base64 is the UserSig in the standard
            // alphabet, as a server that re-encodes it would show it.
            self.add_bytes(&compressed);
            // `TLS.sig` and the public fields rebuild the UserSig: a server that echoes
            // it decoded shows it as text, and its HMAC bytes could be shown as hex.
            self.add_text(&claims.sig);
            if let Ok(mac) = STANDARD.decode(&claims.sig) {
                self.add_bytes(&mac);
            }
        }
    }

    /// `text` itself (hex digits in either case), and the forms of its bytes.
    fn add_text(&mut self, text: &str) {
        if text.len() < SHORTEST_SECRET {
            return;
        }
        // Filler is skipped wherever it stands, so a form never holds any.
        let itself: String = text.chars().filter(|&c| !spelling::is_filler(c)).collect();
        let fold_case = itself.bytes().all(|b| b.is_ascii_hexdigit());
        self.insert(itself.into_bytes(), fold_case);
        self.add_bytes(text.as_bytes());
    }

    /// The hex and the base64 of `bytes`.
    fn add_bytes(&mut self, bytes: &[u8]) {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        self.insert(hex.into_bytes(), true);
        // Base64 of the bytes alone (padded or not), and at each of the three
        // alignments they can have inside a longer encoded text, the characters made of
        // their bits alone.
        let whole = STANDARD.encode(bytes);
        let mut encodings = vec![whole.clone(), whole.trim_end_matches('=').to_owned()];
        for offset in 0..3usize {
            let mut input = vec![0u8; offset];
            input.extend_from_slice(bytes);
            let encoded = STANDARD.encode(&input);
            let start = (8 * offset).div_ceil(6);
            let end = 8 * (offset + bytes.len()) / 6;
            encodings.push(encoded[start..end].to_owned());
        }
        for encoded in encodings {
            // Standard, URL-safe, and the UserSig's own alphabet.
            for (plus, slash, pad) in [("+", "/", "="), ("-", "_", "="), ("*", "-", "_")] {
                let encoded = encoded
                    .replace('+', plus)
                    .replace('/', slash)
                    .replace('=', pad);
                self.insert(encoded.into_bytes(), false);
            }
        }
    }

    fn insert(&mut self, bytes: Vec<u8>, fold_case: bool) {
        if bytes.len() >= SHORTEST_SECRET {
            self.patterns.insert(Pattern { bytes, fold_case });
        }
    }

    /// `text` with every secret, in every form, replaced by `***` (one for each run of
    /// overlapping or touching finds).
    pub fn redact(&self, text: &str) -> String {
        let mut spans = self.patterns.spans(text.as_bytes(), false);
        if spans.is_empty() {
            return text.to_owned();
        }
        spans.sort_unstable_by_key(|span| span.start);
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut spans = spans.into_iter().peekable();
        let mut copied = 0;
        while let Some(span) = spans.next() {
            let mut end = span.end;
            while let Some(next) = spans.next_if(|next| next.start <= end) {
                end = end.max(next.end);
            }
            out.extend_from_slice(&bytes[copied..span.start]);
            out.extend_from_slice(b"***");
            copied = end;
        }
        out.extend_from_slice(&bytes[copied..]);
        // A find starts and ends on character boundaries (it begins with a secret's
        // first byte or an ASCII escape, and ends after a whole character).
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Whether `text` holds any secret, in any form.
    pub fn finds(&self, text: &str) -> bool {
        !self.patterns.spans(text.as_bytes(), true).is_empty()
    }
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
