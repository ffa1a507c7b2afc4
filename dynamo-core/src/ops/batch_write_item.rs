//! `BatchWriteItem`.

use super::ReturnConsumedCapacity;
use super::capacity::ConsumedCapacity;
use crate::value::AttributeMap;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One write of a batch: `{"PutRequest":{"Item":...}}` or
/// `{"DeleteRequest":{"Key":...}}` on the wire.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WriteRequest {
    /// Put a whole item.
    #[serde(rename_all = "PascalCase")]
    PutRequest {
        /// The item.
        item: AttributeMap,
    },
    /// Delete the item with a key.
    #[serde(rename_all = "PascalCase")]
    DeleteRequest {
        /// Its primary key.
        key: AttributeMap,
    },
}

/// Input of `BatchWriteItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct BatchWriteItemInput {
    /// Writes per table (1 to 25 in all).
    pub request_items: HashMap<String, Vec<WriteRequest>>,
    /// Capacity detail to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// Output of `BatchWriteItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct BatchWriteItemOutput {
    /// Writes not applied this time; send them again.
    pub unprocessed_items: HashMap<String, Vec<WriteRequest>>,
    /// Capacity consumed, one entry per table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}
