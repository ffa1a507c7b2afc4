//! `DescribeTable`.

use crate::schema::TableDescription;
use serde::{Deserialize, Serialize};

/// Input of `DescribeTable`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeTableInput {
    /// The table to describe.
    pub table_name: String,
}

/// Output of `DescribeTable`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeTableOutput {
    /// The table.
    pub table: TableDescription,
}

impl DescribeTableInput {
    /// Checks the table name.
    pub fn validate(&self) -> Result<(), crate::error::Error> {
        super::validate_table_name(&self.table_name)
    }
}
