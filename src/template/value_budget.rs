//! JSON values read within a budget of values. A parsed value can take a hundred
//! times the bytes of its text (`[{"a":0},{"a":0},...]` makes a table per eight
//! bytes), so a cap on bytes alone does not bound memory: a row or a variables file
//! is also refused past a number of values, counted as they are read.

use std::cell::Cell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// The most JSON values (each number, string, list, table and item of one) timl
/// reads in a data row: a row holds one message's values, and 100,000 is far more
/// than any needs, yet takes at most some tens of megabytes.
pub const ROW_VALUES: usize = 100_000;

/// The most JSON values timl reads in a `--vars` file: more than a row's, for lists
/// shared by every message, and still within some tens of megabytes.
pub const VARS_VALUES: usize = 250_000;

/// How many more values may be read, and whether a read wanted more.
#[derive(Debug)]
pub struct ValueBudget {
    left: Cell<usize>,
    exceeded: Cell<bool>,
}

impl ValueBudget {
    /// A budget of `values` values.
    pub fn new(values: usize) -> ValueBudget {
        ValueBudget {
            left: Cell::new(values),
            exceeded: Cell::new(false),
        }
    }

    /// Gives the budget `values` values again (for the next row).
    pub fn reset(&self, values: usize) {
        self.left.set(values);
        self.exceeded.set(false);
    }

    /// Whether a read failed because it would have passed the budget.
    pub fn exceeded(&self) -> bool {
        self.exceeded.get()
    }

    /// Reads one JSON value from `deserializer`, spending from this budget.
    pub fn read<'de, D: Deserializer<'de>>(&self, deserializer: D) -> Result<Value, D::Error> {
        self.seed().deserialize(deserializer)
    }

    /// A seed that reads one JSON value, spending from this budget (for an item of
    /// a list being read).
    pub fn seed(&self) -> Within<'_> {
        Within(self)
    }

    /// Reads the JSON text `text` (one value and nothing else) within `values`
    /// values; the error says whether the budget was the reason.
    pub fn parse(text: &str, values: usize) -> Result<Value, (serde_json::Error, bool)> {
        let budget = ValueBudget::new(values);
        let mut deserializer = serde_json::Deserializer::from_str(text);
        budget
            .read(&mut deserializer)
            .and_then(|value| deserializer.end().map(|()| value))
            .map_err(|error| (error, budget.exceeded()))
    }

    fn spend<E: serde::de::Error>(&self) -> Result<(), E> {
        match self.left.get().checked_sub(1) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => {
                self.exceeded.set(true);
                Err(E::custom("more values than timl reads"))
            }
        }
    }
}

/// A seed and visitor that build a [`Value`] as serde_json's own does, spending a
/// unit of the budget on every value.
#[derive(Debug, Clone, Copy)]
pub struct Within<'a>(&'a ValueBudget);

impl<'de> DeserializeSeed<'de> for Within<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Within<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Value, E> {
        self.0.spend()?;
        Ok(Value::Bool(value))
    }

    fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Value, E> {
        self.0.spend()?;
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Value, E> {
        self.0.spend()?;
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Value, E> {
        self.0.spend()?;
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Value, E> {
        self.0.spend()?;
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<Value, E> {
        self.0.spend()?;
        Ok(Value::String(value))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        self.0.spend()?;
        Ok(Value::Null)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.0.spend()?;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        self.0.spend()?;
        let mut map = Map::new();
        while let Some(key) = entries.next_key::<String>()? {
            let value = entries.next_value_seed(self)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_as_serde_json_reads_them_within_the_budget() {
        let text = r#"{"a": [1, -2, 2.5, "x", true, null, {"b": {}}], "c": 18446744073709551615}"#;
        let expected: Value = serde_json::from_str(text).unwrap();
        // Three tables, a list and seven scalars: eleven values.
        assert_eq!(ValueBudget::parse(text, 11).unwrap(), expected);
        let (error, exceeded) = ValueBudget::parse(text, 10).unwrap_err();
        assert!(exceeded, "{error}");
        let (error, exceeded) = ValueBudget::parse("{\"a\": ", 100).unwrap_err();
        assert!(!exceeded && error.is_eof(), "{error}");
        let (_, exceeded) = ValueBudget::parse("[1] x", 100).unwrap_err();
        assert!(!exceeded);
        // The recursion limit of serde_json still holds.
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(ValueBudget::parse(&deep, usize::MAX).is_err());
    }
}
