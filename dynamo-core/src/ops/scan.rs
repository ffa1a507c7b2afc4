//! `Scan`.

use super::{ConsumedCapacity, ReturnConsumedCapacity};
use super::{Select, validate_index_name, validate_limit, validate_table_name};
use crate::error::Error;
use crate::value::AttributeMap;
use serde::{Deserialize, Serialize};

/// Input of `Scan`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ScanInput {
    /// The table to read.
    pub table_name: String,
    /// Scan this index instead of the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_name: Option<String>,
    /// Evaluate at most this many items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Continue after this key (a previous page's `LastEvaluatedKey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusive_start_key: Option<AttributeMap>,
    /// Strongly consistent read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistent_read: Option<bool>,
    /// What to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub select: Option<Select>,
    /// This worker's segment of a parallel scan (0-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<i32>,
    /// Number of segments of a parallel scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_segments: Option<i32>,
    /// Capacity detail to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_consumed_capacity: Option<ReturnConsumedCapacity>,
}

/// Output of `Scan`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ScanOutput {
    /// Matching items (absent with `Select: COUNT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<AttributeMap>>,
    /// Number of items returned.
    pub count: i32,
    /// Number of items evaluated.
    pub scanned_count: i32,
    /// Key to pass as `ExclusiveStartKey` for the next page, when the scan stopped early.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_evaluated_key: Option<AttributeMap>,
    /// Capacity consumed, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

impl ScanInput {
    /// A scan of the whole of `table_name`.
    pub fn new(table_name: impl Into<String>) -> Self {
        Self {
            table_name: table_name.into(),
            ..Self::default()
        }
    }

    /// Checks what DynamoDB checks before looking at the table.
    pub fn validate(&self) -> Result<(), Error> {
        validate_table_name(&self.table_name)?;
        if let Some(index) = &self.index_name {
            validate_index_name(index)?;
        }
        validate_limit(self.limit)?;
        let range_error = |member: &str, value: i32, bound: &str| {
            Err(Error::Validation(format!(
                "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value {bound}"
            )))
        };
        match (self.segment, self.total_segments) {
            (Some(_), None) => Err(Error::validation(
                "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
            )),
            (None, Some(_)) => Err(Error::validation(
                "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
            )),
            (_, Some(t)) if t < 1 => range_error("totalSegments", t, "greater than or equal to 1"),
            (_, Some(t)) if t > 1_000_000 => {
                range_error("totalSegments", t, "less than or equal to 1000000")
            }
            (Some(s), _) if s < 0 => range_error("segment", s, "greater than or equal to 0"),
            (Some(s), Some(t)) if s >= t => Err(Error::Validation(format!(
                "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {s} is not less than TotalSegments: {t}"
            ))),
            _ => Ok(()),
        }
    }
}
