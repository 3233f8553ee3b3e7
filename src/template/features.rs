//! The template features timl allows: every minijinja builtin filter, test and
//! function, registered one by one (an allow-list: a builtin a later minijinja adds
//! does not appear until it is listed here), plus `mention()`, `face()`, `emoji()` and `sticker()`.
//!
//! Markup (a captured block, macro output) holds value slots, not value text (see
//! [`super::slots`]), so no feature can cut a value out of it. On top of that, a
//! filter or test reads a string argument as the text a member would read: its slots
//! are replaced by their values and the result is plain data, printed as one value.
//! `{% filter upper %}Hi {{ name }}{% endfilter %}` is the data `HI BOB`, and
//! `(block|split)[1]` is a piece of text, never a mention. Only `safe`, `escape`,
//! `default` and `trim` without arguments keep markup as markup: they never look
//! inside it.

use minijinja::value::{Kwargs, Rest, Value};
use minijinja::{functions, tests as t, Environment, Error, ErrorKind, State, UndefinedBehavior};

use super::slots;

/// Registers every allowed filter, test and function in `env` (built empty).
pub fn register(env: &mut Environment<'static>) {
    for &name in TEXT_FILTERS {
        env.add_filter(name, move |state: &State, args: Rest<Value>| {
            builtin(state, name, &as_text(&args)?, false)
        });
    }
    env.add_filter("safe", keep_as_data);
    env.add_filter("escape", keep_as_data);
    env.add_filter("e", keep_as_data);
    for name in ["default", "d"] {
        env.add_filter(name, move |state: &State, args: Rest<Value>| {
            builtin(state, "default", &args, false)
        });
    }
    env.add_filter("trim", trim);
    env.add_filter("tojson", tojson);
    for &name in TESTS {
        env.add_test(name, move |state: &State, args: Rest<Value>| {
            Ok::<_, Error>(builtin(state, name, &as_text(&args)?, true)?.is_true())
        });
    }
    env.add_test("safe", t::is_safe);
    env.add_test("escaped", t::is_safe);
    env.add_function("range", functions::range);
    env.add_function("dict", functions::dict);
    env.add_function("namespace", functions::namespace);
    env.add_function("mention", mention);
    env.add_function("face", face);
    env.add_function("emoji", |name: Value| named_face("emoji", &name));
    env.add_function("sticker", |name: Value| named_face("sticker", &name));
}

/// The names of every filter a template may use (for tests that try them all).
pub fn filter_names() -> Vec<&'static str> {
    let mut names = TEXT_FILTERS.to_vec();
    names.extend(["safe", "escape", "e", "default", "d", "trim", "tojson"]);
    names
}

/// The names of every test a template may use.
pub fn test_names() -> Vec<&'static str> {
    let mut names = TESTS.to_vec();
    names.extend(["safe", "escaped"]);
    names
}

/// minijinja's builtin filters that read their string arguments as text.
const TEXT_FILTERS: &[&str] = &[
    "lower",
    "upper",
    "title",
    "capitalize",
    "replace",
    "length",
    "count",
    "dictsort",
    "items",
    "reverse",
    "join",
    "split",
    "lines",
    "round",
    "abs",
    "int",
    "float",
    "attr",
    "first",
    "last",
    "min",
    "max",
    "sort",
    "list",
    "string",
    "bool",
    "batch",
    "slice",
    "sum",
    "indent",
    "select",
    "reject",
    "selectattr",
    "rejectattr",
    "map",
    "groupby",
    "unique",
    "chain",
    "zip",
    "pprint",
    "format",
];

/// minijinja's builtin tests but `safe`/`escaped`, which read strings as text.
const TESTS: &[&str] = &[
    "undefined",
    "defined",
    "none",
    "boolean",
    "odd",
    "even",
    "divisibleby",
    "number",
    "integer",
    "int",
    "float",
    "string",
    "sequence",
    "iterable",
    "mapping",
    "startingwith",
    "endingwith",
    "lower",
    "upper",
    "sameas",
    "eq",
    "equalto",
    "==",
    "ne",
    "!=",
    "lt",
    "lessthan",
    "<",
    "le",
    "<=",
    "gt",
    "greaterthan",
    ">",
    "ge",
    ">=",
    "in",
    "true",
    "false",
    "filter",
    "test",
];

/// The builtin filter or test `name` of minijinja itself, applied to `args` with the
/// fuel the rendering has left: the builtins' own fuel accounting (for `indent`,
/// `reverse`, `length`, ...) counts against the rendering, as if they ran in it.
fn builtin(state: &State, name: &str, args: &[Value], test: bool) -> Result<Value, Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(state.fuel_levels().map(|(_, remaining)| remaining));
    let mut inner = env.empty_state();
    let result = if test {
        inner.perform_test(name, args).map(Value::from)
    } else {
        inner.apply_filter(name, args)
    };
    if let Some((used, _)) = inner.fuel_levels() {
        state.consume_fuel(used)?;
    }
    result
}

/// Arguments with every string read as text: slots replaced by their values, and
/// plain (not markup). Keyword arguments are read the same way.
fn as_text(args: &[Value]) -> Result<Vec<Value>, Error> {
    args.iter()
        .map(|arg| {
            if arg.is_kwargs() {
                let kwargs = Kwargs::try_from(arg.clone())?;
                let pairs = kwargs
                    .args()
                    .map(|key| Ok((key.to_owned(), text_of(&kwargs.peek::<Value>(key)?)?)))
                    .collect::<Result<Vec<(String, Value)>, Error>>()?;
                Ok(Value::from(Kwargs::from_iter(pairs)))
            } else {
                text_of(arg)
            }
        })
        .collect()
}

