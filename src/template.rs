//! Render: a template source and variables in, markup text out, in which every value
//! is data and every byte can be traced back to the template source.
//!
//! minijinja renders with `trim_blocks`, `lstrip_blocks`, strict undefined variables
//! and a custom auto-escape mode whose formatter wraps every value it prints in
//! U+E000 ... U+E001. The grammar reads such a run as one literal atom, never as
//! markup, whatever it holds. Both characters are refused in template sources and in
//! values, so no data can fake or break a run.
//!
//! Safe strings are printed as they are: minijinja makes them only from the
//! template's own text (macro and block output), escaping (that is, wrapping) every
//! plain value that joins them, and from `mention()` and `face()`, which build markup
//! from escaped parts on purpose. The filters that would turn data into safe strings
//! without escaping it (`safe`, `tojson`, `replace`) are replaced by ones that keep it
//! data.
//!
//! minijinja records which source produced each piece of output
//! (`render_with_spans`): literal template text maps byte for byte, and a value maps
//! to the `{{ ... }}` expression that printed it. [`Rendered::locate`] uses that to
//! point diagnostics at the template instead of at the rendered text.

use std::collections::HashMap;
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};

use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Enumerator, Kwargs, Object, Value};
use minijinja::{
    AutoEscape, Environment, Error, ErrorKind, OutputSpan, OutputSpanKind, UndefinedBehavior,
};

use crate::ast::Document;
use crate::diagnostic::Diagnostic;
use crate::escape::{VALUE_END, VALUE_START};
use crate::rules;
use crate::span::{LineIndex, Span};

/// A template source: the name it is shown under and its text.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as shown in diagnostics.
    pub path: String,
    /// The text as read.
    pub text: Arc<str>,
}

/// Template sources by minijinja template name (the main one and every include).
type Sources = Arc<Mutex<HashMap<String, Source>>>;

/// A template, compiled once and rendered per message.
pub struct Template {
    env: Environment<'static>,
    name: String,
    sources: Sources,
    /// Identifies this template in the per-thread cache of parsed shapes.
    id: u64,
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

/// The first template-reserved character in `text`, as a diagnostic.
pub fn reserved_char(text: &str) -> Option<Diagnostic> {
    let at = text.find([VALUE_START, VALUE_END])?;
    Some(
        Diagnostic::new(
            &rules::TEMPLATE,
            "U+E000 and U+E001 are reserved by timl for template values",
        )
        .at(Span::new(at, at + VALUE_START.len_utf8()))
        .help("remove the character"),
    )
}

impl Template {
    /// Compiles the template at `path` (shown as given) with source `text`; includes
    /// and imports are read from `dir` (none for standard input).
    pub fn new(path: &str, text: &str, dir: Option<&Path>) -> Result<Template, Vec<Diagnostic>> {
        if let Some(mut diagnostic) = reserved_char(text) {
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
        let mut env = Environment::new();
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
        env.add_function("mention", mention);
        env.add_function("face", face);
        env.add_filter("safe", keep_as_data);
        env.add_filter("tojson", tojson);
        env.add_filter("replace", replace);
        env.set_loader(loader(dir.map(Path::to_owned), sources.clone()));
        let mut template = Template {
            env,
            name: path.to_owned(),
            sources,
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        };
        if let Err(error) = template
            .env
            .add_template_owned(path.to_owned(), text.to_owned())
        {
            return Err(vec![template.diagnostic(&error)]);
        }
        Ok(template)
    }

    /// Renders with `context` (a map of variables).
    pub fn render(&self, context: Value) -> Result<Rendered<'_>, Box<Diagnostic>> {
        let failed = |error: Error| Box::new(self.diagnostic(&error));
        let template = self.env.get_template(&self.name).map_err(failed)?;
        let text = template.render(context.clone()).map_err(failed)?;
        Ok(Rendered {
            text,
            template: self,
            context,
            spans: OnceLock::new(),
        })
    }

