//! How a text can spell one character at a place. The redactor reads every text
//! through this, so that a secret is found however a server, a proxy or a library
//! wrote it out: each place may hold a character as itself; an escape standing for one
//! (`%2B`, JSON's `\u002b` and `\/`, C's `\x2b`, HTML's `&#43;`, `&#x2B;` and `&plus;`);
//! an escape whose own characters are escaped once more (`%252B`, `&amp;#43;`,
//! `%26%2343%3B`, `\u00252B`, JSON written twice); or filler that spells nothing and
//! may stand between any two characters of a secret (whitespace, line breaks, NUL and
//! the other control characters, the stand-ins timl shows for them, invisible format
//! characters, and `+` for a space).
//!
//! A place has a few readings at most, found by looking a bounded way ahead (a run of
//! digits in one `&#…;` is read by the reference that holds it only), so reading a
//! whole text is linear in its length.

/// How deep escapes nest: an escape whose characters are escaped once more. Each level
/// multiplies the work at a place where an escape begins, for forms no encoder writes.
const DEPTH: u8 = 2;

/// The longest HTML reference name known here (`UnderBar`).
const LONGEST_NAME: usize = 8;

/// HTML named references of the characters a secret is made of (a key's hex digits
/// need none; base64 has `+/=`, the UserSig `*-_`), of the characters escapes are made
/// of, and of filler. HTML has no name for `-` or `~`.
const NAMES: &[(&[u8], char)] = &[
    (b"amp", '&'),
    (b"AMP", '&'),
    (b"lt", '<'),
    (b"LT", '<'),
    (b"gt", '>'),
    (b"GT", '>'),
    (b"quot", '"'),
    (b"QUOT", '"'),
    (b"apos", '\''),
    (b"plus", '+'),
    (b"sol", '/'),
    (b"equals", '='),
    (b"ast", '*'),
    (b"midast", '*'),
    (b"lowbar", '_'),
    (b"UnderBar", '_'),
    (b"num", '#'),
    (b"percnt", '%'),
    (b"bsol", '\\'),
    (b"semi", ';'),
    (b"colon", ':'),
    (b"comma", ','),
    (b"period", '.'),
    (b"excl", '!'),
    (b"quest", '?'),
    (b"commat", '@'),
    (b"dollar", '$'),
    (b"lpar", '('),
    (b"rpar", ')'),
    (b"lsqb", '['),
    (b"rsqb", ']'),
    (b"lcub", '{'),
    (b"rcub", '}'),
    (b"verbar", '|'),
    (b"grave", '`'),
    (b"Hat", '^'),
    (b"nbsp", '\u{a0}'),
    (b"Tab", '\t'),
    (b"NewLine", '\n'),
];

/// The names HTML also reads without their `;`.
const WITHOUT_SEMICOLON: &[&[u8]] = &[b"amp", b"AMP", b"lt", b"LT", b"gt", b"GT", b"quot", b"QUOT"];

/// Whether `c` is filler: a character that may stand between two characters of a
/// secret without hiding it from a reader. Whitespace and line breaks (a MIME line
/// wrap), NUL (UTF-16), the other control characters, the stand-ins `␀`…`␦` that timl
/// shows for them and `�` for the rest, and the invisible format characters (zero
/// widths, bidirectional marks, the soft hyphen, the BOM). No secret is made of them.
pub(super) fn is_filler(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2400}'..='\u{2426}'
                | '\u{fffd}'
                | '\u{feff}'
        )
}

/// Whether an escape can begin with `byte`.
pub(super) fn is_introducer(byte: u8) -> bool {
    matches!(byte, b'%' | b'\\' | b'&')
}

/// One way to read the text at a place: the bytes it stands for and where it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Reading {
    bytes: [u8; 4],
    len: u8,
    /// Where the reading ends in the text.
    pub(super) end: usize,
    /// It spells nothing, and may stand between two characters of a secret.
    pub(super) filler: bool,
}

impl Reading {
    fn byte(byte: u8, end: usize) -> Reading {
        Reading {
            bytes: [byte, 0, 0, 0],
            len: 1,
            end,
            filler: false,
        }
    }

    fn filler(end: usize) -> Reading {
        Reading {
            bytes: [0; 4],
            len: 0,
            end,
            filler: true,
        }
    }

