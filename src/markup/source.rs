//! Source text as a user's editor wrote it, read the one way timl reads every file
//! (templates, includes, markup, `.json` requests, data rows).

use std::borrow::Cow;
use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

/// Reads the text file at `path`, at most `cap` bytes of it: a bigger file (or an
/// endless pipe or device) is an error, never read into memory. A leading byte-order
/// mark is dropped.
pub fn read_text(path: &std::path::Path, cap: usize) -> std::io::Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take((cap as u64).saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() > cap {
        return Err(std::io::Error::other(format!(
            "the file is over {cap} bytes, more than timl reads for it"
        )));
    }
    let text = String::from_utf8(without_bom_bytes(&bytes).to_vec())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8"))?;
    Ok(text)
}

/// How [`read_line`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRead {
    /// The end of the input: nothing was read.
    End,
    /// A line, with its `\n` (the last line of a file may have none).
    Line,
    /// A line longer than the cap: only its first bytes were read, and nothing of
    /// the rest.
    TooLong,
}

/// Reads the next line of `reader` into `line` (cleared first), never more than
/// `cap` bytes before its line break: a longer line, or an endless one from a
/// device or a pipe, stops at the cap as [`LineRead::TooLong`]. Memory stays within
/// the cap whatever the input.
pub fn read_line(
    reader: &mut impl BufRead,
    cap: usize,
    line: &mut Vec<u8>,
) -> io::Result<LineRead> {
    line.clear();
    // One byte past the cap is either the line break or the proof of a longer line.
    let limit = (cap as u64).saturating_add(1);
    let read = reader.take(limit).read_until(b'\n', line)?;
    Ok(if read == 0 {
        LineRead::End
    } else if line.last() == Some(&b'\n') || line.len() <= cap {
        LineRead::Line
    } else {
        LineRead::TooLong
    })
}

/// How much a [`Metered`] reader has read and how far it may read, shared with the
/// code that drives the parser reading through it: it moves the limit from record
/// to record and, when the parser fails, asks whether the limit was the reason.
#[derive(Debug, Clone)]
pub struct Meter(Rc<MeterState>);

#[derive(Debug)]
struct MeterState {
    read: Cell<u64>,
    limit: Cell<u64>,
    line_breaks: Cell<u64>,
    over: Cell<bool>,
}

impl Meter {
    /// A meter that lets `limit` bytes through.
    pub fn new(limit: u64) -> Meter {
        Meter(Rc::new(MeterState {
            read: Cell::new(0),
            limit: Cell::new(limit),
            line_breaks: Cell::new(0),
            over: Cell::new(false),
        }))
    }

    /// `inner`, read through this meter.
    pub fn reader<R: Read>(&self, inner: R) -> Metered<R> {
        Metered {
            inner,
            meter: self.clone(),
        }
    }

    /// The bytes read so far.
    pub fn read(&self) -> u64 {
        self.0.read.get()
    }

    /// The line breaks among them.
    pub fn line_breaks(&self) -> u64 {
        self.0.line_breaks.get()
    }

    /// The most bytes, counted from the start, that may be read.
    pub fn limit(&self) -> u64 {
        self.0.limit.get()
    }

    /// Lets reading go on to `limit` bytes from the start.
    pub fn set_limit(&self, limit: u64) {
        self.0.limit.set(limit);
        self.0.over.set(false);
    }

    /// Whether a read failed because it would have passed the limit.
    pub fn is_over(&self) -> bool {
        self.0.over.get()
    }
}

/// A reader that fails (with [`io::ErrorKind::FileTooLarge`]) rather than read past
/// its [`Meter`]'s limit: a parser reading through it can never hold more than that,
/// however long the record it is in (an endless line, a device).
#[derive(Debug)]
pub struct Metered<R> {
    inner: R,
    meter: Meter,
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let state = &self.meter.0;
        let (read, limit) = (state.read.get(), state.limit.get());
        // One byte past the limit proves there is more; nothing beyond it is read.
        let room = limit.saturating_sub(read).saturating_add(1);
        let wanted = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let got = if read > limit {
            0
        } else {
            self.inner.read(&mut buf[..wanted])?
        };
        let read = read.saturating_add(got as u64);
        state.read.set(read);
        let breaks = buf[..got].iter().filter(|byte| **byte == b'\n').count();
        state
            .line_breaks
            .set(state.line_breaks.get() + breaks as u64);
        if read > limit {
            state.over.set(true);
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!("more than {limit} bytes"),
            ));
        }
        Ok(got)
    }
}

