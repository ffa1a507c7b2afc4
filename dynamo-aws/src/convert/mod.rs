//! Conversions between dynamo-core's model and the SDKs' types
//! (aws-sdk-dynamodb, aws-sdk-dynamodbstreams), both ways: values, table
//! definitions, DynamoDB Streams, and errors.

pub(crate) mod error;
pub(crate) mod schema;
pub(crate) mod streams;
pub(crate) mod value;

use dynamo_core::Error;
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

/// One of our enums from an SDK enum's wire name; an unknown name is a
/// malformed response (`what` names the enum in the error).
pub(crate) fn our_enum<T: DeserializeOwned>(name: &str, what: &str) -> Result<T, Error> {
    from_wire_name(name)
        .ok_or_else(|| Error::Transport(format!("DynamoDB returned an unknown {what}: `{name}`")))
}

/// An SDK enum from one of ours, through the shared wire name.
pub(crate) fn to_sdk_enum<T: Serialize, S: From<&'static str> + std::str::FromStr>(value: &T) -> S {
    let name = wire_name(value);
    // SDK enums accept any string (unknown values become `Unknown`).
    name.parse::<S>().unwrap_or_else(|_| S::from(""))
}
