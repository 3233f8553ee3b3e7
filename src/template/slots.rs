//! Value slots: how a value a template prints stays data whatever template code does
//! with the markup around it.
//!
//! A printed value's text never enters any string the template can touch. The
//! formatter files the text in a per-render table and writes a *slot* instead:
//! U+E000, this process's ten-digit nonce, the value's index, U+E001, every digit a
//! private-use character (U+E002 is 0, ... U+E00B is 9). Captured blocks and macro
//! output hold slots, never value text, so cutting them (`split`, slices, a loop over
//! characters) can hand out a piece of template text or of a slot, but never a piece
//! of a value: there is none to hand out. A whole slot prints as its value, as data;
//! any other U+E000 to U+E00B (a piece of a slot, or the character in a value) is an
//! error. The nonce keeps data from forging a slot that would print another value.
//!
//! After rendering, [`crate::template::shape`] reads the slots back with the table.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::OnceLock;

use minijinja::{Error, ErrorKind};

use crate::diag::{rules, Diagnostic, Span};

pub use crate::markup::placeholder::is_reserved;
use crate::markup::placeholder::{VALUE_END, VALUE_START};

/// The digit 0 in a slot; 1 to 9 follow it.
const DIGIT_ZERO: u32 = 0xE002;

/// Digits of the nonce, written zero-padded.
const NONCE_DIGITS: usize = 10;

/// The values of one rendering, and how many bytes they may hold in all.
#[derive(Default)]
struct Table {
    values: Vec<String>,
    bytes: usize,
    cap: usize,
}

thread_local! {
    /// The values of the rendering in progress on this thread.
    static TABLE: RefCell<Table> = RefCell::default();
}

/// This process's nonce, drawn once.
fn nonce() -> u32 {
    static NONCE: OnceLock<u32> = OnceLock::new();
    *NONCE.get_or_init(|| {
        let mut bytes = [0; 4];
        // Without the OS's randomness a fixed nonce still makes slots; only forging
        // gets easier, and a forged slot prints another value, as data.
        let _ = getrandom::fill(&mut bytes);
        u32::from_le_bytes(bytes)
    })
}

/// The start of every slot of this process: U+E000 and the nonce's digits.
fn slot_start() -> &'static str {
    static START: OnceLock<String> = OnceLock::new();
    START.get_or_init(|| {
        let mut start = VALUE_START.to_string();
        push_digits(
            &mut start,
            &format!("{:0width$}", nonce(), width = NONCE_DIGITS),
        );
        start
    })
}

/// The first template-reserved character in `text`, as a diagnostic.
pub fn reserved_char(text: &str) -> Option<Diagnostic> {
    let at = text.find(is_reserved)?;
    Some(
        Diagnostic::new(
            &rules::TEMPLATE,
            "U+E000 to U+E00B are reserved by timl for template values",
        )
        .at(Span::new(at, at + '\u{E000}'.len_utf8()))
        .help("remove the character"),
    )
}

/// Runs `render` with a fresh value table that holds at most `cap` bytes, and returns
/// its result with the values. Nested calls keep their own tables.
pub fn recording<T>(cap: usize, render: impl FnOnce() -> T) -> (T, Vec<String>) {
    let fresh = Table {
        cap,
        ..Table::default()
    };
    let outer = TABLE.with(|table| std::mem::replace(&mut *table.borrow_mut(), fresh));
    let result = render();
    let table = TABLE.with(|table| std::mem::replace(&mut *table.borrow_mut(), outer));
    (result, table.values)
}

/// Files `text` as a value and returns its slot; an error once the values printed
/// pass the rendering's cap (the output holds slots, so it is the values that could
/// grow without bound). `text` must hold no reserved character (see [`resolve`]).
pub fn slot(text: String) -> Result<String, Error> {
    let index = TABLE.with(|table| {
        let mut table = table.borrow_mut();
        table.bytes = table.bytes.saturating_add(text.len());
        if table.bytes > table.cap {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!(
                    "the values printed pass {} bytes, more than any message can hold",
                    table.cap
                ),
            ));
        }
        table.values.push(text);
        Ok(table.values.len() - 1)
    })?;
    let start = slot_start();
    let mut out = String::with_capacity(start.len() + 3 * 8);
    out.push_str(start);
    push_index(&mut out, index);
    out.push(VALUE_END);
    Ok(out)
}

/// Appends the ASCII digits of `digits` as slot digits.
fn push_digits(out: &mut String, digits: &str) {
    for digit in digits.bytes() {
        let c = char::from_u32(DIGIT_ZERO + u32::from(digit - b'0')).expect("private use");
        out.push(c);
    }
}

/// Appends `index` in slot digits (cheaper than formatting, once per value).
fn push_index(out: &mut String, index: usize) {
    if index >= 10 {
        push_index(out, index / 10);
    }
    let digit = (index % 10) as u32;
    out.push(char::from_u32(DIGIT_ZERO + digit).expect("private use"));
}

/// The number written in slot digits in `text`, if it is made of them only.
fn read_index(text: &str) -> Option<usize> {
    let mut index: usize = 0;
    for c in text.chars() {
        let digit = u32::from(c).checked_sub(DIGIT_ZERO).filter(|d| *d < 10)?;
        index = index.checked_mul(10)?.checked_add(digit as usize)?;
    }
    Some(index)
}

