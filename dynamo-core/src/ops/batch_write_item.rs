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

/// Most writes one BatchWriteItem makes, over all its tables.
pub const MAX_BATCH_WRITES: usize = 25;

impl BatchWriteItemInput {
    /// Checks what DynamoDB checks before looking at any table: writes
    /// per table and in all, table names.
    pub fn validate(&self) -> Result<(), crate::error::Error> {
        use crate::error::Error;
        if self.request_items.is_empty() {
            return Err(Error::validation(
                "The requestItems parameter is required for BatchWriteItem",
            ));
        }
        if self
            .request_items
            .values()
            .any(|requests| requests.is_empty() || requests.len() > MAX_BATCH_WRITES)
        {
            // DynamoDB shows the whole map, Java-style.
            let shown: Vec<String> = self
                .request_items
                .iter()
                .map(|(table, requests)| {
                    let kinds: Vec<&str> = requests
                        .iter()
                        .map(|r| match r {
                            WriteRequest::PutRequest { .. } => "WriteRequest(PutRequest)",
                            WriteRequest::DeleteRequest { .. } => "WriteRequest(DeleteRequest)",
                        })
                        .collect();
                    format!("{table}=[{}]", kinds.join(", "))
                })
                .collect();
            return Err(super::invalid_member(
                super::Shown::Value(&format!("{{{}}}", shown.join(", "))),
                "requestItems",
                "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]",
            ));
        }
        let total: usize = self.request_items.values().map(Vec::len).sum();
        if total > MAX_BATCH_WRITES {
            return Err(Error::validation(
                "Too many items requested for the BatchWriteItem call",
            ));
        }
        self.request_items
            .keys()
            .try_for_each(|name| super::validate_table_name(name))
    }
}
