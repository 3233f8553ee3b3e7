//! Redaction: secrets found in any encoding a server or library could echo them in.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::credentials::Auth;

/// Secrets shorter than this are not redacted: they would blank out ordinary words,
/// and no real key (64 hex digits) or UserSig (a few hundred characters) is that short.
const SHORTEST_SECRET: usize = 6;

/// Finds secrets in text in every encoding a server, a proxy or a library could echo
/// them in, and replaces each with `***`. Every text timl writes that could hold one
/// (the server's texts, reports, the journal, a dry run) goes through one of these.
///
/// A secret is found as itself (a hex key also in either case); with any of its bytes
/// percent-encoded (`%2B` or `%2b`, `%252B` twice over, a space as `+` or `%20`) or
/// JSON-escaped (`\u002b`, `\/`, `\"`); and as its base64 (standard, URL-safe, or the
/// UserSig's `*-_` alphabet, at any alignment, so also inside a longer encoded text)
/// and its hex, themselves in any of those forms.
#[derive(Clone, Default)]
pub struct Redactor {
    patterns: Vec<Pattern>,
}

/// One form of a secret, matched byte by byte through the encodings above.
#[derive(Clone, PartialEq, Eq)]
struct Pattern {
    bytes: Vec<u8>,
    /// Hex digits match in either case.
    fold_case: bool,
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

    /// Redacts `secret` too (a UserSig signed during the run).
    pub fn add(&mut self, secret: &str) {
        let bytes = secret.as_bytes();
        if bytes.len() < SHORTEST_SECRET {
            return;
        }
        let hex_only = bytes.iter().all(u8::is_ascii_hexdigit);
        let mut forms = vec![Pattern {
            bytes: bytes.to_vec(),
            fold_case: hex_only,
        }];
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        forms.push(Pattern {
            bytes: hex.into_bytes(),
            fold_case: true,
        });
        // Base64 of the secret alone (padded or not), and at each of the three
        // alignments it can have inside a longer encoded text, the characters made of
        // the secret's bits alone.
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
                forms.push(Pattern {
                    bytes: encoded.into_bytes(),
                    fold_case: false,
                });
            }
        }
        for form in forms {
            if form.bytes.len() >= SHORTEST_SECRET && !self.patterns.contains(&form) {
                self.patterns.push(form);
            }
        }
        // The longest form that matches at a place is the one taken, so that nothing
        // of a longer encoding is left beside the `***`.
        self.patterns
            .sort_by_key(|p| std::cmp::Reverse(p.bytes.len()));
    }

    /// `text` with every secret, in every form, replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        if self.patterns.is_empty() {
            return text.to_owned();
        }
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut at = 0;
        while at < bytes.len() {
            match self.patterns.iter().find_map(|p| p.match_at(bytes, at, 0)) {
                Some(end) => {
                    out.extend_from_slice(b"***");
                    at = end;
                }
                None => {
                    out.push(bytes[at]);
                    at += 1;
                }
            }
        }
        // A match starts and ends on character boundaries (it begins with a secret's
        // first byte or an ASCII escape, and ends after a whole character).
        String::from_utf8(out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Whether `text` holds any secret, in any form.
    pub fn finds(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        (0..bytes.len()).any(|at| {
            self.patterns
                .iter()
                .any(|p| p.match_at(bytes, at, 0).is_some())
        })
    }
}

impl Pattern {
    /// Where a match of the pattern from its byte `j` on, starting at `text[at]`, ends.
    fn match_at(&self, text: &[u8], mut at: usize, mut j: usize) -> Option<usize> {
        while j < self.bytes.len() {
            let steps = self.steps(text, at, j);
            match steps.as_slice() {
                [] => return None,
                [(next_at, next_j)] => (at, j) = (*next_at, *next_j),
                // Only where the secret holds `%`, `\` or a space, so a few short
                // branches: the longest match, so no escape is left half-redacted.
                several => {
                    return several
                        .iter()
                        .filter_map(|&(next_at, next_j)| self.match_at(text, next_at, next_j))
                        .max()
                }
            }
        }
        Some(at)
    }

