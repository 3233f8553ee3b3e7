//! Template: a template source and variables in, markup text out, in which every value
//! is data and every byte can be traced back to the template source.
//!
//! minijinja renders with `trim_blocks`, `lstrip_blocks`, strict undefined variables,
//! fuel (bounded work and memory) and a custom auto-escape mode whose formatter files
//! every printed value in a table and writes a *slot* in its place ([`slots`]). The
//! markup a template builds holds slots, never value text, so no template code can cut
//! a value into markup; [`shape`] turns each slot into a placeholder, one literal atom the
//! grammar never looks inside. Only the allowed features exist ([`features`]), and
//! includes are read from the template's folder and nowhere else ([`loader`]).
//!
//! minijinja records which source produced each piece of output
//! (`render_with_spans`): literal template text maps byte for byte, and a value maps
//! to the `{{ ... }}` expression that printed it. [`Rendered::locate`] uses that to
//! point diagnostics at the template instead of at the rendered text.

pub mod budget;
mod context;
mod csv_rows;
mod csv_scan;
pub mod data;
mod depth;
mod features;
mod loader;
pub mod rows;
pub mod shape;
pub mod slots;
mod undefined;
mod unread;
mod value_budget;
pub mod watchdog;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Value;
use minijinja::{
    AutoEscape, Environment, Error, ErrorKind, OutputSpan, OutputSpanKind, UndefinedBehavior,
};

use crate::diag::rules;
use crate::diag::Diagnostic;
use crate::diag::{LineIndex, Span};
use crate::markup::ast::Document;

pub use context::row_context;
pub use features::{filter_names, test_names};
pub use loader::Source;
use loader::Sources;
pub use slots::reserved_char;

/// The work one rendering may do, in minijinja fuel: one unit per instruction and per
/// 64 bytes of data made. The example templates need under 100; this bound keeps a
/// runaway loop to milliseconds and the data a template makes to 6.4 MB.
pub const FUEL: u64 = 100_000;

/// A template, compiled once and rendered per message.
pub struct Template {
    env: Environment<'static>,
    name: String,
    sources: Sources,
    /// Identifies this template in the per-thread cache of parsed shapes.
    id: u64,
    /// The variables the main template reads but never sets (functions aside): found
    /// once, for the first rendering that meets an undefined one (see `undefined`).
    unset: OnceLock<HashSet<String>>,
    /// Calls of macros that leave out an argument: found once, after the first
    /// rendering has loaded the imports (see `unread`).
    macro_calls: OnceLock<Vec<Diagnostic>>,
}

thread_local! {
    /// Parses of rendered shapes (see `shape`) by template and shape, so rows of one
    /// shape parse once. Per thread: threads compiling rows share nothing.
    static PARSES: std::cell::RefCell<HashMap<u64, HashMap<String, Rc<Parsed>>>> = std::cell::RefCell::default();
}

/// Template ids for the parse cache.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A parsed shape: the document and the syntax diagnostics.
pub type Parsed = (Document, Vec<Diagnostic>);

/// At most this many shapes are kept; a template whose every row differs in shape
/// starts over rather than grow.
const MAX_SHAPES: usize = 1024;

impl Drop for Template {
    fn drop(&mut self) {
        // The compiling threads of a batch end with it; this thread's cache is freed
        // here.
        let _ = PARSES.try_with(|parses| parses.borrow_mut().remove(&self.id));
    }
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Template")
            .field("name", &self.name)
            .finish()
    }
}

/// True when `text` has template tags (`{{`, `{%` or `{#`).
pub fn has_tags(text: &str) -> bool {
    text.contains("{{") || text.contains("{%") || text.contains("{#")
}

