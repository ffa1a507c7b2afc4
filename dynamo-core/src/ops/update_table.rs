//! `UpdateTable`.

use crate::schema::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, ProvisionedThroughput, TableDescription,
};
use serde::{Deserialize, Serialize};

/// Changes one global secondary index's capacity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateGlobalSecondaryIndexAction {
    /// The index.
    pub index_name: String,
    /// Its new capacity.
    pub provisioned_throughput: ProvisionedThroughput,
}

/// Deletes a global secondary index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteGlobalSecondaryIndexAction {
    /// The index.
    pub index_name: String,
}

/// One element of `GlobalSecondaryIndexUpdates`: exactly one action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSecondaryIndexUpdate {
    /// Create an index (and backfill it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<GlobalSecondaryIndex>,
    /// Change an index's capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<UpdateGlobalSecondaryIndexAction>,
    /// Delete an index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete: Option<DeleteGlobalSecondaryIndexAction>,
}

/// Input of `UpdateTable`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateTableInput {
    /// The table.
    pub table_name: String,
    /// Definitions of the key attributes of indexes being created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_definitions: Option<Vec<AttributeDefinition>>,
    /// A new billing mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_mode: Option<BillingMode>,
    /// New table capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// Index creations, changes and deletions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_secondary_index_updates: Option<Vec<GlobalSecondaryIndexUpdate>>,
    /// Enable or disable the table's stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_specification: Option<super::StreamSpecification>,
}

/// Output of `UpdateTable`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateTableOutput {
    /// The table after the change.
    pub table_description: TableDescription,
}