/// How many more bytes of values this rendering may print.
pub fn room() -> usize {
    TABLE.with(|table| {
        let table = table.borrow();
        table.cap.saturating_sub(table.bytes)
    })
}

/// A slot found in a text: where it is and the index of its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Byte offset of its U+E000.
    pub start: usize,
    /// Byte offset just after its U+E001.
    pub end: usize,
    /// The value's index in the table.
    pub index: usize,
}

/// The slots of `text`, in order, given how many values the table holds; an error at
/// the first U+E000 or U+E001 that is not part of a whole slot.
pub fn find(text: &str, values: usize) -> impl Iterator<Item = Result<Found, Error>> + '_ {
    let mut rest = 0;
    std::iter::from_fn(move || {
        let at = rest + text[rest..].find(is_reserved)?;
        let found = parse_at(text, at, values);
        rest = match found {
            Ok(found) => found.end,
            Err(_) => text.len(),
        };
        Some(found)
    })
}

/// The slot starting at `at` (which holds U+E000 or U+E001).
fn parse_at(text: &str, at: usize, values: usize) -> Result<Found, Error> {
    let digits = text[at..]
        .strip_prefix(slot_start())
        .ok_or_else(cut_value)?;
    let length = digits.find(VALUE_END).ok_or_else(cut_value)?;
    let index = Some(&digits[..length])
        .filter(|index| !index.is_empty())
        .and_then(read_index)
        .filter(|&index| index < values)
        .ok_or_else(cut_value)?;
    Ok(Found {
        start: at,
        end: at + slot_start().len() + length + VALUE_END.len_utf8(),
        index,
    })
}

/// The error for a stray reserved character: a piece of a slot cut off by template
/// code, or the character in a value or a string literal.
pub fn cut_value() -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        "U+E000 to U+E00B are reserved by timl: a value holds one, or template code cut \
         a printed value (slices and loops over markup or macro output cut it; a filter \
         such as `|string` reads it as text)",
    )
}

/// Checks that every reserved character in `text` belongs to a whole slot of this rendering.
pub fn check(text: &str) -> Result<(), Error> {
    if !text.contains(is_reserved) {
        return Ok(());
    }
    let values = TABLE.with(|table| table.borrow().values.len());
    find(text, values).try_for_each(|found| found.map(drop))
}

/// `text` with every slot replaced by its value's text: what markup reads as, once
/// it is plain data.
pub fn resolve(text: &str) -> Result<Cow<'_, str>, Error> {
    if !text.contains(is_reserved) {
        return Ok(Cow::Borrowed(text));
    }
    TABLE.with(|table| {
        let table = table.borrow();
        let mut out = String::with_capacity(text.len());
        let mut rest = 0;
        for found in find(text, table.values.len()) {
            let found = found?;
            out.push_str(&text[rest..found.start]);
            out.push_str(&table.values[found.index]);
            rest = found.end;
        }
        out.push_str(&text[rest..]);
        Ok(Cow::Owned(out))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_resolve_to_their_values() {
        let ((a, b), values) = recording(100, || {
            (slot("@all".into()).unwrap(), slot("x".into()).unwrap())
        });
        assert_eq!(values, ["@all", "x"]);
        let text = format!("hi {a} and {b}!");
        let found: Vec<_> = find(&text, 2).map(Result::unwrap).collect();
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].index, 1);
        assert_eq!(&text[found[0].start..found[0].end], a);
    }

    #[test]
    fn pieces_of_slots_and_forged_slots_are_refused() {
        recording(100, || {
            let a = slot("v".into()).unwrap();
            assert_eq!(resolve(&format!("<{a}>")).unwrap(), "<v>");
            for cut in 1..a.chars().count() {
                let piece: String = a.chars().take(cut).collect();
                assert!(resolve(&piece).is_err(), "{piece:?}");
                let piece: String = a.chars().skip(cut).collect();
                assert!(resolve(&piece).is_err(), "{piece:?}");
            }
            // Another nonce, an index past the table, no index at all.
            let forged = |digits: String| {
                let mut text = VALUE_START.to_string();
                push_digits(&mut text, &digits);
                text.push(VALUE_END);
                text
            };
            assert!(check(&forged(format!("{:010}0", nonce()))).is_ok());
            assert!(check(&forged(format!("{:010}0", nonce().wrapping_add(1)))).is_err());
            assert!(check(&forged(format!("{:010}9", nonce()))).is_err());
            assert!(check(&forged(format!("{:010}", nonce()))).is_err());
            let ascii = format!("{VALUE_START}{:010}0{VALUE_END}", nonce());
            assert!(check(&ascii).is_err());
            for c in '\u{E000}'..='\u{E00B}' {
                assert!(check(&format!("a{c}b")).is_err());
            }
        });
    }

    #[test]
    fn values_are_capped() {
        recording(10, || {
            assert!(slot("12345".into()).is_ok());
            assert!(slot("12345".into()).is_ok());
            assert!(slot("1".into()).is_err());
        });
    }

    #[test]
    fn tables_are_per_rendering() {
        let (inner, outer) = recording(100, || {
            slot("outer".into()).unwrap();
            recording(100, || slot("inner".into()).unwrap()).1
        });
        assert_eq!(inner, ["inner"]);
        assert_eq!(outer, ["outer"]);
    }
}
