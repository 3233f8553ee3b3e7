//! Render: located diagnostics in, text out, rustc-style for people or one JSON object
//! per line for tools. Nothing else in timl formats a diagnostic.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde::Serialize;
use unicode_width::UnicodeWidthChar;

use super::data_row::thousands;
use super::diagnostic::{Diagnostic, Location, Tally, WINDOW};
use super::severity::Severity;
use super::span::LineIndex;

/// ANSI colour on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Colour(pub bool);

impl Colour {
    /// Colour for `stream` as cargo decides it: `--color always` or `never` if given
    /// (anstream's global choice), else off with `NO_COLOR` set and non-empty or
    /// `CLICOLOR=0`, on with `CLICOLOR_FORCE`, and otherwise on a terminal only.
    pub fn for_stream<S: anstream::stream::RawStream>(stream: &S) -> Colour {
        let choice = anstream::AutoStream::choice(stream);
        Colour(matches!(
            choice,
            anstream::ColorChoice::Always | anstream::ColorChoice::AlwaysAnsi
        ))
    }

    fn paint(self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    fn severity(self, severity: Severity, text: &str) -> String {
        let colour = match severity {
            Severity::Error => AnsiColor::Red,
            Severity::Warning => AnsiColor::Yellow,
            Severity::Note => AnsiColor::Cyan,
        };
        self.paint(BOLD.fg_color(Some(colour.into())), text)
    }
}

const BOLD: Style = Style::new().bold();
/// The gutter: arrows, bars, line numbers.
const GUTTER: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Blue)));

const TAB: &str = "    ";

/// ` --> file:line:col (path)` and a line break.
fn place_line(gutter: &str, arrow: &str, l: &Location, path: &str) -> String {
    format!(
        "{gutter}{arrow} {}:{}:{}{path}\n",
        printable(&l.file),
        l.line,
        l.column
    )
}

/// `error[rule]: message` and a line break.
fn head_line(diagnostic: &Diagnostic, colour: Colour) -> String {
    let severity = diagnostic.severity;
    let head = format!("{severity}[{}]", diagnostic.rule.name);
    format!(
        "{}{}\n",
        colour.severity(severity, &head),
        colour.paint(BOLD, &format!(": {}", printable(&diagnostic.message)))
    )
}

/// One diagnostic, rustc-style, ending in a blank line.
pub fn human(diagnostic: &Diagnostic, colour: Colour) -> String {
    let mut out = head_line(diagnostic, colour);
    let severity = diagnostic.severity;
    let location = diagnostic.location.as_ref();
    let line_no = location.map_or(0, |l| l.line);
    let gutter = " ".repeat(line_no.to_string().len());
    let arrow = colour.paint(GUTTER, "-->");
    let bar = colour.paint(GUTTER, "|");
    let path = diagnostic
        .path
        .as_deref()
        .map(|p| format!(" ({})", printable(p)))
        .unwrap_or_default();
    match location {
        // A position without its text (a data file read as a stream) shows no source.
        Some(l) if l.line > 0 && l.source_line.is_empty() && l.end_column <= 1 => {
            out.push_str(&place_line(&gutter, &arrow, l, &path));
        }
        Some(l) if l.line > 0 => {
            let cut_here = windowed(l);
            let l = cut_here.as_ref().unwrap_or(l);
            out.push_str(&place_line(&gutter, &arrow, l, &path));
            // A window cut from a long line starts with `...`.
            let cut = if l.source_column > 1 { "..." } else { "" };
            let shown = format!("{cut}{}", printable(&l.source_line));
            let (indent, width) = underline(l);
            let indent = indent + cut.len();
            let _ = writeln!(out, "{gutter} {bar}");
            let _ = writeln!(
                out,
                "{} {bar} {}",
                colour.paint(GUTTER, &l.line.to_string()),
                shown.trim_end()
            );
            let carets = colour.severity(severity, &"^".repeat(width));
            let _ = writeln!(out, "{gutter} {bar} {}{carets}", " ".repeat(indent));
        }
        Some(l) => {
            let _ = writeln!(out, "{gutter}{arrow} {}{path}", printable(&l.file));
        }
        None => {}
    }
    if let Some(help) = &diagnostic.help {
        let help = printable(help);
        let _ = writeln!(out, "{gutter} = {}: {help}", colour.paint(BOLD, "help"));
    }
    let row = diagnostic.row.as_ref().map(|row| row.to_string());
    for note in diagnostic.notes.iter().chain(&row) {
        let note = printable(note);
        let _ = writeln!(out, "{gutter} = {}: {note}", colour.paint(BOLD, "note"));
    }
    if let (Severity::Error, Some(code)) = (severity, diagnostic.rule.server_error) {
        let _ = writeln!(
            out,
            "{gutter} = {}: the server would refuse it with error {code}",
            colour.paint(BOLD, "note")
        );
    }
    let _ = writeln!(
        out,
        "{gutter} = {}: for more, see `timl explain {}`",
        colour.paint(BOLD, "help"),
        diagnostic.rule.name
    );
    out.push('\n');
    out
}

