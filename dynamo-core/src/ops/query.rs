//! `Query`.

use super::{ConsumedCapacity, ReturnConsumedCapacity};
use super::{Select, validate_index_name, validate_limit, validate_table_name};
use crate::error::Error;
use crate::expr::KeyCondition;
use crate::value::AttributeMap;
use serde::{Deserialize, Serialize};

/// Input of `Query`.
///
/// The key condition is held as an AST; on the wire it is the
/// `KeyConditionExpression` with its attribute names and values.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryInput {
    /// The table to read.
    pub table_name: String,
    /// Query this index instead of the table.
    pub index_name: Option<String>,
    /// Which partition, and which sort keys in it.
    pub key_condition: KeyCondition,
    /// Ascending sort-key order (the default) or descending.
    pub scan_index_forward: Option<bool>,
    /// Evaluate at most this many items.
    pub limit: Option<i32>,
    /// Continue after this key (a previous page's `LastEvaluatedKey`).
    pub exclusive_start_key: Option<AttributeMap>,
    /// Strongly consistent read.
    pub consistent_read: Option<bool>,
    /// What to return.
    pub select: Option<Select>,
    /// Capacity detail to return.
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// Output of `Query`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct QueryOutput {
    /// Matching items (absent with `Select: COUNT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<AttributeMap>>,
    /// Number of items returned.
    pub count: i32,
    /// Number of items evaluated.
    pub scanned_count: i32,
    /// Key to pass as `ExclusiveStartKey` for the next page, when the query stopped early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_evaluated_key: Option<AttributeMap>,
    /// Capacity consumed, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

impl QueryInput {
    /// A query of `table_name` selecting by `key_condition`.
    pub fn new(table_name: impl Into<String>, key_condition: KeyCondition) -> Self {
        Self {
            table_name: table_name.into(),
            index_name: None,
            key_condition,
            scan_index_forward: None,
            limit: None,
            exclusive_start_key: None,
            consistent_read: None,
            select: None,
            return_consumed_capacity: None,
        }
    }

    /// Checks what DynamoDB checks before looking at the table.
    pub fn validate(&self) -> Result<(), Error> {
        validate_table_name(&self.table_name)?;
        if let Some(index) = &self.index_name {
            validate_index_name(index)?;
        }
        validate_limit(self.limit)
    }
}