    /// The bytes it stands for (none for filler).
    pub(super) fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

/// Every reading of one place: as itself, `+` as a space, an escape and an escape of
/// escapes (each maybe also as the first of a character's escaped bytes); kept
/// without allocating, as this runs for many places of every text.
#[derive(Default)]
pub(super) struct Readings {
    found: [Option<Reading>; 6],
}

impl Readings {
    fn push(&mut self, reading: Reading) {
        if self.found.contains(&Some(reading)) {
            return;
        }
        if let Some(slot) = self.found.iter_mut().find(|slot| slot.is_none()) {
            *slot = Some(reading);
        }
    }

    /// The readings found.
    pub(super) fn iter(&self) -> impl Iterator<Item = Reading> + '_ {
        self.found.iter().flatten().copied()
    }
}

/// Every way to read `text[at..]` as one character (or filler).
pub(super) fn readings(text: &[u8], at: usize) -> Readings {
    let mut found = Readings::default();
    let Some(&byte) = text.get(at) else {
        return found;
    };
    found.push(match filler_char(text, at) {
        Some(end) => Reading::filler(end),
        // A byte at a time, so that a secret with non-ASCII characters is matched
        // byte by byte like its percent-encoding.
        None => Reading::byte(byte, at + 1),
    });
    if byte == b'+' {
        // A space, in a query.
        found.push(Reading::filler(at + 1));
    }
    if is_introducer(byte) {
        for depth in 1..=DEPTH {
            let Some((decoded, end)) = escape(text, at, depth) else {
                continue;
            };
            found.push(decoded.reading(end));
            // The bytes of one character escaped one by one (`%C2%A0`): read whole too,
            // so that a filler character written so is filler.
            if let Decoded::Byte(lead) = decoded {
                if let Some((c, end)) = escaped_utf8(text, lead, end, depth) {
                    found.push(Decoded::Char(c).reading(end));
                }
            }
        }
    }
    found
}

/// The character whose UTF-8 begins with `lead` and goes on with escaped bytes at
/// `text[at..]`, and where it ends.
fn escaped_utf8(text: &[u8], lead: u8, mut at: usize, depth: u8) -> Option<(char, usize)> {
    let len = match lead {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let mut bytes = [lead, 0, 0, 0];
    for byte in &mut bytes[1..len] {
        let (Decoded::Byte(next), end) = escape(text, at, depth)? else {
            return None;
        };
        (*byte, at) = (next, end);
    }
    let c = std::str::from_utf8(&bytes[..len]).ok()?.chars().next()?;
    Some((c, at))
}

/// Where the filler character at `text[at..]` ends, if one is there.
fn filler_char(text: &[u8], at: usize) -> Option<usize> {
    let len = match *text.get(at)? {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        // Inside a character.
        _ => return None,
    };
    let c = std::str::from_utf8(text.get(at..at + len)?)
        .ok()?
        .chars()
        .next()?;
    is_filler(c).then_some(at + len)
}

/// What an escape stands for: a byte (`%XX`, `\xXX`) or a character.
#[derive(Clone, Copy)]
enum Decoded {
    Byte(u8),
    Char(char),
}

impl Decoded {
    fn reading(self, end: usize) -> Reading {
        match self {
            Decoded::Byte(byte) if byte.is_ascii() && is_filler(char::from(byte)) => {
                Reading::filler(end)
            }
            Decoded::Byte(byte) => Reading::byte(byte, end),
            Decoded::Char(c) if is_filler(c) => Reading::filler(end),
            Decoded::Char(c) => {
                let mut bytes = [0; 4];
                let len = c.encode_utf8(&mut bytes).len() as u8;
                Reading {
                    bytes,
                    len,
                    end,
                    filler: false,
                }
            }
        }
    }

    fn ascii(self) -> Option<u8> {
        match self {
            Decoded::Byte(byte) => byte.is_ascii().then_some(byte),
            Decoded::Char(c) => u8::try_from(c).ok().filter(u8::is_ascii),
        }
    }
}

/// The escape at `text[at..]` whose characters are read with `depth - 1` levels of
/// escapes of their own, and where it ends.
fn escape(text: &[u8], at: usize, depth: u8) -> Option<(Decoded, usize)> {
    let mut cursor = Cursor {
        text,
        at,
        depth: depth - 1,
    };
    let decoded = match cursor.next()? {
        b'%' => Decoded::Byte(cursor.hex(2)? as u8),
        b'\\' => backslash(&mut cursor)?,
        b'&' => reference(&mut cursor)?,
        _ => return None,
    };
    Some((decoded, cursor.at))
}

/// The ASCII character at `text[at..]`, written as itself or, with `depth` levels
/// left, as an escape; and where it ends. Inside an escape an introducer is always
/// read as an escape when one is there: `%`, `\` and `&` are never part of one.
fn ascii_at(text: &[u8], at: usize, depth: u8) -> Option<(u8, usize)> {
    let byte = *text.get(at)?;
    if depth > 0 && is_introducer(byte) {
        let escaped = escape(text, at, depth).and_then(|(d, end)| Some((d.ascii()?, end)));
        if escaped.is_some() {
            return escaped;
        }
    }
    Some((byte, at + 1))
}

/// Reads the characters of one escape, each maybe escaped itself.
struct Cursor<'t> {
    text: &'t [u8],
    at: usize,
    depth: u8,
}