/// The end of a group of rows with the same diagnostic: its first line and place
/// again, then in how many `more` rows it also came, listing `rows` (the first few).
pub fn more_rows(first: &Diagnostic, more: usize, rows: &[usize], colour: Colour) -> String {
    let mut out = head_line(first, colour);
    let row_file = first.row.as_ref().map(|row| &*row.file);
    // A place in the data file was the first row's line: not shown for the others.
    let place = first.location.as_ref();
    if let Some(l) = place.filter(|l| l.line > 0 && Some(&*l.file) != row_file) {
        out.push_str(&place_line(" ", &colour.paint(GUTTER, "-->"), l, ""));
    }
    let noun = if more == 1 { "row" } else { "rows" };
    let file = first
        .row
        .as_ref()
        .map(|row| format!(" of {}", printable(&row.file)))
        .unwrap_or_default();
    let mut listed: Vec<String> = rows.iter().map(|&n| thousands(n)).collect();
    if more > rows.len() {
        listed.push("...".to_owned());
    }
    let _ = writeln!(
        out,
        "  = {}: ... and in {} more {noun}{file}: {}",
        colour.paint(BOLD, "note"),
        thousands(more),
        listed.join(", ")
    );
    out.push('\n');
    out
}

/// `location` with its source line cut to a window around the span, if it is longer
/// than one: diagnostics are resolved with a window already, and this makes sure of
/// it for every location, however it was made, so what is printed stays small
/// whatever the length of the line.
fn windowed(location: &Location) -> Option<Location> {
    let (before, after) = WINDOW;
    let line = &location.source_line;
    if line.len() <= before + after || line.chars().nth(before + after).is_none() {
        return None;
    }
    let at = location.column.saturating_sub(location.source_column);
    let byte = line
        .char_indices()
        .nth(at)
        .map_or(line.len(), |(byte, _)| byte);
    let (shown, column) = LineIndex::new(line).window(byte, before, after);
    Some(Location {
        file: location.file.clone(),
        source_line: shown.to_owned(),
        source_column: location.source_column + column - 1,
        ..*location
    })
}

/// The character shown for `c`: tabs become four spaces, and control and
/// bidirectional-override characters become visible stand-ins, so a template can
/// neither drive the terminal nor reorder what is shown.
fn shown_char(c: char) -> Option<char> {
    match c {
        '\t' => None,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + u32::from(c)),
        '\u{7f}' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        // Invisible: a soft hyphen, zero-width space, word joiners, a byte-order mark,
        // interlinear annotations, tags (zero-width joiners are left for emoji and
        // the scripts that need them).
        | '\u{ad}'
        | '\u{180e}'
        | '\u{200b}'
        | '\u{2060}'..='\u{2064}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}' => Some('\u{fffd}'),
        _ => Some(c),
    }
}

/// Whether [`printable`] shows `c` as a stand-in: a control or bidirectional
/// character, a line separator, or an invisible one (a zero-width space, a
/// byte-order mark, a tag).
pub fn unseen(c: char) -> bool {
    shown_char(c) != Some(c)
}