    /// Where each piece of a rendering came from: recorded by rendering again, only
    /// for the few renderings that have diagnostics (rendering is deterministic).
    fn output_spans(&self, context: Value) -> Vec<OutputSpan> {
        self.env
            .get_template(&self.name)
            .and_then(|template| template.render_with_spans(context))
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
            let parsed = Rc::new(crate::parse::parse(shape));
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

    /// The main template's source.
    pub fn main_source(&self) -> Source {
        self.source(&self.name)
            .expect("the main source is registered first")
    }

    /// A minijinja error as a located `template` diagnostic.
    fn diagnostic(&self, error: &Error) -> Diagnostic {
        // An error inside an include or macro arrives wrapped ("error in x"): the
        // innermost one knows the file, the place and what went wrong.
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
            .filter(|range| range.end <= source.text.len())
            .map(|range| Span::new(range.start, range.end))
            .or_else(|| {
                let line = error.line()?;
                let start: usize = source
                    .text
                    .split_inclusive('\n')
                    .take(line - 1)
                    .map(str::len)
                    .sum();
                Some(Span::point(start))
            });
        let shown = span.map(|span| &source.text[span.range()]).unwrap_or("");
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

/// Prints a value: a safe string (template text, or markup from `mention()` and
/// `face()`) as it is, anything else as data between the value markers.
fn format_value(
    out: &mut minijinja::Output<'_>,
    _state: &mut minijinja::State<'_, '_>,
    value: &Value,
) -> Result<(), Error> {
    if value.is_safe() {
        let text = value.as_str().unwrap_or_default();
        check_runs(text)?;
        out.write_str(text)?;
        return Ok(());
    }
    let text = value.to_string();
    refuse_reserved(&text)?;
    out.write_fmt(format_args!("{VALUE_START}{text}{VALUE_END}"))?;
    Ok(())
}

/// Safe strings hold values only as whole runs; a filter that cut one in two (say,
/// slicing macro output) is refused rather than guessed at.
fn check_runs(text: &str) -> Result<(), Error> {
    let mut open = false;
    for c in text.chars() {
        match c {
            VALUE_START if !open => open = true,
            VALUE_END if open => open = false,
            VALUE_START | VALUE_END => return Err(cut_run()),
            _ => {}
        }
    }
    if open {
        return Err(cut_run());
    }
    Ok(())
}

fn cut_run() -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        "a filter cut a template value in two; print values and macro output whole",
    )
}

/// `|safe` keeps data as data: the value is escaped (wrapped) as if printed.
fn keep_as_data(state: &mut minijinja::State<'_, '_>, value: Value) -> Result<Value, Error> {
    if value.is_safe() {
        return Ok(value);
    }
    Ok(Value::from_safe_string(state.format(value)?))
}

/// `|tojson` as plain text: printed, it is data.
fn tojson(value: &Value) -> Result<Value, Error> {
    let json = serde_json::to_string(value).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("cannot serialize to JSON: {e}"),
        )
    })?;
    Ok(Value::from(json))
}

/// `|replace` on plain text only: replacing inside markup could slip data into it.
fn replace(value: &Value, from: &str, to: &str) -> Result<Value, Error> {
    if value.is_safe() {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "`replace` works on values, not on markup or macro output",
        ));
    }
    Ok(Value::from(value.to_string().replace(from, to)))
}

fn refuse_reserved(text: &str) -> Result<(), Error> {
    if text.contains([VALUE_START, VALUE_END]) {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "a value contains U+E000 or U+E001, which timl reserves for template values",
        ));
    }
    Ok(())
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

/// `mention(id, name=none)`: markup for a mention of one account. It never mentions
/// everyone: `mention("all")` is the account called `all`.
fn mention(id: String, name: Option<String>, kwargs: Kwargs) -> Result<Value, Error> {
    let name = match name {
        Some(name) => Some(name),
        None => kwargs.get::<Option<String>>("name")?,
    };
    kwargs.assert_all_used()?;
    refuse_reserved(&id)?;
    let mut markup = format!("[at {}", quoted(&id));
    if let Some(name) = name {
        refuse_reserved(&name)?;
        markup.push(' ');
        markup.push_str(&quoted(&name));
    }
    markup.push(']');
    Ok(Value::from_safe_string(markup))
}

/// `face(index, data=none)`: markup for a face element.
fn face(index: u32, data: Option<String>, kwargs: Kwargs) -> Result<Value, Error> {
    let data = match data {
        Some(data) => Some(data),
        None => kwargs.get::<Option<String>>("data")?,
    };
    kwargs.assert_all_used()?;
    let mut markup = format!("[face {index}");
    if let Some(data) = data {
        refuse_reserved(&data)?;
        markup.push(' ');
        markup.push_str(&quoted(&data));
    }
    markup.push(']');
    Ok(Value::from_safe_string(markup))
}

/// Reads includes and imports relative to `dir`, and remembers their sources.
fn loader(
    dir: Option<PathBuf>,
    sources: Sources,
) -> impl Fn(&str) -> Result<Option<String>, Error> + Send + Sync + 'static {
    move |name| {
        let Some(dir) = &dir else {
            return Ok(None);
        };
        let relative = Path::new(name);
        let inside = relative
            .components()
            .all(|part| matches!(part, Component::Normal(_) | Component::CurDir));
        if !inside {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("`{name}` is outside the template's folder"),
            ));
        }
        let path = dir.join(relative);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!("cannot read `{}`: {error}", path.display()),
                ))
            }
        };
        if let Some(diagnostic) = reserved_char(&text) {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("`{}`: {}", path.display(), diagnostic.message),
            ));
        }
        sources.lock().expect("not poisoned").insert(
            name.to_owned(),
            Source {
                path: path.display().to_string(),
                text: Arc::from(text.as_str()),
            },
        );
        Ok(Some(text))
    }
}

/// The variables of one data row over the shared ones (`--vars`, `--var`): a
/// lookup converts only the value the template asks for.
#[derive(Debug)]
struct RowContext {
    row: serde_json::Map<String, serde_json::Value>,
    base: Value,
}