impl Template {
    /// Compiles the template at `path` (shown as given) with source `text`; includes
    /// and imports are read from `dir` (none for standard input).
    pub fn new(path: &str, text: &str, dir: Option<&Path>) -> Result<Template, Vec<Diagnostic>> {
        let text = &*crate::markup::source::normalize_line_endings(text);
        if let Some(mut diagnostic) = reserved_char(text).or_else(|| depth::too_deep(text)) {
            diagnostic.resolve(path, &LineIndex::new(text));
            return Err(vec![diagnostic]);
        }
        let sources: Sources = Arc::default();
        sources.lock().expect("not poisoned").insert(
            path.to_owned(),
            Source {
                path: path.to_owned(),
                text: Arc::from(text),
            },
        );
        // Empty: only what `features` allows exists.
        let mut env = Environment::empty();
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()
                .expect("the default delimiters are valid"),
        );
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::Custom("timl".into()));
        env.set_formatter(format_value);
        env.set_fuel(Some(FUEL));
        features::register(&mut env);
        env.set_loader(loader::loader(dir, sources.clone()));
        let mut template = Template {
            env,
            name: path.to_owned(),
            sources,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            unset: OnceLock::new(),
            macro_calls: OnceLock::new(),
        };
        let added = watchdog::guard(path, || {
            template
                .env
                .add_template_owned(path.to_owned(), text.to_owned())
        });
        if let Err(error) = added {
            return Err(vec![template.diagnostic(&error)]);
        }
        Ok(template)
    }

    /// Renders with `context` (a map of variables); a rendering longer than `cap`
    /// bytes stops there, as an error.
    pub fn render(&self, context: Value, cap: usize) -> Result<Rendered<'_>, Vec<Diagnostic>> {
        let rendered = self.try_render(&context, cap);
        // What the template asks for and the rendering quietly left out; a macro's
        // missing argument also explains its failure better than the failure does.
        let unread = unread::unread(self, &context);
        let (text, values) = match rendered {
            Ok(_) if !unread.is_empty() => return Err(unread),
            Ok(rendered) => rendered,
            Err(error) => {
                // Both kinds, each name once: what passed quietly, and what failed.
                // A failure inside a macro a call left short is that call's, said above.
                let main = self.main_source().path;
                let quiet = unread.len();
                let mut all = unread;
                for found in undefined::all_undefined(self, &error, &context, cap) {
                    let elsewhere =
                        quiet > 0 && found.location.as_ref().is_some_and(|l| l.file != main);
                    let repeated = all
                        .iter()
                        .any(|d| d.message == found.message || d.span == found.span);
                    if !elsewhere && !repeated {
                        all.push(found);
                    }
                }
                return Err(all);
            }
        };
        if text.len() > cap {
            return Err(vec![too_long_rendering(cap, &self.main_source())]);
        }
        Ok(Rendered {
            text,
            values,
            template: self,
            context,
            cap,
            spans: OnceLock::new(),
        })
    }

    /// The rendered text and its values, or minijinja's error.
    fn try_render(&self, context: &Value, cap: usize) -> Result<(String, Vec<String>), Error> {
        let template = self.env.get_template(&self.name)?;
        // Fuel counts every byte written (at most 6.4 MB); past `cap` it is an error.
        let (result, values) = watchdog::guard(&self.name, || {
            slots::recording(cap, || template.render(context.clone()))
        });
        result.map(|text| (text, values))
    }

    /// Where each piece of a rendering came from: recorded by rendering again, only
    /// for the few renderings that have diagnostics (rendering is deterministic).
    fn output_spans(&self, context: Value, cap: usize) -> Vec<OutputSpan> {
        let template = self.env.get_template(&self.name);
        watchdog::guard(&self.name, || {
            slots::recording(cap, || template.and_then(|t| t.render_with_spans(context)))
        })
        .0
        .map(|(_, spans)| spans)
        .unwrap_or_default()
    }

    /// The parse of a rendered shape, from the cache when this shape was seen.
    pub fn parse_shape(&self, shape: &str) -> Rc<Parsed> {
        PARSES.with(|parses| {
            let mut parses = parses.borrow_mut();
            let parses = parses.entry(self.id).or_default();
            if let Some(parsed) = parses.get(shape) {
                return parsed.clone();
            }
            let parsed = Rc::new(crate::markup::parse::parse(shape));
            if parses.len() >= MAX_SHAPES {
                parses.clear();
            }
            parses.insert(shape.to_owned(), parsed.clone());
            parsed
        })
    }

    /// The source of template `name`.
    pub fn source(&self, name: &str) -> Option<Source> {
        self.sources
            .lock()
            .expect("not poisoned")
            .get(name)
            .cloned()
    }

    /// Every source read so far: the main one, and the includes and imports loaded.
    pub(crate) fn all_sources(&self) -> Vec<Source> {
        let sources = self.sources.lock().expect("not poisoned");
        sources.values().cloned().collect()
    }

    /// The main template's source.
    pub fn main_source(&self) -> Source {
        self.source(&self.name)
            .expect("the main source is registered first")
    }

    /// Where a minijinja error points: its source and span. An error inside an include
    /// or macro arrives wrapped ("error in x"): the innermost one knows the file, the
    /// place and what went wrong.
    fn place<'e>(&self, error: &'e Error) -> (&'e Error, Source, Option<Span>) {
        let mut error = error;
        while let Some(inner) =
            std::error::Error::source(error).and_then(|e| e.downcast_ref::<Error>())
        {
            error = inner;
        }
        let source = error
            .name()
            .and_then(|name| self.source(name))
            .unwrap_or_else(|| self.main_source());
        let span = error
            .range()
            .map(|range| snap(&source.text, range.start, range.end))
            .or_else(|| {
                let line = error.line()?;
                let start: usize = source
                    .text
                    .split_inclusive('\n')
                    .take(line.saturating_sub(1))
                    .map(str::len)
                    .sum();
                Some(Span::point(start))
            });
        (error, source, span)
    }

    /// A minijinja error as a located `template` diagnostic.
    fn diagnostic(&self, error: &Error) -> Diagnostic {
        let (error, source, span) = self.place(error);
        let shown = span
            .and_then(|span| source.text.get(span.range()))
            .unwrap_or("");
        let detail = error.detail().unwrap_or("").to_owned();
        let (message, help) = match error.kind() {
            ErrorKind::UndefinedError => (
                format!("`{shown}` is undefined"),
                Some("give it a value with `--var`, `--vars` or a `--data` column".to_owned()),
            ),
            ErrorKind::SyntaxError => (format!("template syntax error: {detail}"), None),
            ErrorKind::TemplateNotFound => (
                format!("template not found: {detail}"),
                Some("includes and imports are read relative to the template's folder".to_owned()),
            ),
            ErrorKind::OutOfFuel => (
                format!("the template does too much work (more than {FUEL} steps)"),
                Some(
                    "a message is small: look for a loop that runs away, or a huge string"
                        .to_owned(),
                ),
            ),
            _ if !detail.is_empty() => (detail, None),
            _ => (error.kind().to_string(), None),
        };
        let mut diagnostic = Diagnostic::new(&rules::TEMPLATE, message);
        diagnostic.help = help;
        diagnostic.span = span;
        diagnostic.resolve(&source.path, &LineIndex::new(&source.text));
        diagnostic
    }
}

