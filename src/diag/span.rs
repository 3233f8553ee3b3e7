//! Byte spans into one source text, and their conversion to lines and columns.
//!
//! Stages below the public entry points speak only in byte spans; the entry points
//! turn them into `file:line:col` once, with [`LineIndex`].

use std::cell::Cell;
use std::ops::Range;

/// A half-open byte range `start..end` into a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The empty span at `at`.
    pub fn point(at: usize) -> Span {
        Span { start: at, end: at }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// This span moved right by `offset` bytes.
    pub fn shifted(self, offset: usize) -> Span {
        Span {
            start: self.start + offset,
            end: self.end + offset,
        }
    }

    /// The span as a range, for slicing.
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }
}

impl From<pest::Span<'_>> for Span {
    fn from(span: pest::Span<'_>) -> Span {
        Span::new(span.start(), span.end())
    }
}

/// A position for people: 1-based line and 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in Unicode scalar values.
    pub column: usize,
}

/// The start of every line of a text, to turn byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    /// The last position asked for (offset, column): asking in increasing order
    /// along one long line costs only the distance between the positions.
    last: Cell<(usize, usize)>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            text,
            starts,
            last: Cell::new((0, 1)),
        }
    }

    /// The line and column of byte `offset` (clamped to the text and to a character
    /// boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let line_start = self.starts[line];
        let (last_offset, last_column) = self.last.get();
        let column = if last_offset >= line_start && last_offset <= offset {
            last_column + self.text[last_offset..offset].chars().count()
        } else {
            self.text[line_start..offset].chars().count() + 1
        };
        self.last.set((offset, column));
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// The start and end of `span`, asking for the end relative to the start.
    pub fn span_line_cols(&self, span: Span) -> (LineCol, LineCol) {
        let start = self.line_col(span.start);
        let end = self.line_col(span.end.max(span.start));
        // Leave the cache at the start: the next span usually starts after it.
        self.last
            .set((span.start.min(self.text.len()), start.column));
        (start, end)
    }

    /// The line of `offset`, or for a line longer than `before + after` characters,
    /// at most `before` characters before `offset` and `after` from it: the text and
    /// the column of its first character.
    pub fn window(&self, offset: usize, before: usize, after: usize) -> (&'a str, usize) {
        let at = self.line_col(offset);
        let line = self.line_text(at.line);
        if line.len() <= before + after || line.chars().nth(before + after).is_none() {
            return (line, 1);
        }
        let line_start = self.starts[at.line - 1];
        let mut offset = (offset - line_start).min(line.len());
        while !line.is_char_boundary(offset) {
            offset -= 1;
        }
        let head: Vec<(usize, char)> = line[..offset].char_indices().rev().take(before).collect();
        let start = head.last().map_or(offset, |&(i, _)| i);
        let end = line[offset..]
            .char_indices()
            .nth(after)
            .map_or(line.len(), |(i, _)| offset + i);
        (&line[start..end], at.column - head.len())
    }

    /// The text of 1-based `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &'a str {
        let start = self.starts[line - 1];
        let end = self
            .starts
            .get(line)
            .map(|&next| next - 1)
            .unwrap_or(self.text.len());
        let text = &self.text[start..end];
        text.strip_suffix('\r').unwrap_or(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let index = LineIndex::new("ab\n大家好@x\r\nz");
        assert_eq!(index.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(index.line_col(3), LineCol { line: 2, column: 1 });
        // `@` is after three 3-byte characters.
        assert_eq!(index.line_col(12), LineCol { line: 2, column: 4 });
        assert_eq!(index.line_text(2), "大家好@x");
        assert_eq!(index.line_col(100), LineCol { line: 3, column: 2 });
    }

    #[test]
    fn offsets_inside_a_character_round_down() {
        let index = LineIndex::new("大x");
        assert_eq!(index.line_col(1), LineCol { line: 1, column: 1 });
    }
}