    /// Every way `text[at..]` can spell the pattern's byte `j` (and maybe more): the
    /// positions after it in the text and in the pattern.
    fn steps(&self, text: &[u8], at: usize, j: usize) -> Steps {
        let want = self.bytes[j];
        let same = |byte: u8| byte == want || (self.fold_case && byte.eq_ignore_ascii_case(&want));
        let mut steps = Steps::default();
        let Some(&first) = text.get(at) else {
            return steps;
        };
        if same(first) {
            steps.push((at + 1, j + 1));
        }
        match first {
            b'%' => {
                if let Some(byte) = hex_byte(text, at + 1) {
                    if same(byte) {
                        steps.push((at + 3, j + 1));
                    }
                    // `%25` is `%` itself: the secret encoded twice.
                    if byte == b'%' && hex_byte(text, at + 3).is_some_and(same) {
                        steps.push((at + 5, j + 1));
                    }
                }
            }
            b'+' if want == b' ' => steps.push((at + 1, j + 1)),
            b'\\' => match text.get(at + 1) {
                Some(b'u') => {
                    if let Some((c, len)) = json_unicode(text, at) {
                        let mut utf8 = [0; 4];
                        let utf8 = c.encode_utf8(&mut utf8).as_bytes();
                        let matched = match utf8 {
                            [byte] => same(*byte),
                            _ => self.bytes[j..].starts_with(utf8),
                        };
                        if matched {
                            steps.push((at + len, j + utf8.len()));
                        }
                    }
                }
                Some(&escaped) => {
                    let byte = match escaped {
                        b'b' => 8,
                        b'f' => 12,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        other => other,
                    };
                    if matches!(
                        escaped,
                        b'/' | b'"' | b'\\' | b'b' | b'f' | b'n' | b'r' | b't'
                    ) && same(byte)
                    {
                        steps.push((at + 2, j + 1));
                    }
                }
                None => {}
            },
            _ => {}
        }
        steps
    }
}

/// The ways found to spell one byte at one place: at most three (itself, `%XX`,
/// `%25XX`), kept without allocating, as this runs for every byte shown.
#[derive(Default)]
struct Steps {
    found: [(usize, usize); 3],
    len: usize,
}

impl Steps {
    fn push(&mut self, step: (usize, usize)) {
        if let Some(slot) = self.found.get_mut(self.len) {
            *slot = step;
            self.len += 1;
        }
    }

    fn as_slice(&self) -> &[(usize, usize)] {
        &self.found[..self.len]
    }
}

/// The byte written as two hex digits at `text[at..]`.
fn hex_byte(text: &[u8], at: usize) -> Option<u8> {
    let digit = |at: usize| char::from(*text.get(at)?).to_digit(16);
    Some((digit(at)? * 16 + digit(at + 1)?) as u8)
}

