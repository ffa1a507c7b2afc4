//! `GetItem`.

use super::validate_table_name;
use super::{ConsumedCapacity, ReturnConsumedCapacity};
use crate::error::Error;
use crate::value::AttributeMap;
use serde::{Deserialize, Serialize};

/// Input of `GetItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetItemInput {
    /// The table to read.
    pub table_name: String,
    /// The item's full primary key.
    pub key: AttributeMap,
    /// Strongly consistent read; DynamoDB defaults to eventual consistency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistent_read: Option<bool>,
    /// Capacity detail to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// Output of `GetItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct GetItemOutput {
    /// The item, absent when no item has the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<AttributeMap>,
    /// Capacity consumed, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

impl GetItemInput {
    /// A read of the item with `key`.
    pub fn new(table_name: impl Into<String>, key: AttributeMap) -> Self {
        Self {
            table_name: table_name.into(),
            key,
            consistent_read: None,
            return_consumed_capacity: None,
        }
    }

    /// Checks what DynamoDB checks before looking at the table.
    pub fn validate(&self) -> Result<(), Error> {
        validate_table_name(&self.table_name)
    }
}