/// A string as the plain text it reads as; anything else as it is.
fn text_of(value: &Value) -> Result<Value, Error> {
    match value.as_str() {
        Some(text) if value.is_safe() || text.contains(slots::is_reserved) => {
            Ok(Value::from(slots::resolve(text)?.into_owned()))
        }
        _ => Ok(value.clone()),
    }
}

/// `|safe` and `|escape` keep data as data: markup stays markup, anything else is
/// printed as a value.
fn keep_as_data(state: &mut State<'_, '_>, value: Value) -> Result<Value, Error> {
    if value.is_safe() {
        return Ok(value);
    }
    Ok(Value::from_safe_string(state.format(value)?))
}

/// `|trim` without arguments keeps markup (white space is never inside a slot);
/// with the characters to trim, it reads the string as text.
fn trim(value: Value, chars: Option<Value>) -> Result<Value, Error> {
    match (value.as_str(), chars) {
        (Some(text), None) if value.is_safe() => {
            Ok(Value::from_safe_string(text.trim().to_owned()))
        }
        (Some(_), chars) => {
            let text = text_of(&value)?;
            let text = text.as_str().unwrap_or_default();
            Ok(Value::from(match chars.as_ref().and_then(Value::as_str) {
                Some(chars) => text.trim_matches(|c| chars.contains(c)).to_owned(),
                None => text.trim().to_owned(),
            }))
        }
        (None, _) => Err(Error::new(
            ErrorKind::InvalidOperation,
            "`trim` works on strings",
        )),
    }
}

/// `|tojson`: the value's JSON as plain text (printed, it is data).
fn tojson(value: &Value) -> Result<Value, Error> {
    let value = text_of(value)?;
    let json = serde_json::to_string(&value).map_err(|e| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("cannot serialize to JSON: {e}"),
        )
    })?;
    Ok(Value::from(json))
}

/// A string argument of `mention()` or `face()` as one value slot.
fn slotted(text: &str) -> Result<String, Error> {
    slots::slot(slots::resolve(text)?.into_owned())
}

/// `mention(id, name=none)`: markup for a mention of one account. It never mentions
/// everyone: `mention("all")` is the account called `all`.
fn mention(args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let [id, name] = arguments("mention", &args, &kwargs, ["id", "name"], 1)?;
    let id = text(&id.unwrap_or_default());
    let mut markup = format!("[at {}", slotted(&id)?);
    if let Some(name) = name {
        markup.push(' ');
        markup.push_str(&slotted(&text(&name))?);
    }
    markup.push(']');
    Ok(Value::from_safe_string(markup))
}

/// `face(index, data=none)`: markup for a face element.
fn face(args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    let [index, data] = arguments("face", &args, &kwargs, ["index", "data"], 1)?;
    let index = index.unwrap_or_default();
    let index = u32::try_from(index.clone()).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("the argument `index` of `face()` is a whole number from 0 to 4294967295, not {index}"),
        )
    })?;
    let mut markup = format!("[face {index}");
    if let Some(data) = data {
        markup.push(' ');
        markup.push_str(&slotted(&text(&data))?);
    }
    markup.push(']');
    Ok(Value::from_safe_string(markup))
}

/// A string argument's text; a number's digits.
fn text(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// The arguments of a call of `function` by position or by name (`names`), the first
/// `required` of them required; none for one not given or given as none. An
/// undefined value (`name=c.nmae`, a misspelt variable or attribute) is an error:
/// minijinja would pass it on as none, and every message would quietly lose it.
fn arguments<const N: usize>(
    function: &str,
    positional: &[Value],
    keywords: &Kwargs,
    names: [&str; N],
    required: usize,
) -> Result<[Option<Value>; N], Error> {
    let mut out: [Option<Value>; N] = std::array::from_fn(|_| None);
    if positional.len() > N {
        return Err(Error::new(
            ErrorKind::TooManyArguments,
            format!("`{function}()` takes at most {N} arguments"),
        ));
    }
    let mut given: [Option<Value>; N] = std::array::from_fn(|i| positional.get(i).cloned());
    for (i, name) in names.iter().enumerate() {
        if let Ok(value) = keywords.peek::<Value>(name) {
            let _ = keywords.get::<Value>(name);
            given[i] = Some(value);
        }
    }
    keywords.assert_all_used()?;
    for (i, value) in given.into_iter().enumerate() {
        match value {
            Some(value) if value.is_undefined() => {
                return Err(Error::new(
                    ErrorKind::UndefinedError,
                    format!(
                        "the argument `{}` of `{function}()` is undefined (a misspelt variable or attribute?)",
                        names[i]
                    ),
                ))
            }
            Some(value) if value.is_none() && i >= required => {}
            Some(value) => out[i] = Some(value),
            None if i < required => {
                return Err(Error::new(
                    ErrorKind::MissingArgument,
                    format!("`{function}()` needs `{}`", names[i]),
                ))
            }
            None => {}
        }
    }
    Ok(out)
}

/// `emoji(name)` and `sticker(name)`: markup for the face called `name`, looked up
/// in the face catalog when the markup is read (an unknown name is an error of the
/// row it came from).
fn named_face(element: &str, name: &Value) -> Result<Value, Error> {
    let name = match name.kind() {
        minijinja::value::ValueKind::String => name.as_str().unwrap_or_default().to_owned(),
        // `emoji(666)`: a number is its digits.
        minijinja::value::ValueKind::Number => name.to_string(),
        kind => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("`{element}()` takes a name (a string), not {kind}"),
            ))
        }
    };
    Ok(Value::from_safe_string(format!(
        "[{element} {}]",
        slotted(&name)?
    )))
}