/// A value that is not a string (a list, a map, a number) as text, written only as far
/// as the rendering has room: a huge (or endlessly lazy) list stops at the cap
/// instead of being written out whole.
fn displayed(value: &Value) -> Result<String, Error> {
    struct Bounded {
        text: String,
        room: usize,
    }
    impl fmt::Write for Bounded {
        fn write_str(&mut self, piece: &str) -> fmt::Result {
            if self.text.len() + piece.len() > self.room {
                return Err(fmt::Error);
            }
            self.text.push_str(piece);
            Ok(())
        }
    }
    let mut out = Bounded {
        text: String::new(),
        room: slots::room(),
    };
    fmt::Write::write_fmt(&mut out, format_args!("{value}")).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            "the value printed here is longer than any message can hold",
        )
    })?;
    Ok(out.text)
}

/// `start..end` of `text`, clamped to it and widened to whole characters (minijinja's
/// ranges may split a character it could not read).
fn snap(text: &str, start: usize, end: usize) -> Span {
    let mut start = start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Span::new(start, end)
}

/// The diagnostic for a rendering that passed `cap` bytes.
fn too_long_rendering(cap: usize, source: &Source) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(
        &rules::TOO_LONG,
        format!("the template's output passed {cap} bytes, more than any message can hold"),
    )
    .at(Span::point(0))
    .help("a message body is at most 8000 bytes: look for a loop that runs away");
    diagnostic.resolve(&source.path, &LineIndex::new(&source.text));
    diagnostic
}

/// Prints a value: markup (template text, captured blocks, macro output, `mention()`
/// and `face()`) as it is once its slots are checked whole; anything else as data, in
/// a new slot (see [`slots`]).
fn format_value(
    out: &mut minijinja::Output<'_>,
    _state: &mut minijinja::State<'_, '_>,
    value: &Value,
) -> Result<(), Error> {
    if value.is_safe() {
        let text = value.as_str().unwrap_or_default();
        slots::check(text)?;
        out.write_str(text)?;
        return Ok(());
    }
    // Plain text may hold slots (a slice of markup): they read as their values.
    let text = match value.as_str() {
        Some(text) => slots::resolve(text)?.into_owned(),
        None => slots::resolve(&displayed(value)?)?.into_owned(),
    };
    out.write_str(&slots::slot(text)?)?;
    Ok(())
}