impl Cursor<'_> {
    fn next(&mut self) -> Option<u8> {
        self.next_if(|_| true)
    }

    /// The next character, taken only if `accept` says so.
    fn next_if(&mut self, accept: impl Fn(u8) -> bool) -> Option<u8> {
        let (c, end) = ascii_at(self.text, self.at, self.depth)?;
        accept(c).then(|| {
            self.at = end;
            c
        })
    }

    fn digit(&mut self, radix: u32) -> Option<u32> {
        let c = self.next_if(|c| char::from(c).is_digit(radix))?;
        char::from(c).to_digit(radix)
    }

    /// Exactly `digits` hex digits, as a number.
    fn hex(&mut self, digits: usize) -> Option<u32> {
        (0..digits).try_fold(0, |value, _| Some(value * 16 + self.digit(16)?))
    }
}

/// A backslash escape after its `\`: JSON's, and C's `\xXX` and `\0`.
fn backslash(cursor: &mut Cursor<'_>) -> Option<Decoded> {
    let byte = match cursor.next()? {
        b'u' => return json_unicode(cursor),
        b'x' => cursor.hex(2)? as u8,
        b'0' => 0,
        b'b' => 8,
        b'f' => 12,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        c @ (b'/' | b'"' | b'\\' | b'\'') => c,
        _ => return None,
    };
    Some(Decoded::Byte(byte))
}

/// A JSON `\uXXXX` after its `\u`: a surrogate pair is two of them.
fn json_unicode(cursor: &mut Cursor<'_>) -> Option<Decoded> {
    let unit = cursor.hex(4)?;
    if !(0xd800..0xdc00).contains(&unit) {
        return char::from_u32(unit).map(Decoded::Char);
    }
    cursor.next_if(|c| c == b'\\')?;
    cursor.next_if(|c| c == b'u')?;
    let low = cursor.hex(4).filter(|low| (0xdc00..0xe000).contains(low))?;
    char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00)).map(Decoded::Char)
}