/// The character of a JSON `\uXXXX` escape at `text[at..]` (a surrogate pair is two),
/// and how many bytes it takes.
fn json_unicode(text: &[u8], at: usize) -> Option<(char, usize)> {
    let unit = |at: usize| -> Option<u32> {
        let escape = text.get(at..at + 6)?;
        if !escape.starts_with(b"\\u") || !escape[2..].iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u32::from_str_radix(std::str::from_utf8(&escape[2..]).ok()?, 16).ok()
    };
    let high = unit(at)?;
    if (0xd800..0xdc00).contains(&high) {
        let low = unit(at + 6).filter(|low| (0xdc00..0xe000).contains(low))?;
        let c = char::from_u32(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00))?;
        return Some((c, 12));
    }
    Some((char::from_u32(high)?, 6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_encoding_of_a_secret_is_redacted() {
        let secret = "eJw1+a/b=c*d-e_f";
        let redactor = Redactor::new(&[secret]);
        for shown in [
            "eJw1+a/b=c*d-e_f",
            "eJw1%2Ba%2Fb%3Dc*d-e_f",
            "eJw1%2ba%2fb%3dc*d-e_f",
            "%65%4A%77%31%2B%61%2F%62%3D%63%2A%64%2D%65%5F%66",
            "eJw1%252Ba%252Fb%253Dc*d-e_f",
            "eJw1\\u002ba\\/b\\u003Dc*d-e_f",
            "\\u0065Jw1+a\\/b=c*d-e_f",
            &STANDARD.encode(secret),
            &STANDARD.encode(secret).replace('=', ""),
            &STANDARD.encode(secret).replace('+', "-").replace('/', "_"),
            &STANDARD
                .encode(secret)
                .replace('+', "%2B")
                .replace('/', "%2F"),
            &secret
                .bytes()
                .map(|b| format!("{b:02x}"))
                .collect::<String>(),
            &secret
                .bytes()
                .map(|b| format!("{b:02X}"))
                .collect::<String>(),
        ] {
            let text = format!("ErrorInfo: usersig={shown}&random=1");
            let redacted = redactor.redact(&text);
            assert!(
                redacted.starts_with("ErrorInfo: usersig=***"),
                "{shown}: {redacted}"
            );
            assert_eq!(redacted, "ErrorInfo: usersig=***&random=1", "{shown}");
            assert!(!redactor.finds(&redacted), "{shown}: {redacted}");
        }
        // A secret with a space: `+` and `%20` both spell it.
        let spaced = Redactor::new(&["my secret key"]);
        for shown in [
            "my+secret+key",
            "my%20secret%20key",
            "my secret key",
            "my\\u0020secret key",
        ] {
            assert_eq!(spaced.redact(&format!("[{shown}]")), "[***]", "{shown}");
        }
        // A secret ending in `\\`, JSON-escaped: the longest reading is taken, so no
        // `u005C` is left behind.
        let backslash = Redactor::new(&["ab/cd\\"]);
        assert_eq!(backslash.redact("<ab\\/cd\\u005C>"), "<***>");
        assert_eq!(backslash.redact("<ab/cd\\\\>"), "<***>");
        // Non-ASCII characters, raw, percent-encoded or JSON-escaped (a surrogate pair too).
        let unicode = Redactor::new(&["clé-🔑-secrète"]);
        for shown in [
            "clé-🔑-secrète",
            "cl%C3%A9-%F0%9F%94%91-secr%C3%A8te",
            "cl\\u00e9-\\ud83d\\udd11-secr\\u00E8te",
        ] {
            assert_eq!(unicode.redact(&format!("<{shown}>")), "<***>", "{shown}");
        }
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        let redactor = Redactor::new(&["0123456789abcdef", "eJw1+a/b=c*d-e_f", "short"]);
        for text in [
            "",
            "the group does not exist %2B \\u002b \\/ +",
            "0123456789abcde",
            "ab%",
            "\\u12",
            "%ZZ",
            "short",
            "clé 🔑",
        ] {
            assert_eq!(redactor.redact(text), text);
        }
        assert_eq!(Redactor::default().redact("anything"), "anything");
    }

    /// Encodings a server, a proxy or a library could echo a secret in.
    fn encode(secret: &str, how: usize, bits: &[bool]) -> String {
        let bit = |i: usize| bits.get(i % bits.len().max(1)).copied().unwrap_or(false);
        let percent = |byte: u8, upper: bool| {
            if upper {
                format!("%{byte:02X}")
            } else {
                format!("%{byte:02x}")
            }
        };
        let base64 = STANDARD.encode(secret);
        let utf8 = |c: char| c.to_string().into_bytes().into_iter();
        match how {
            0 => secret.to_owned(),
            // Fully percent-encoded, upper- or lower-case hex.
            1 | 2 => secret.bytes().map(|b| percent(b, how == 1)).collect(),
            // Partly encoded, each byte's case at random, a space as `+` or `%20`.
            3 => secret
                .chars()
                .enumerate()
                .map(|(i, c)| match c {
                    ' ' if bit(i) => "+".to_owned(),
                    ' ' => "%20".to_owned(),
                    _ if bit(i) => utf8(c).map(|b| percent(b, bit(i + 1))).collect(),
                    _ => c.to_string(),
                })
                .collect(),
            // What a query encoder does: unreserved characters as they are.
            4 => secret
                .chars()
                .map(|c| match c {
                    c if c.is_ascii_alphanumeric() || "-_.~".contains(c) => c.to_string(),
                    ' ' => "+".to_owned(),
                    c => utf8(c).map(|b| percent(b, true)).collect(),
                })
                .collect(),
            // Percent-encoded twice.
            5 => secret
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if bit(i) {
                        utf8(c).map(|b| format!("%25{b:02X}")).collect()
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
            // JSON-escaped: `\/`, `\u002b`, any character as `\uXXXX`.
            6 => {
                let json = serde_json::to_string(secret).unwrap();
                json[1..json.len() - 1]
                    .replace('/', "\\/")
                    .replace('+', "\\u002b")
            }
            7 => secret
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if bit(i) && (c as u32) < 0x10000 {
                        let escaped = format!("\\u{:04x}", c as u32);
                        if bit(i + 1) {
                            escaped.to_uppercase().replacen("\\U", "\\u", 1)
                        } else {
                            escaped
                        }
                    } else {
                        c.to_string()
                    }
                })
                .collect(),
            // Whole-string base64: standard, unpadded, URL-safe, the UserSig's alphabet.
            8 => base64,
            9 => base64.trim_end_matches('=').to_owned(),
            10 => base64.replace('+', "-").replace('/', "_"),
            11 => base64.replace('+', "*").replace('/', "-").replace('=', "_"),
            // Base64, then percent-encoded as a query value.
            12 => base64
                .replace('+', "%2B")
                .replace('/', "%2f")
                .replace('=', "%3D"),
            // Whole-string hex.
            13 => secret.bytes().map(|b| format!("{b:02x}")).collect(),
            _ => secret.bytes().map(|b| format!("{b:02X}")).collect(),
        }
    }

    fn assert_redacted(secret: &str, how: usize, bits: &[bool], prefix: &str, suffix: &str) {
        let redactor = Redactor::new(&[secret]);
        let shown = encode(secret, how, bits);
        let text = format!("{prefix}{shown}{suffix}");
        let redacted = redactor.redact(&text);
        assert!(
            !redacted.contains(&shown),
            "form {how}: {text:?} -> {redacted:?}"
        );
        assert!(
            !redacted.contains(secret),
            "form {how}: {text:?} -> {redacted:?}"
        );
        // All of it is gone.
        assert!(
            redacted.len() + shown.len() <= text.len() + 3,
            "form {how}: {text:?} -> {redacted:?}"
        );
    }

    proptest::proptest! {
        #[test]
        fn secrets_over_the_base64_alphabet_are_redacted_in_every_encoding(
            secret in "[A-Za-z0-9+/=*_-]{6,80}",
            how in 0usize..15,
            bits in proptest::collection::vec(proptest::bool::ANY, 1..64),
            prefix in "\\PC{0,24}",
            suffix in "\\PC{0,24}",
        ) {
            assert_redacted(&secret, how, &bits, &prefix, &suffix);
        }

        #[test]
        fn any_secret_is_redacted_in_every_encoding(
            secret in "\\PC{6,40}",
            how in 0usize..15,
            bits in proptest::collection::vec(proptest::bool::ANY, 1..64),
            prefix in "\\PC{0,24}",
            suffix in "\\PC{0,24}",
        ) {
            assert_redacted(&secret, how, &bits, &prefix, &suffix);
        }

        #[test]
        fn text_without_the_secret_is_unchanged(
            secret in "[a-z]{3}[0-9][A-Za-z0-9+/=*_-]{4,60}",
            text in "[a-z ,.;:!?()]{0,200}",
        ) {
            proptest::prop_assert_eq!(Redactor::new(&[&secret]).redact(&text), text);
        }
    }
}