impl Object for RowContext {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        match self.row.get(key) {
            Some(value) => Some(json_to_value(value)),
            None => self.base.get_attr(key).ok().filter(|v| !v.is_undefined()),
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let mut keys: Vec<Value> = self.row.keys().map(|k| Value::from(k.as_str())).collect();
        if let Ok(base) = self.base.try_iter() {
            keys.extend(base.filter(|k| k.as_str().is_some_and(|k| !self.row.contains_key(k))));
        }
        Enumerator::Values(keys)
    }
}

/// A row's variables over `base`: the row's values win.
pub fn row_context(row: serde_json::Map<String, serde_json::Value>, base: Value) -> Value {
    Value::from_object(RowContext { row, base })
}

fn json_to_value(value: &serde_json::Value) -> Value {
    use serde_json::Value as Json;
    match value {
        Json::String(text) => Value::from(text.as_str()),
        Json::Bool(flag) => Value::from(*flag),
        Json::Null => Value::from(()),
        Json::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::from(i),
            (_, Some(u)) => Value::from(u),
            _ => Value::from(n.as_f64().unwrap_or_default()),
        },
        _ => Value::from(minijinja::value::Serde(value)),
    }
}

/// Rendered markup and where each piece of it came from.
#[derive(Debug)]
pub struct Rendered<'t> {
    /// The markup, values between U+E000 and U+E001.
    pub text: String,
    template: &'t Template,
    context: Value,
    spans: OnceLock<Vec<OutputSpan>>,
}

impl Rendered<'_> {
    /// The template and source span that produced `span` of the rendered text:
    /// literal template text maps byte for byte; anything inside a value maps to the
    /// expression that printed it.
    pub fn locate(&self, span: Span) -> Option<(&str, Span)> {
        let spans = self
            .spans
            .get_or_init(|| self.template.output_spans(self.context.clone()));
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

    fn render(source: &str, context: Value) -> String {
        Template::new("t.timl", source, None)
            .unwrap()
            .render(context)
            .unwrap()
            .text
    }

    #[test]
    fn values_are_wrapped_and_markup_functions_are_not() {
        let text = render(
            "Hi {{ name }} {{ mention(id, name='Bob') }} {{ face(6) }}",
            context! { name => "@all [face 1]", id => "all" },
        );
        assert_eq!(
            text,
            "Hi \u{E000}@all [face 1]\u{E001} [at \"all\" \"Bob\"] [face 6]"
        );
    }

    #[test]
    fn no_filter_turns_data_into_markup() {
        let data = context! { v => "@all", items => ["@all", "[face 1]"] };
        assert_eq!(render("{{ v|safe }}", data.clone()), "\u{E000}@all\u{E001}");
        assert_eq!(render("{{ v|e }}", data.clone()), "\u{E000}@all\u{E001}");
        assert_eq!(
            render("{{ v|tojson }}", data.clone()),
            "\u{E000}\"@all\"\u{E001}"
        );
        assert_eq!(
            render("{{ mention('x') ~ v }}", data.clone()),
            "[at \"x\"]\u{E000}@all\u{E001}"
        );
        assert_eq!(
            render("{{ items|join(face(1)) }}", data.clone()),
            "\u{E000}@all\u{E001}[face 1]\u{E000}[face 1]\u{E001}"
        );
        let macro_source = "{% macro m(x) %}@all {{ x }}{% endmacro %}{{ m(v) }}";
        assert_eq!(
            render(macro_source, data.clone()),
            "@all \u{E000}@all\u{E001}"
        );
        let template = Template::new("t.timl", "{{ mention('x')|replace('x', v) }}", None).unwrap();
        assert!(template.render(data).is_err());
    }

    #[test]
    fn spans_lead_back_to_the_source() {
        let template =
            Template::new("t.timl", "ab\n{% if x %}\ncd {{ v }}\n{% endif %}", None).unwrap();
        let rendered = template.render(context! { x => true, v => "xyz" }).unwrap();
        assert_eq!(rendered.text, "ab\ncd \u{E000}xyz\u{E001}\n");
        let cd = rendered.text.find("cd").unwrap();
        assert_eq!(
            rendered.locate(Span::new(cd, cd + 2)),
            Some(("t.timl", Span::new(14, 16)))
        );
        let v = rendered.text.find("xyz").unwrap();
        let (_, span) = rendered.locate(Span::new(v, v + 1)).unwrap();
        assert_eq!(
            &"ab\n{% if x %}\ncd {{ v }}\n{% endif %}"[span.range()],
            "v"
        );
    }

    #[test]
    fn undefined_variables_are_named() {
        let template = Template::new("t.timl", "line\nHi {{ who }}", None).unwrap();
        let error = template.render(context! {}).unwrap_err();
        assert_eq!(error.message, "`who` is undefined");
        let location = error.location.unwrap();
        assert_eq!((location.line, location.column), (2, 7));
    }

    #[test]
    fn reserved_characters_are_refused() {
        assert!(Template::new("t.timl", "a\u{E000}", None).is_err());
        let template = Template::new("t.timl", "{{ v }}", None).unwrap();
        assert!(template.render(context! { v => "\u{E001}" }).is_err());
    }
}