/// An HTML character reference after its `&`: `#NN`, `#xHH` (the `;` may be left
/// out, as browsers allow) or a name.
fn reference(cursor: &mut Cursor<'_>) -> Option<Decoded> {
    if cursor.next_if(|c| c == b'#').is_some() {
        let radix = match cursor.next_if(|c| c == b'x' || c == b'X') {
            Some(_) => 16,
            None => 10,
        };
        // Any number of leading zeros: still the same character to a browser.
        let mut value = cursor.digit(radix)?;
        while let Some(digit) = cursor.digit(radix) {
            value = value * radix + digit;
            if value > 0x10ffff {
                return None;
            }
        }
        cursor.next_if(|c| c == b';');
        return char::from_u32(value).map(Decoded::Char);
    }
    let mut name = [0; LONGEST_NAME];
    let mut len = 0;
    while len < LONGEST_NAME {
        let Some(c) = cursor.next_if(|c| c.is_ascii_alphanumeric()) else {
            break;
        };
        name[len] = c;
        len += 1;
    }
    let name = &name[..len];
    let &(_, c) = NAMES.iter().find(|(known, _)| *known == name)?;
    if cursor.next_if(|c| c == b';').is_none() && !WITHOUT_SEMICOLON.contains(&name) {
        return None;
    }
    Some(Decoded::Char(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The non-filler readings of the start of `text`: what each spells, and its length.
    fn spelled(text: &str) -> Vec<(String, usize)> {
        readings(text.as_bytes(), 0)
            .iter()
            .filter(|r| !r.filler)
            .map(|r| (String::from_utf8_lossy(r.bytes()).into_owned(), r.end))
            .collect()
    }

    fn is_filler_at(text: &str) -> bool {
        readings(text.as_bytes(), 0)
            .iter()
            .any(|r| r.filler && r.end == text.len())
    }

    #[test]
    fn escapes_spell_their_character() {
        for text in [
            "%2B",
            "%2b",
            "%252B",
            "%25%32%42",
            "%%32%42",
            "\\u002b",
            "\\u002B",
            "\\x2b",
            "&#43;",
            "&#43",
            "&#x2b;",
            "&#X2B;",
            "&#0000043;",
            "&plus;",
            "&amp;#43;",
            "&amp;plus;",
            "%26%2343%3B",
            "\\u0026#43;",
            "\\u00252B",
            "\\\\u002b",
            "&#37;2B",
            "&percnt;2B",
        ] {
            assert!(
                spelled(text).contains(&("+".to_owned(), text.len())),
                "{text}: {:?}",
                spelled(text)
            );
        }
        assert!(spelled("\\ud83d\\udd11").contains(&("🔑".to_owned(), 12)));
        assert!(spelled("&#128273;").contains(&("🔑".to_owned(), 9)));
        assert!(spelled("\\/").contains(&("/".to_owned(), 2)));
        assert!(spelled("&amp").contains(&("&".to_owned(), 4)));
        // Itself, too: a secret may hold `%`, `\` or `&`.
        assert!(spelled("%2B").contains(&("%".to_owned(), 1)));
        assert!(spelled("%252B").contains(&("%".to_owned(), 3)));
    }

    #[test]
    fn fillers_spell_nothing() {
        for text in [
            " ",
            "\t",
            "\n",
            "\r",
            "\0",
            "\u{1b}",
            "\u{7f}",
            "\u{85}",
            "\u{a0}",
            "\u{2028}",
            "\u{200b}",
            "\u{202e}",
            "\u{feff}",
            "␀",
            "␊",
            "␍",
            "␉",
            "␡",
            "␠",
            "\u{fffd}",
            "+",
            "%20",
            "%00",
            "%0A",
            "%0d",
            "%2500",
            "\\u0000",
            "\\n",
            "\\r",
            "\\t",
            "\\0",
            "\\x00",
            "&#10;",
            "&#0;",
            "&#x0A;",
            "&nbsp;",
            "&NewLine;",
            "&Tab;",
            "&#x2400;",
            "%C2%A0",
            "%E2%90%8A",
            "\\xef\\xbf\\xbd",
            "%25E2%2590%258A",
        ] {
            assert!(is_filler_at(text), "{text:?}");
        }
        for text in ["a", "%", "&", "\\", "é", "%2B"] {
            assert!(!is_filler_at(text), "{text:?}");
        }
    }

    #[test]
    fn broken_escapes_are_only_themselves() {
        for text in [
            "%",
            "%2",
            "%ZZ",
            "%%",
            "\\",
            "\\u12",
            "\\uZZZZ",
            "\\ud83d",
            "\\ud83d\\u0041",
            "\\udd11",
            "\\q",
            "&",
            "&#",
            "&#x;",
            "&#;",
            "&#1114112;",
            "&#xD800;",
            "&nosuch;",
            "&plus",
            "&amplifier;",
            "&&&",
        ] {
            let first = text[..1].to_owned();
            assert_eq!(spelled(text), [(first, 1)], "{text}");
        }
    }

    #[test]
    fn a_reading_ends_where_its_escape_does() {
        // The `;` belongs to the reference; without one the digits end it.
        assert_eq!(spelled("&#43;x")[1], ("+".to_owned(), 5));
        assert_eq!(spelled("&#43x")[1], ("+".to_owned(), 4));
        assert_eq!(spelled("%41%42")[1], ("A".to_owned(), 3));
        // Escapes are read two levels deep, not three.
        assert!(spelled("%25252B").iter().all(|(c, _)| c == "%"));
        // `&#4` is a control character: filler, three bytes long.
        assert!(readings(b"&#4x", 0).iter().any(|r| r.filler && r.end == 3));
        // A byte inside a character is no filler, and reads as itself.
        assert_eq!(
            readings("␊".as_bytes(), 1).iter().collect::<Vec<_>>(),
            [Reading::byte("␊".as_bytes()[1], 2)]
        );
    }
}
