//! The bytes of a CSV data file read again, beside the csv crate, for two facts it
//! does not give: the physical line each record starts on, and a quoted field still
//! open at the end of the file.
//!
//! The csv crate counts lines by `\n` alone and takes a record's position before the
//! `\n` of a CRLF it has not yet consumed, so with CRLF line endings (Excel's and
//! Python's default) every row but the first was one line too low, and with CR alone
//! every row was on line 1. And at the end of the file it closes a quoted field left
//! open without a word, so one missing quote swallowed every row after it. The scan
//! follows the same state machine as the reader (csv-core with the crate's defaults:
//! `,` between fields, `"` quoting with doubled quotes, any of `\r\n`, `\n`, `\r`
//! ending a record, blank lines skipped), one byte at a time as the reader's buffer
//! fills, so it keeps nothing but the starts of the records read ahead.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

/// The most bytes of a line the scan keeps, to show the line of a quote left open.
const LINE_CAP: usize = 1024;

/// Where the scan is in the CSV grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Between records (blank lines are skipped here).
    StartRecord,
    /// At the start of a field, where a quote opens a quoted field.
    StartField,
    /// In an unquoted field, where a quote is a character like any other.
    InField,
    /// In a quoted field.
    InQuoted,
    /// Just after a quote in a quoted field: the field's end, or the first half of a
    /// doubled quote.
    QuoteInQuoted,
}

/// A place in the file: the byte offset, and the 1-based line and character column
/// of that byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Place {
    pub(super) byte: u64,
    pub(super) line: usize,
    pub(super) column: usize,
}

#[derive(Debug)]
struct ScanState {
    state: Cell<State>,
    /// The place of the next byte.
    next: Cell<Place>,
    /// The last byte was a `\r`: a `\n` now ends the same line break.
    after_cr: Cell<bool>,
    /// The reader under the scan has reported its end.
    ended: Cell<bool>,
    /// Where the record being scanned started.
    record: Cell<Option<Place>>,
    /// Where the last quoted field opened (its quote).
    quote: Cell<Option<Place>>,
    /// The line of that quote, once it has ended (`None` while it goes on, and when
    /// the quote is past the bytes of it kept).
    quote_text: RefCell<Option<Vec<u8>>>,
    /// The quote's line has not ended yet: its text is `line`.
    quote_pending: Cell<bool>,
    /// The line being scanned, up to [`LINE_CAP`] bytes.
    line: RefCell<Vec<u8>>,
    /// The starts of the records scanned but not yet asked for, in file order.
    starts: RefCell<VecDeque<Place>>,
}

/// The scan of a CSV file, shared between the reader it reads through
/// ([`CsvScan::reader`]) and the code that reads records from the csv crate.
#[derive(Debug, Clone)]
pub(super) struct CsvScan(Rc<ScanState>);

impl CsvScan {
    /// A scan at the start of a file.
    pub(super) fn new() -> CsvScan {
        CsvScan(Rc::new(ScanState {
            state: Cell::new(State::StartRecord),
            next: Cell::new(Place {
                byte: 0,
                line: 1,
                column: 1,
            }),
            after_cr: Cell::new(false),
            ended: Cell::new(false),
            record: Cell::new(None),
            quote: Cell::new(None),
            quote_text: RefCell::new(None),
            quote_pending: Cell::new(false),
            line: RefCell::new(Vec::new()),
            starts: RefCell::new(VecDeque::new()),
        }))
    }

    /// `inner`, scanned as it is read.
    pub(super) fn reader<R: Read>(&self, inner: R) -> Scanned<R> {
        Scanned {
            inner,
            scan: self.clone(),
        }
    }

    /// The start of the first record at or after byte `from` (the csv crate's
    /// position before it read the record, which may be on a line break or a blank
    /// line before it). Starts before `from` are forgotten: ask in file order.
    pub(super) fn record_at(&self, from: u64) -> Option<Place> {
        let mut starts = self.0.starts.borrow_mut();
        while starts.front().is_some_and(|start| start.byte < from) {
            starts.pop_front();
        }
        starts.front().copied()
    }

    /// Where the quote opened of a quoted field still open at the end of the file,
    /// if the record starting at `record` holds it, and the text of its line (when
    /// the quote is within the bytes of it kept).
    pub(super) fn unclosed_quote(&self, record: Place) -> Option<(Place, Option<String>)> {
        let s = &self.0;
        let open = s.ended.get() && s.state.get() == State::InQuoted;
        let quote = match s.record.get() {
            Some(last) if open && last == record => s.quote.get()?,
            _ => return None,
        };
        let text = match s.quote_pending.get() {
            true => Some(s.line.borrow().clone()),
            false => s.quote_text.borrow().clone(),
        };
        let text = text.map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        Some((quote, text))
    }

