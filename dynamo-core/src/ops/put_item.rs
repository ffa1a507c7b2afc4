//! `PutItem`.

use super::{ConsumedCapacity, ReturnConsumedCapacity};
use super::{ReturnValue, validate_table_name};
use crate::error::Error;
use crate::value::AttributeMap;
use serde::{Deserialize, Serialize};

/// Input of `PutItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PutItemInput {
    /// The table to write to.
    pub table_name: String,
    /// The whole item, key attributes included.
    pub item: AttributeMap,
    /// `NONE` or `ALL_OLD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_values: Option<ReturnValue>,
    /// Capacity detail to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// Output of `PutItem`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct PutItemOutput {
    /// The replaced item, with `ReturnValues: ALL_OLD` and when one existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<AttributeMap>,
    /// Capacity consumed, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

impl PutItemInput {
    /// A put of `item` into `table_name`.
    pub fn new(table_name: impl Into<String>, item: AttributeMap) -> Self {
        Self {
            table_name: table_name.into(),
            item,
            return_values: None,
            return_consumed_capacity: None,
        }
    }

    /// Checks what DynamoDB checks before looking at the table.
    pub fn validate(&self) -> Result<(), Error> {
        validate_table_name(&self.table_name)?;
        match self.return_values {
            None | Some(ReturnValue::None | ReturnValue::AllOld) => Ok(()),
            Some(_) => Err(Error::validation(
                "ReturnValues can only be ALL_OLD or NONE",
            )),
        }
    }
}