/// The UTF-8 byte-order mark some editors (on Windows) put at the start of a file.
const BOM: char = '\u{FEFF}';

/// `text` without a leading byte-order mark: it is not part of the text.
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// `bytes` without a leading UTF-8 byte-order mark.
pub fn without_bom_bytes(bytes: &[u8]) -> &[u8] {
    let mut mark = [0; 3];
    bytes
        .strip_prefix(BOM.encode_utf8(&mut mark).as_bytes())
        .unwrap_or(bytes)
}

/// A file written with classic Mac line endings (CR only, no LF anywhere) read as
/// lines: each CR becomes LF, which keeps every offset. A lone CR in a file that has
/// LF line endings stays what it is (text).
pub fn normalize_line_endings(text: &str) -> Cow<'_, str> {
    if text.contains('\r') && !text.contains('\n') {
        Cow::Owned(text.replace('\r', "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_and_line_endings() {
        assert_eq!(without_bom("\u{FEFF}a\u{FEFF}"), "a\u{FEFF}");
        assert_eq!(without_bom_bytes("\u{FEFF}a".as_bytes()), b"a");
        assert_eq!(normalize_line_endings("a\rb\r"), "a\nb\n");
        assert_eq!(normalize_line_endings("a\rb\n"), "a\rb\n");
    }

    #[test]
    fn lines_stop_at_their_cap() {
        let mut reader = io::Cursor::new(b"abc\nabcd\nabcde\nxy".to_vec());
        let mut line = Vec::new();
        let mut next = |line: &mut Vec<u8>| read_line(&mut reader, 4, line).unwrap();
        assert_eq!(
            (next(&mut line), &line[..]),
            (LineRead::Line, &b"abc\n"[..])
        );
        assert_eq!(
            (next(&mut line), &line[..]),
            (LineRead::Line, &b"abcd\n"[..])
        );
        assert_eq!(next(&mut line), LineRead::TooLong);
        assert_eq!(line.len(), 5, "the cap and one byte, no more");
        // An endless line: a device of zeros.
        let mut zeros = io::BufReader::new(io::repeat(0));
        assert_eq!(
            read_line(&mut zeros, 1000, &mut line).unwrap(),
            LineRead::TooLong
        );
        assert_eq!(line.len(), 1001);
        let mut last = io::Cursor::new(b"xy".to_vec());
        assert_eq!(read_line(&mut last, 2, &mut line).unwrap(), LineRead::Line);
        assert_eq!(read_line(&mut last, 2, &mut line).unwrap(), LineRead::End);
    }

    #[test]
    fn a_metered_reader_never_passes_its_limit() {
        let meter = Meter::new(10);
        let mut reader = meter.reader(io::repeat(b'\n'));
        let mut buf = [0; 64];
        let error = reader.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::FileTooLarge);
        assert!(meter.is_over());
        assert_eq!(
            meter.read(),
            11,
            "the limit and the one byte that proves more"
        );
        assert_eq!(meter.line_breaks(), 11);
        assert!(
            reader.read(&mut buf).is_err(),
            "and no more, however often asked"
        );
        assert_eq!(meter.read(), 11);
        // A limit moved on lets the rest through.
        let meter = Meter::new(10);
        let mut reader = meter.reader(&b"0123456789abcde"[..]);
        assert!(reader.read_to_end(&mut Vec::new()).is_err());
        meter.set_limit(20);
        assert!(!meter.is_over());
        assert_eq!(reader.read(&mut buf).unwrap(), 4);
        assert_eq!(reader.read(&mut buf).unwrap(), 0);
        // Exactly the limit, then the end: no error.
        let meter = Meter::new(3);
        let mut text = String::new();
        meter.reader(&b"abc"[..]).read_to_string(&mut text).unwrap();
        assert_eq!((text.as_str(), meter.is_over()), ("abc", false));
    }
}
