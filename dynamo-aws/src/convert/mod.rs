//! Conversions between dynamo-core's model and aws-sdk-dynamodb's types,
//! both ways: values, table definitions, and errors.

pub(crate) mod error;
pub(crate) mod schema;
pub(crate) mod value;

use serde::{Serialize, de::DeserializeOwned};

/// DynamoDB's wire name of one of our enums (`"ALL_OLD"`, `"PAY_PER_REQUEST"`).
pub(crate) fn wire_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// One of our enums from DynamoDB's wire name, if it is one we know.
pub(crate) fn from_wire_name<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

/// An SDK enum from one of ours, through the shared wire name.
pub(crate) fn to_sdk_enum<T: Serialize, S: From<&'static str> + std::str::FromStr>(value: &T) -> S {
    let name = wire_name(value);
    // SDK enums accept any string (unknown values become `Unknown`).
    name.parse::<S>().unwrap_or_else(|_| S::from(""))
}
