//! The template features timl allows: every minijinja builtin filter, test and
//! function, registered one by one (an allow-list: a builtin a later minijinja adds
//! does not appear until it is listed here), plus `mention()` and `face()`.
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
use minijinja::{filters as f, functions, tests as t, Environment, Error, ErrorKind, State};

use super::slots;

/// Registers every allowed filter, test and function in `env` (built empty).
pub fn register(env: &mut Environment<'static>) {
    for (name, filter) in text_filters() {
        env.add_filter(name, move |state: &mut State, args: Rest<Value>| {
            filter.call(state, &as_text(&args)?)
        });
    }
    env.add_filter("safe", keep_as_data);
    env.add_filter("escape", keep_as_data);
    env.add_filter("e", keep_as_data);
    let default = Value::from_function(f::default);
    env.add_filter("default", {
        let default = default.clone();
        move |state: &mut State, args: Rest<Value>| default.call(state, &args)
    });
    env.add_filter("d", move |state: &mut State, args: Rest<Value>| {
        default.call(state, &args)
    });
    env.add_filter("trim", trim);
    env.add_filter("tojson", tojson);
    for (name, test) in tests() {
        env.add_test(name, move |state: &mut State, args: Rest<Value>| {
            Ok::<_, Error>(test.call(state, &as_text(&args)?)?.is_true())
        });
    }
    env.add_test("safe", t::is_safe);
    env.add_test("escaped", t::is_safe);
    env.add_function("range", functions::range);
    env.add_function("dict", functions::dict);
    env.add_function("namespace", functions::namespace);
    env.add_function("mention", mention);
    env.add_function("face", face);
}

/// The names of every filter [`register`] adds (for tests that try them all).
pub fn filter_names() -> Vec<&'static str> {
    let mut names: Vec<_> = text_filters().into_iter().map(|(name, _)| name).collect();
    names.extend(["safe", "escape", "e", "default", "d", "trim", "tojson"]);
    names
}

/// The names of every test [`register`] adds.
pub fn test_names() -> Vec<&'static str> {
    let mut names: Vec<_> = tests().into_iter().map(|(name, _)| name).collect();
    names.extend(["safe", "escaped"]);
    names
}

/// minijinja's builtin filters that read their string arguments as text.
fn text_filters() -> Vec<(&'static str, Value)> {
    let length = Value::from_function(f::length);
    vec![
        ("lower", Value::from_function(f::lower)),
        ("upper", Value::from_function(f::upper)),
        ("title", Value::from_function(f::title)),
        ("capitalize", Value::from_function(f::capitalize)),
        ("replace", Value::from_function(f::replace)),
        ("length", length.clone()),
        ("count", length),
        ("dictsort", Value::from_function(f::dictsort)),
        ("items", Value::from_function(f::items)),
        ("reverse", Value::from_function(f::reverse)),
        ("join", Value::from_function(f::join)),
        ("split", Value::from_function(f::split)),
        ("lines", Value::from_function(f::lines)),
        ("round", Value::from_function(f::round)),
        ("abs", Value::from_function(f::abs)),
        ("int", Value::from_function(f::int)),
        ("float", Value::from_function(f::float)),
        ("attr", Value::from_function(f::attr)),
        ("first", Value::from_function(f::first)),
        ("last", Value::from_function(f::last)),
        ("min", Value::from_function(f::min)),
        ("max", Value::from_function(f::max)),
        ("sort", Value::from_function(f::sort)),
        ("list", Value::from_function(f::list)),
        ("string", Value::from_function(f::string)),
        ("bool", Value::from_function(f::bool)),
        ("batch", Value::from_function(f::batch)),
        ("slice", Value::from_function(f::slice)),
        ("sum", Value::from_function(f::sum)),
        ("indent", Value::from_function(f::indent)),
        ("select", Value::from_function(f::select)),
        ("reject", Value::from_function(f::reject)),
        ("selectattr", Value::from_function(f::selectattr)),
        ("rejectattr", Value::from_function(f::rejectattr)),
        ("map", Value::from_function(f::map)),
        ("groupby", Value::from_function(f::groupby)),
        ("unique", Value::from_function(f::unique)),
        ("chain", Value::from_function(f::chain)),
        ("zip", Value::from_function(f::zip)),
        ("pprint", Value::from_function(f::pprint)),
        ("format", Value::from_function(f::format)),
    ]
}

/// minijinja's builtin tests but `safe`/`escaped`, which read strings as text.
fn tests() -> Vec<(&'static str, Value)> {
    let is_eq = Value::from_function(t::is_eq);
    let is_ne = Value::from_function(t::is_ne);
    let is_lt = Value::from_function(t::is_lt);
    let is_le = Value::from_function(t::is_le);
    let is_gt = Value::from_function(t::is_gt);
    let is_ge = Value::from_function(t::is_ge);
    vec![
        ("undefined", Value::from_function(t::is_undefined)),
        ("defined", Value::from_function(t::is_defined)),
        ("none", Value::from_function(t::is_none)),
        ("boolean", Value::from_function(t::is_boolean)),
        ("odd", Value::from_function(t::is_odd)),
        ("even", Value::from_function(t::is_even)),
        ("divisibleby", Value::from_function(t::is_divisibleby)),
        ("number", Value::from_function(t::is_number)),
        ("integer", Value::from_function(t::is_integer)),
        ("int", Value::from_function(t::is_integer)),
        ("float", Value::from_function(t::is_float)),
        ("string", Value::from_function(t::is_string)),
        ("sequence", Value::from_function(t::is_sequence)),
        ("iterable", Value::from_function(t::is_iterable)),
        ("mapping", Value::from_function(t::is_mapping)),
        ("startingwith", Value::from_function(t::is_startingwith)),
        ("endingwith", Value::from_function(t::is_endingwith)),
        ("lower", Value::from_function(t::is_lower)),
        ("upper", Value::from_function(t::is_upper)),
        ("sameas", Value::from_function(t::is_sameas)),
        ("eq", is_eq.clone()),
        ("equalto", is_eq.clone()),
        ("==", is_eq),
        ("ne", is_ne.clone()),
        ("!=", is_ne),
        ("lt", is_lt.clone()),
        ("lessthan", is_lt.clone()),
        ("<", is_lt),
        ("le", is_le.clone()),
        ("<=", is_le),
        ("gt", is_gt.clone()),
        ("greaterthan", is_gt.clone()),
        (">", is_gt),
        ("ge", is_ge.clone()),
        (">=", is_ge),
        ("in", Value::from_function(t::is_in)),
        ("true", Value::from_function(t::is_true)),
        ("false", Value::from_function(t::is_false)),
        ("filter", Value::from_function(t::is_filter)),
        ("test", Value::from_function(t::is_test)),
    ]
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
fn mention(id: String, name: Option<String>, kwargs: Kwargs) -> Result<Value, Error> {
    let name = match name {
        Some(name) => Some(name),
        None => kwargs.get::<Option<String>>("name")?,
    };
    kwargs.assert_all_used()?;
    let mut markup = format!("[at {}", slotted(&id)?);
    if let Some(name) = name {
        markup.push(' ');
        markup.push_str(&slotted(&name)?);
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
        markup.push(' ');
        markup.push_str(&slotted(&data)?);
    }
    markup.push(']');
    Ok(Value::from_safe_string(markup))
}
