//! `DeleteTable`.

use crate::schema::TableDescription;
use serde::{Deserialize, Serialize};

/// Input of `DeleteTable`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteTableInput {
    /// The table to delete.
    pub table_name: String,
}

/// Output of `DeleteTable`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteTableOutput {
    /// The table as it was, with status `DELETING`.
    pub table_description: TableDescription,
}

impl DeleteTableInput {
    /// Checks the table name.
    pub fn validate(&self) -> Result<(), crate::error::Error> {
        super::validate_table_name(&self.table_name)
    }
}
