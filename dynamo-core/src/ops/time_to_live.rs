//! `UpdateTimeToLive` and `DescribeTimeToLive`.

use crate::schema::{TimeToLiveDescription, TimeToLiveSpecification};
use serde::{Deserialize, Serialize};

/// Input of `UpdateTimeToLive`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateTimeToLiveInput {
    /// The table.
    pub table_name: String,
    /// Turn expiry on or off, on which attribute.
    pub time_to_live_specification: TimeToLiveSpecification,
}

/// Output of `UpdateTimeToLive`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateTimeToLiveOutput {
    /// The specification now in force.
    pub time_to_live_specification: TimeToLiveSpecification,
}

/// Input of `DescribeTimeToLive`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeTimeToLiveInput {
    /// The table.
    pub table_name: String,
}

/// Output of `DescribeTimeToLive`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeTimeToLiveOutput {
    /// The table's TTL state.
    pub time_to_live_description: TimeToLiveDescription,
}

impl UpdateTimeToLiveInput {
    /// Checks the table name and that an attribute is named.
    pub fn validate(&self) -> Result<(), crate::error::Error> {
        super::validate_table_name(&self.table_name)?;
        if self.time_to_live_specification.attribute_name.is_empty() {
            return Err(super::invalid_member(
                super::Shown::Value(""),
                "timeToLiveSpecification.attributeName",
                "Member must have length greater than or equal to 1",
            ));
        }
        Ok(())
    }
}

impl DescribeTimeToLiveInput {
    /// Checks the table name.
    pub fn validate(&self) -> Result<(), crate::error::Error> {
        super::validate_table_name(&self.table_name)
    }
}
