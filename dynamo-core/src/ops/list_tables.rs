//! `ListTables`.

use crate::error::Error;
use serde::{Deserialize, Serialize};

/// Input of `ListTables`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ListTablesInput {
    /// List names strictly after this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusive_start_table_name: Option<String>,
    /// At most this many names (1 to 100, default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

/// Output of `ListTables`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ListTablesOutput {
    /// Table names in ascending order.
    pub table_names: Vec<String>,
    /// Where the next page starts, when more names remain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_evaluated_table_name: Option<String>,
}

impl ListTablesInput {
    /// Checks `Limit` against DynamoDB's range of 1 to 100.
    pub fn validate(&self) -> Result<(), Error> {
        match self.limit {
            Some(l) if l > 100 => Err(super::invalid_member(
                super::Shown::Value(&l.to_string()),
                "limit",
                "Member must have value less than or equal to 100",
            )),
            limit => super::validate_limit(limit),
        }
    }
}
