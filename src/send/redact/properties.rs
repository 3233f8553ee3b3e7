//! Property tests over the class: random secrets, in each form (itself, base64 in each
//! alphabet, hex), each spelled in each encoding, with random filler between the
//! pieces of the encoding and maybe turned into what timl shows on a terminal. The
//! redacted text holds no piece of what was shown.

use super::spelling::is_filler;
use super::*;

use proptest::prelude::*;

/// Filler a server could put between two characters.
const FILLERS: &[&str] = &[
    " ",
    "\n",
    "\r\n",
    "\t",
    "\0",
    "␊",
    "␍␊",
    "␀",
    "\u{200b}",
    "\u{a0}",
    "\u{feff}",
    "%00",
    "%0A",
    "%20",
    "%2500",
    "\\u0000",
    "\\n",
    "\\0",
    "&#10;",
    "&#x0;",
    "&nbsp;",
    "+",
    "    ",
    "\r\n\r\n\t",
];

/// The forms of `secret` that are looked for whole.
fn form(secret: &str, which: usize) -> String {
    let base64 = STANDARD.encode(secret);
    match which {
        0 => secret.to_owned(),
        1 => base64,
        2 => base64.trim_end_matches('=').to_owned(),
        3 => base64.replace('+', "-").replace('/', "_"),
        4 => base64.replace('+', "*").replace('/', "-").replace('=', "_"),
        5 => secret.bytes().map(|b| format!("{b:02x}")).collect(),
        _ => secret.bytes().map(|b| format!("{b:02X}")).collect(),
    }
}

/// `text` in one of the encodings a server, a proxy or a library could echo it in, as
/// the pieces each character became (filler goes between pieces, never inside one).
fn encode(text: &str, how: usize, bit: &dyn Fn(usize) -> bool) -> Vec<String> {
    let percent = |c: char, upper: bool| -> String {
        let mut utf8 = [0; 4];
        let bytes = c.encode_utf8(&mut utf8).bytes();
        if upper {
            bytes.map(|b| format!("%{b:02X}")).collect()
        } else {
            bytes.map(|b| format!("%{b:02x}")).collect()
        }
    };
    let named = |c: char| match c {
        '&' => Some("&amp;"),
        '<' => Some("&lt;"),
        '>' => Some("&gt;"),
        '"' => Some("&quot;"),
        '\'' => Some("&apos;"),
        '+' => Some("&plus;"),
        '/' => Some("&sol;"),
        '=' => Some("&equals;"),
        '*' => Some("&ast;"),
        '_' => Some("&lowbar;"),
        _ => None,
    };
    let piece = |(i, c): (usize, char)| -> String {
        let code = c as u32;
        match how {
            0 => c.to_string(),
            // Fully percent-encoded, upper- or lower-case hex.
            1 | 2 => percent(c, how == 1),
            // Partly encoded, each byte's case at random, a space as `+` or `%20`.
            3 if c == ' ' && bit(i) => "+".to_owned(),
            3 if bit(i) || c == ' ' => percent(c, bit(i + 1)),
            // What a query encoder does: unreserved characters as they are.
            4 if c.is_ascii_alphanumeric() || "-_.~".contains(c) => c.to_string(),
            4 if c == ' ' => "+".to_owned(),
            4 => percent(c, true),
            // Percent-encoded twice: the `%` only, or every byte again.
            5 if bit(i) => percent(c, true).replace('%', "%25"),
            6 => percent(c, bit(i))
                .bytes()
                .map(|b| format!("%{b:02X}"))
                .collect(),
            // JSON-escaped as serde does, and `\/`, `\u002b`.
            7 => match c {
                '"' => "\\\"".to_owned(),
                '\\' => "\\\\".to_owned(),
                '/' => "\\/".to_owned(),
                '+' => "\\u002b".to_owned(),
                c => c.to_string(),
            },
            // Any character as `\uXXXX` (a surrogate pair beyond the BMP).
            8 if bit(i) => {
                let escaped: String = c
                    .encode_utf16(&mut [0; 2])
                    .iter()
                    .map(|unit| format!("\\u{unit:04x}"))
                    .collect();
                if bit(i + 1) {
                    escaped.to_uppercase().replace("\\U", "\\u")
                } else {
                    escaped
                }
            }
            // HTML references: decimal, hex, named, and escaped once more.
            9 if bit(i) => format!("&#{code};"),
            10 if bit(i) => format!("&#{}{code:X};", if bit(i + 1) { "x" } else { "X" }),
            11 => named(c).map_or_else(|| c.to_string(), str::to_owned),
            12 if bit(i) => format!("&amp;#{code};"),
            // C's `\xXX`, an HTML reference percent-encoded, a JSON-escaped `%`.
            13 if bit(i) && c.is_ascii() => format!("\\x{code:02x}"),
            14 if bit(i) && c.is_ascii() => format!("%26%23{code}%3B"),
            15 if bit(i) => percent(c, true).replace('%', "\\u0025"),
            _ => c.to_string(),
        }
    };
    text.chars().enumerate().map(piece).collect()
}

