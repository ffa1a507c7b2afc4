//! `BatchGetItem`.

use super::ReturnConsumedCapacity;
use super::capacity::ConsumedCapacity;
use crate::value::AttributeMap;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The keys to read from one table, and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct KeysAndAttributes {
    /// Full primary keys (1 to 100).
    pub keys: Vec<AttributeMap>,
    /// Strongly consistent reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistent_read: Option<bool>,
}

/// Input of `BatchGetItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct BatchGetItemInput {
    /// Keys to read, per table (at most 100 keys in all).
    pub request_items: HashMap<String, KeysAndAttributes>,
    /// Capacity detail to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// Output of `BatchGetItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct BatchGetItemOutput {
    /// Items found, per table (missing items are simply absent).
    pub responses: HashMap<String, Vec<AttributeMap>>,
    /// Keys not read this time (response size cap); send them again.
    pub unprocessed_keys: HashMap<String, KeysAndAttributes>,
    /// Capacity consumed, one entry per table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}