    fn feed(&self, bytes: &[u8]) {
        let s = &self.0;
        let (mut state, mut next, mut after_cr) = (s.state.get(), s.next.get(), s.after_cr.get());
        for &byte in bytes {
            let here = next;
            next.byte += 1;
            let crlf = after_cr && byte == b'\n';
            after_cr = byte == b'\r';
            match byte {
                // The `\n` of a CRLF: the line break was counted at its `\r`.
                b'\n' if crlf => {}
                b'\r' | b'\n' => {
                    next.line += 1;
                    next.column = 1;
                    self.line_ended();
                }
                // A UTF-8 continuation byte is no new character.
                _ if byte & 0xC0 == 0x80 => {}
                _ => next.column += 1,
            }
            let kept = byte != b'\r' && byte != b'\n' && s.line.borrow().len() < LINE_CAP;
            if kept {
                s.line.borrow_mut().push(byte);
            }
            state = self.step(state, byte, here);
            if !kept && s.quote.get() == Some(here) {
                // A quote past the bytes kept of its line is shown without the line.
                s.quote_pending.set(false);
            }
        }
        s.state.set(state);
        s.next.set(next);
        s.after_cr.set(after_cr);
    }

    /// Keeps the line of a quote opened on it, and starts the next line.
    fn line_ended(&self) {
        let s = &self.0;
        let mut line = s.line.borrow_mut();
        if s.quote_pending.replace(false) {
            *s.quote_text.borrow_mut() = Some(std::mem::take(&mut *line));
        }
        line.clear();
    }

    /// The state after `byte`, at `here`, read in `state`: csv-core's transitions.
    fn step(&self, state: State, byte: u8, here: Place) -> State {
        let s = &self.0;
        let end = byte == b'\r' || byte == b'\n';
        match state {
            State::StartRecord if end => State::StartRecord,
            State::StartRecord => {
                s.record.set(Some(here));
                s.starts.borrow_mut().push_back(here);
                self.step(State::StartField, byte, here)
            }
            State::StartField if byte == b'"' => {
                s.quote.set(Some(here));
                s.quote_pending.set(true);
                *s.quote_text.borrow_mut() = None;
                State::InQuoted
            }
            State::InQuoted if byte == b'"' => State::QuoteInQuoted,
            State::InQuoted => State::InQuoted,
            State::QuoteInQuoted if byte == b'"' => State::InQuoted,
            State::StartField | State::InField | State::QuoteInQuoted => match byte {
                b',' => State::StartField,
                _ if end => State::StartRecord,
                _ => State::InField,
            },
        }
    }
}

/// A reader whose bytes a [`CsvScan`] sees as they pass.
#[derive(Debug)]
pub(super) struct Scanned<R> {
    inner: R,
    scan: CsvScan,
}

impl<R: Read> Read for Scanned<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let got = self.inner.read(buf)?;
        if got == 0 && !buf.is_empty() {
            self.scan.0.ended.set(true);
        }
        self.scan.feed(&buf[..got]);
        Ok(got)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line and column.
    type At = (usize, usize);

    /// The (line, column) of each record start of `text`, and of a quote left open.
    fn scan(text: &str) -> (Vec<At>, Option<At>) {
        let scan = CsvScan::new();
        let mut reader = scan.reader(text.as_bytes());
        // A byte at a time: a CRLF split between reads is one line break.
        let mut byte = [0; 1];
        while reader.read(&mut byte).unwrap() > 0 {}
        let starts: Vec<Place> = scan.0.starts.borrow().iter().copied().collect();
        let open = starts.last().and_then(|last| scan.unclosed_quote(*last));
        let open = open.map(|(quote, _)| quote);
        let at = |p: Place| (p.line, p.column);
        (starts.into_iter().map(at).collect(), open.map(at))
    }

    #[test]
    fn records_start_on_their_physical_line_whatever_the_line_endings() {
        for end in ["\n", "\r\n", "\r"] {
            let text = format!("a,b{end}1,\"x{end}y\"{end}{end}2,3{end}");
            assert_eq!(scan(&text), (vec![(1, 1), (2, 1), (5, 1)], None), "{end:?}");
        }
        assert_eq!(scan("a\r\n\n\rb\n\r\nc").0, vec![(1, 1), (4, 1), (6, 1)]);
    }

    #[test]
    fn a_quote_open_at_the_end_is_found_where_it_opened() {
        assert_eq!(scan("n,o\nchen,\"Chen \"\"the\nlee,x\n").1, Some((2, 6)));
        assert_eq!(scan("n\n\"").1, Some((2, 1)));
        assert_eq!(scan("n\né,\"x").1, Some((2, 3)), "columns count characters");
        // Closed, doubled or inside an unquoted field: no quote is open.
        for text in [
            "n\n\"a\"",
            "n\n\"a\"\"\"",
            "n\na\"b",
            "n\n\"a\nb\"\n",
            "n\n\"\"",
        ] {
            assert_eq!(scan(text).1, None, "{text:?}");
        }
    }
}