/// What timl shows on a terminal for `text` (`render::printable`): control characters
/// as their stand-ins, a tab as four spaces.
fn shown_on_a_terminal(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' => "    ".to_owned(),
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap().to_string(),
            '\u{7f}' => "\u{2421}".to_owned(),
            '\u{80}'..='\u{9f}' | '\u{2028}'..='\u{202e}' => "\u{fffd}".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// How a secret is shown in a test: which form, which encoding, where filler goes and
/// which, whether on a terminal, and the text around it.
#[derive(Debug, Clone)]
struct Shown {
    form: usize,
    how: usize,
    bits: Vec<bool>,
    filler: usize,
    terminal: bool,
    prefix: String,
    suffix: String,
}

fn shown() -> impl Strategy<Value = Shown> {
    (
        0usize..7,
        0usize..16,
        proptest::collection::vec(any::<bool>(), 1..64),
        0usize..FILLERS.len() * 2,
        any::<bool>(),
        "\\PC{0,24}",
        "\\PC{0,24}",
    )
        .prop_map(
            |(form, how, bits, filler, terminal, prefix, suffix)| Shown {
                form,
                how,
                bits,
                filler,
                terminal,
                prefix,
                suffix,
            },
        )
}

/// A secret that is not filler at either end and has six characters that are not.
fn secret(pattern: &'static str) -> impl Strategy<Value = String> {
    pattern.prop_filter(
        "six characters that are not filler, none at the ends",
        |s| {
            let ends = [s.chars().next(), s.chars().last()];
            s.chars().filter(|&c| !is_filler(c)).count() >= SHORTEST_SECRET
                && ends.iter().flatten().all(|&c| !is_filler(c))
        },
    )
}

/// `secret`, shown as `how` says, is cut whole out of the text around it.
fn assert_cut(redactor: &Redactor, secret: &str, how: &Shown) {
    let bit = |i: usize| how.bits[i % how.bits.len()];
    let pieces = encode(&form(secret, how.form), how.how, &bit);
    let mut shown = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        // Filler between pieces: at random, or (filler beyond the list) between all.
        if i > 0 && (how.filler >= FILLERS.len() || bit(i * 7 + 3)) {
            shown.push_str(FILLERS[(how.filler + i * usize::from(bit(i))) % FILLERS.len()]);
        }
        shown.push_str(piece);
    }
    let mut text = format!("{}{shown}{}", how.prefix, how.suffix);
    if how.terminal {
        shown = shown_on_a_terminal(&shown);
        text = shown_on_a_terminal(&text);
    }
    let redacted = redactor.redact(&text);
    let context = format!("{how:?}: {text:?} -> {redacted:?}");
    assert!(!redacted.contains(&shown), "{context}");
    assert!(!redacted.contains(secret), "{context}");
    // All of it is gone.
    assert!(redacted.len() + shown.len() <= text.len() + 3, "{context}");
}

proptest! {
    #[test]
    fn secrets_over_the_base64_alphabet_are_redacted_however_spelled(
        secret in secret("[A-Za-z0-9+/=*_-]{6,80}"),
        how in shown(),
    ) {
        assert_cut(&Redactor::new(&[&secret]), &secret, &how);
    }

    #[test]
    fn keys_are_redacted_however_spelled(secret in secret("[0-9a-f]{64}"), how in shown()) {
        assert_cut(&Redactor::new(&[&secret]), &secret, &how);
    }

    #[test]
    fn any_secret_is_redacted_however_spelled(secret in secret("\\PC{6,40}"), how in shown()) {
        assert_cut(&Redactor::new(&[&secret]), &secret, &how);
    }

    /// The signature inside a UserSig that timl was given, however a server that
    /// decoded the UserSig echoes it.
    #[test]
    fn the_signature_inside_a_usersig_is_redacted_however_spelled(
        key in "[0-9a-f]{64}",
        identifier in "[a-z0-9_]{1,20}",
        time in 1_600_000_000u64..1_900_000_000,
        how in shown(),
    ) {
        let usersig = usersig::sign(&key, 1400000000, &identifier, time, 86400);
        let sig = usersig::decode(&usersig).unwrap().sig;
        assert_cut(&Redactor::new(&[&usersig]), &sig, &how);
    }

    #[test]
    fn text_without_the_secret_is_unchanged(
        secret in "[a-z]{3}[0-9][A-Za-z0-9+/=*_-]{4,60}",
        text in "[a-z ,.;:!?()]{0,200}",
    ) {
        prop_assert_eq!(Redactor::new(&[&secret]).redact(&text), text);
    }

    /// Ordinary text with escapes, entities, filler and digits of its own is left as it
    /// is by a redactor of a real key and a real UserSig.
    #[test]
    fn ordinary_text_is_unchanged(
        key in "[0-9a-f]{64}",
        text in "([a-zA-Z0-9 ,.;:!?()+/=*_-]|%[0-9A-F]{2}|&#[0-9]{2,3};|&amp;|\\\\u00[0-9a-f]{2}|\\\\n|\r\n|\0|␊){0,120}",
    ) {
        let usersig = usersig::sign(&key, 1400000000, "admin", 1_700_000_000, 86400);
        let redactor = Redactor::new(&[&key, &usersig]);
        prop_assert_eq!(redactor.redact(&text), text);
    }
}