/// Rendered markup and where each piece of it came from.
#[derive(Debug)]
pub struct Rendered<'t> {
    /// The markup, each value a slot (see [`slots`]).
    pub text: String,
    /// The values, by slot index.
    pub values: Vec<String>,
    template: &'t Template,
    context: Value,
    cap: usize,
    spans: OnceLock<Vec<OutputSpan>>,
}

impl Rendered<'_> {
    /// The template and source span that produced `span` of the rendered text:
    /// literal template text maps byte for byte; anything inside a value maps to the
    /// expression that printed it.
    pub fn locate(&self, span: Span) -> Option<(&str, Span)> {
        let spans = self
            .spans
            .get_or_init(|| self.template.output_spans(self.context.clone(), self.cap));
        let index = spans
            .partition_point(|s| s.output_range().start <= span.start)
            .checked_sub(1)?;
        let piece = &spans[index];
        let output = piece.output_range();
        let source = piece.source_range();
        let located = match piece.kind() {
            OutputSpanKind::Raw => {
                let start = source.start + (span.start.min(output.end) - output.start);
                let end = source.start + (span.end.clamp(span.start, output.end) - output.start);
                Span::new(start, end.max(start))
            }
            _ => Span::new(source.start, source.end),
        };
        Some((piece.name(), located))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    /// The rendering with each slot shown as `⟦value⟧`.
    fn render(source: &str, context: Value) -> String {
        let template = Template::new("t.timl", source, None).unwrap();
        let rendered = template.render(context, 1 << 20).unwrap();
        shown(&rendered)
    }

    fn shown(rendered: &Rendered<'_>) -> String {
        let mut out = String::new();
        let mut rest = 0;
        for found in slots::find(&rendered.text, rendered.values.len()) {
            let found = found.unwrap();
            out.push_str(&rendered.text[rest..found.start]);
            out.push_str(&format!("⟦{}⟧", rendered.values[found.index]));
            rest = found.end;
        }
        out.push_str(&rendered.text[rest..]);
        out
    }

    #[test]
    fn values_are_slots_and_markup_functions_hold_slots_too() {
        let text = render(
            "Hi {{ name }} {{ mention(id, name='Bob') }} {{ face(6) }}",
            context! { name => "@all [face 1]", id => "all" },
        );
        assert_eq!(text, "Hi ⟦@all [face 1]⟧ [at ⟦all⟧ ⟦Bob⟧] [face 6]");
    }

    #[test]
    fn no_filter_turns_data_into_markup() {
        let data = context! { v => "@all", items => ["@all", "[face 1]"] };
        assert_eq!(render("{{ v|safe }}", data.clone()), "⟦@all⟧");
        assert_eq!(render("{{ v|e }}", data.clone()), "⟦@all⟧");
        assert_eq!(render("{{ v|tojson }}", data.clone()), "⟦\"@all\"⟧");
        assert_eq!(
            render("{{ mention('x') ~ v }}", data.clone()),
            "[at ⟦x⟧]⟦@all⟧"
        );
        // A filter reads markup as text, and its result is data.
        assert_eq!(
            render("{{ items|join(face(1)) }}", data.clone()),
            "⟦@all[face 1][face 1]⟧"
        );
        let macro_source = "{% macro m(x) %}@all {{ x }}{% endmacro %}{{ m(v) }}";
        assert_eq!(render(macro_source, data.clone()), "@all ⟦@all⟧");
        assert_eq!(
            render("{{ mention('x')|replace('x', v) }}", data.clone()),
            "⟦[at @all]⟧"
        );
        let cut = "{% set b %}{{ v }} x{% endset %}{{ (b|split)[0] }}{{ b|upper }}";
        assert_eq!(render(cut, data.clone()), "⟦@all⟧⟦@ALL X⟧");
        // Markup keeps its markup only through filters that never look inside.
        let kept = "{% set b %} [face 2] {{ v }} {% endset %}{{ b|trim }}|{{ b|default('') }}";
        assert_eq!(render(kept, data), "[face 2] ⟦@all⟧| [face 2] ⟦@all⟧ ");
    }

    #[test]
    fn cutting_a_slot_is_an_error_not_markup() {
        let template =
            Template::new("t.timl", "{% set b %}{{ v }}{% endset %}{{ b[1:] }}", None).unwrap();
        let error = template
            .render(context! { v => "@all" }, 1 << 20)
            .unwrap_err()
            .remove(0);
        assert!(error.message.contains("reserved"), "{}", error.message);
    }

    #[test]
    fn spans_lead_back_to_the_source() {
        let source = "ab\n{% if x %}\ncd {{ v }}\n{% endif %}";
        let template = Template::new("t.timl", source, None).unwrap();
        let rendered = template
            .render(context! { x => true, v => "xyz" }, 1 << 20)
            .unwrap();
        assert_eq!(shown(&rendered), "ab\ncd ⟦xyz⟧\n");
        let cd = rendered.text.find("cd").unwrap();
        assert_eq!(
            rendered.locate(Span::new(cd, cd + 2)),
            Some(("t.timl", Span::new(14, 16)))
        );
        let v = rendered.text.find('\u{E000}').unwrap();
        let (_, span) = rendered.locate(Span::new(v, v + 1)).unwrap();
        assert_eq!(&source[span.range()], "v");
    }

    #[test]
    fn undefined_variables_are_named() {
        let template = Template::new("t.timl", "line\nHi {{ who }}", None).unwrap();
        let error = template.render(context! {}, 1 << 20).unwrap_err().remove(0);
        assert_eq!(error.message, "`who` is undefined");
        let location = error.location.unwrap();
        assert_eq!((location.line, location.column), (2, 7));
    }

    #[test]
    fn reserved_characters_are_refused() {
        assert!(Template::new("t.timl", "a\u{E000}", None).is_err());
        let template = Template::new("t.timl", "{{ v }}", None).unwrap();
        assert!(template
            .render(context! { v => "\u{E001}" }, 1 << 20)
            .is_err());
    }

    #[test]
    fn work_and_output_are_bounded() {
        let runaway =
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}";
        let template = Template::new("t.timl", runaway, None).unwrap();
        let error = template.render(context! {}, 1 << 20).unwrap_err().remove(0);
        assert!(error.message.contains("too much work"), "{}", error.message);
        let huge = "{% set s = 'x' * 100000000 %}{{ s ~ s }}";
        let template = Template::new("t.timl", huge, None).unwrap();
        assert!(template.render(context! {}, 1 << 20).is_err());
        let long = "{% for i in range(5000) %}0123456789{% endfor %}";
        let template = Template::new("t.timl", long, None).unwrap();
        let error = template.render(context! {}, 1000).unwrap_err().remove(0);
        assert_eq!(error.rule.name, "too-long");
    }

    /// Chains just under the operator bound compile and render on a test thread's
    /// small stack (2 MiB, debug build); longer ones are refused before minijinja.
    #[test]
    fn expression_chains_are_bounded_below_the_stack() {
        let n = depth::MAX_OPERATORS;
        let x = context! { x => context! {} };
        for chain in [
            format!("{{{{ {}1 }}}}", "-".repeat(n)),
            format!("{{{{ 1{} }}}}", "+1".repeat(n)),
            format!("{{{{ x{} is defined }}}}", ".a".repeat(n - 1)),
            format!("{{{{ 1{} }}}}", "|abs".repeat(n)),
            format!("{{{{ {}true }}}}", "not ".repeat(n)),
        ] {
            if let Ok(template) = Template::new("t.timl", &chain, None) {
                let _ = template.render(x.clone(), 1 << 20);
            }
            let longer = chain
                .replacen("{{ ", "{{ -", 1)
                .replacen("{{ -", "{{ - - ", 1);
            let error = Template::new("t.timl", &longer, None).err().unwrap();
            assert!(
                error[0].message.contains("operators"),
                "{}",
                error[0].message
            );
        }
    }

    #[test]
    fn characters_minijinja_cannot_read_are_reported_not_a_panic() {
        for source in [
            "{{ é }}",
            "{% set 中 = 1 %}",
            "{{ x|é }}",
            "{% é %}",
            "{{ 'a' ~ 中 }}",
        ] {
            let error = Template::new("t.timl", source, None)
                .err()
                .map(|mut d| d.remove(0))
                .or_else(|| {
                    Template::new("t.timl", source, None)
                        .unwrap()
                        .render(context! {}, 1 << 20)
                        .err()
                        .map(|mut d| d.remove(0))
                })
                .unwrap();
            assert_eq!(error.rule.name, "template", "{source}");
        }
    }
}
