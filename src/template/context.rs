//! The variables of a rendering: a data row's values over the shared ones, looked up
//! lazily so that a row converts only the variables the template reads.

use std::sync::Arc;

use minijinja::value::{Enumerator, Object, Value};

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
