//! Field codec `#[dynamo(serde)]`: a field of any type with serde
//! implementations, stored through its serde data model. Maps and structs
//! become `M`, sequences `L`, strings `S`, numbers `N`, booleans `BOOL`,
//! unit and `None` leave the attribute out. Numbers go through serde_json's
//! number model (64-bit integers and f64).

use crate::item::AttributeError;
use crate::value::{AttributeMap, AttributeValue, Number};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn to_attribute(value: Value) -> Result<AttributeValue, AttributeError> {
    Ok(match value {
        Value::Null => AttributeValue::Null,
        Value::Bool(b) => AttributeValue::Bool(b),
        Value::Number(n) => {
            let number = if let Some(i) = n.as_i64() {
                Number::from(i)
            } else if let Some(u) = n.as_u64() {
                Number::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                Number::from_f64(f).map_err(|e| AttributeError::invalid(e.to_string()))?
            };
            AttributeValue::N(number)
        }
        Value::String(s) => AttributeValue::S(s),
        Value::Array(items) => AttributeValue::L(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| to_attribute(v).map_err(|e| e.in_element(i)))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => {
            let mut out = AttributeMap::with_capacity(map.len());
            for (k, v) in map {
                let v = to_attribute(v).map_err(|e| e.in_attribute(&k))?;
                out.insert(k, v);
            }
            AttributeValue::M(out)
        }
    })
}

fn to_json(value: AttributeValue) -> Result<Value, AttributeError> {
    Ok(match value {
        AttributeValue::Null => Value::Null,
        AttributeValue::Bool(b) => Value::Bool(b),
        AttributeValue::S(s) => Value::String(s),
        AttributeValue::N(n) => {
            let json = if let Some(i) = n.to_i128().and_then(|i| i64::try_from(i).ok()) {
                serde_json::Number::from(i)
            } else if let Some(u) = n.to_u128().and_then(|u| u64::try_from(u).ok()) {
                serde_json::Number::from(u)
            } else {
                serde_json::Number::from_f64(n.to_f64()).ok_or_else(|| {
                    AttributeError::invalid(format!("{n} does not fit a serde number"))
                })?
            };
            Value::Number(json)
        }
        AttributeValue::L(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, v)| to_json(v).map_err(|e| e.in_element(i)))
                .collect::<Result<_, _>>()?,
        ),
        AttributeValue::M(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = to_json(v).map_err(|e| e.in_attribute(&k))?;
                    Ok((k, v))
                })
                .collect::<Result<_, AttributeError>>()?,
        ),
        AttributeValue::Ss(s) => Value::Array(s.into_iter().map(Value::String).collect()),
        other => {
            return Err(AttributeError::invalid(format!(
                "a {} attribute has no serde representation",
                other.type_name()
            )));
        }
    })
}

/// The attribute of `value`, or `None` (for `None` and unit) to leave it out.
pub fn to_field<T: Serialize>(value: &T) -> Result<Option<AttributeValue>, AttributeError> {
    let json = serde_json::to_value(value).map_err(|e| AttributeError::invalid(e.to_string()))?;
    match json {
        Value::Null => Ok(None),
        json => to_attribute(json).map(Some),
    }
}

/// Reads the field from its attribute; an absent attribute reads as
/// serde's `null` (so `Option` fields become `None`).
pub fn from_field<T: DeserializeOwned>(value: Option<AttributeValue>) -> Result<T, AttributeError> {
    let json = match value {
        Some(v) => to_json(v)?,
        None => Value::Null,
    };
    let missing = json.is_null();
    serde_json::from_value(json).map_err(|e| {
        if missing {
            AttributeError::Missing {
                path: String::new(),
            }
        } else {
            AttributeError::invalid(e.to_string())
        }
    })
}