/// Whether `c` is a bidirectional control: it reorders the text around it.
pub fn bidi(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` as it is shown: control and bidirectional characters as visible stand-ins,
/// tabs as spaces. Every untrusted string (a file name, a
/// value, a server's text) reaches the terminal through this.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match shown_char(c) {
            Some(shown) => out.push(shown),
            None => out.push_str(TAB),
        }
    }
    out
}

/// `json` (JSON text) with the characters that [`printable`] would show as stand-ins
/// and that serde writes as they are (DEL, C1 controls, bidirectional controls, line
/// separators) written as `\uXXXX` escapes: the same JSON value, safe on a terminal.
/// They can only occur inside strings, where an escape means the same. C0 controls
/// are left to serde, which escapes them.
pub fn json_safe(json: &str) -> String {
    let stands_in = |c: char| c > '\u{1f}' && shown_char(c) != Some(c);
    if !json.contains(stands_in) {
        return json.to_owned();
    }
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if stands_in(c) {
            // Past U+FFFF, JSON escapes the UTF-16 pair.
            for unit in c.encode_utf16(&mut [0; 2]) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Display width of the text before the span and of the span itself (at least 1,
/// to the end of the line for a span that continues on later lines).
fn underline(location: &crate::diag::Location) -> (usize, usize) {
    let width = |c: char| match shown_char(c) {
        None => TAB.len(),
        Some(shown) => shown.width().unwrap_or(0),
    };
    let chars: Vec<char> = location.source_line.chars().collect();
    let start = location
        .column
        .saturating_sub(location.source_column)
        .min(chars.len());
    let end = if location.end_line == location.line {
        location
            .end_column
            .saturating_sub(location.source_column)
            .clamp(start, chars.len())
    } else {
        chars.len()
    };
    let indent = chars[..start].iter().copied().map(width).sum();
    let span = chars[start..end].iter().copied().map(width).sum::<usize>();
    (indent, span.max(1))
}

/// The closing line of a run: `2 errors, 1 warning` (or nothing when clean).
pub fn summary(tally: Tally, colour: Colour) -> Option<String> {
    let plural =
        |n: usize, word: &str| format!("{} {word}{}", thousands(n), if n == 1 { "" } else { "s" });
    match (tally.errors, tally.warnings) {
        (0, 0) => None,
        (0, w) => Some(colour.severity(Severity::Warning, &plural(w, "warning"))),
        (e, 0) => Some(colour.severity(Severity::Error, &plural(e, "error"))),
        (e, w) => Some(format!(
            "{}, {}",
            colour.severity(Severity::Error, &plural(e, "error")),
            colour.severity(Severity::Warning, &plural(w, "warning"))
        )),
    }
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    severity: &'a str,
    rule: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    server_error: Option<u32>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    row: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data_line: Option<usize>,
}

/// One diagnostic as one line of JSON (with a final newline).
pub fn json(diagnostic: &Diagnostic) -> String {
    let location = diagnostic.location.as_ref();
    let record = JsonDiagnostic {
        file: location.map_or("", |l| l.file.as_str()),
        line: location.map_or(0, |l| l.line),
        column: location.map_or(0, |l| l.column),
        end_line: location.map_or(0, |l| l.end_line),
        end_column: location.map_or(0, |l| l.end_column),
        severity: diagnostic.severity.as_str(),
        rule: diagnostic.rule.name,
        message: &diagnostic.message,
        help: diagnostic.help.as_deref(),
        path: diagnostic.path.as_deref(),
        server_error: diagnostic.rule.server_error,
        notes: &diagnostic.notes,
        row: diagnostic.row.as_ref().map(|row| row.number),
        data_line: diagnostic
            .row
            .as_ref()
            .map(|row| row.line)
            .filter(|&line| line > 0),
    };
    // File names, source lines and values in it are shown, never obeyed.
    let mut line = json_safe(&serde_json::to_string(&record).expect("diagnostics serialize"));
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::rules;
    use crate::diag::{LineIndex, Span};

    #[test]
    fn carets_account_for_wide_characters_and_tabs() {
        let text = "\t大家好 @someone";
        let mut d = Diagnostic::new(&rules::ACCOUNT_ID, "too long").at(Span::new(11, 19));
        d.resolve("a.timl", &LineIndex::new(text));
        let shown = human(&d, Colour(false));
        assert!(shown.contains("a.timl:1:6"), "{shown}");
        // a tab (4) and three wide characters (6) and a space before the caret
        assert!(
            shown.contains(&format!("| {}^^^^^^^^\n", " ".repeat(11))),
            "{shown}"
        );
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        let text = "\x1b[2J\u{202e}x [fcae 6]";
        let mut d = Diagnostic::new(&rules::ELEMENT_LOOKALIKE, "x").at(Span::new(10, 14));
        d.resolve("a.timl", &LineIndex::new(text));
        let shown = human(&d, Colour(false));
        assert!(
            !shown.contains('\x1b') && !shown.contains('\u{202e}'),
            "{shown}"
        );
        assert!(
            shown.contains("| \u{241b}[2J\u{fffd}x [fcae 6]\n"),
            "{shown}"
        );
        assert!(
            shown.contains(&format!("| {}^^^^\n", " ".repeat(8))),
            "{shown}"
        );
    }

    #[test]
    fn long_lines_are_cut_to_a_window() {
        let text = format!("{}@someone{}", "a ".repeat(500), " b".repeat(500));
        let mut d = Diagnostic::new(&rules::ACCOUNT_ID, "x").at(Span::new(1000, 1008));
        d.resolve("a.timl", &LineIndex::new(&text));
        let location = d.location.as_ref().unwrap();
        assert_eq!(
            (location.line, location.column, location.end_column),
            (1, 1001, 1009)
        );
        let shown = human(&d, Colour(false));
        assert!(shown.len() < 600, "{shown}");
        assert!(
            shown.contains(&format!("| ...{}@someone", "a ".repeat(30))),
            "{shown}"
        );
        assert!(
            shown.contains(&format!("| {}^^^^^^^^\n", " ".repeat(63))),
            "{shown}"
        );
    }

    #[test]
    fn a_long_line_is_cut_however_the_location_was_made() {
        let mut d = Diagnostic::new(&rules::DATA, "x");
        let line = format!("{}@x{}", "a".repeat(1 << 20), "b".repeat(1 << 20));
        d.location = Some(Box::new(Location {
            file: "a.csv".into(),
            line: 3,
            column: (1 << 20) + 1,
            end_line: 3,
            end_column: (1 << 20) + 3,
            source_line: line,
            source_column: 1,
        }));
        let shown = human(&d, Colour(false));
        assert!(shown.len() < 600, "{} bytes", shown.len());
        assert!(
            shown.contains(&format!("3 | ...{}@xbbb", "a".repeat(60))),
            "{shown}"
        );
        assert!(
            shown.contains(&format!("| {}^^\n", " ".repeat(63))),
            "{shown}"
        );
    }

    #[test]
    fn no_colour_codes_unless_asked() {
        let mut d = Diagnostic::new(&rules::EMPTY, "empty");
        d.resolve("a.timl", &LineIndex::new(""));
        assert!(!human(&d, Colour(false)).contains('\x1b'));
        assert!(human(&d, Colour(true)).contains('\x1b'));
    }

    #[test]
    fn json_safe_escapes_what_printable_replaces_and_keeps_the_value() {
        let json =
            serde_json::json!({"info": "a\u{1b}[31m\u{9b}b\u{202e}c\u{7f}\r\u{2028}é"}).to_string();
        let safe = json_safe(&json);
        assert_eq!(
            safe,
            r#"{"info":"a\u001b[31m\u009bb\u202ec\u007f\r\u2028é"}"#
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back.to_string(), json);
        assert!(!printable(&safe).contains('\u{fffd}'));
        // Invisible characters too, and past U+FFFF as a UTF-16 pair (`\ue0041` would
        // read as U+E004 and a `1`).
        let json = serde_json::json!({"v": "n\u{200b}a\u{feff}\u{ad}\u{e0041}"}).to_string();
        let safe = json_safe(&json);
        assert_eq!(safe, r#"{"v":"n\u200ba\ufeff\u00ad\udb40\udc41"}"#);
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back.to_string(), json);
        assert_eq!(printable("nam\u{200b}"), "nam\u{fffd}");
    }
}
