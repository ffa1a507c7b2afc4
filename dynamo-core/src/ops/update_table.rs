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

impl UpdateTableInput {
    /// Checks what DynamoDB checks before looking at the table: something
    /// to change, one action per index update, at most one index created
    /// or deleted, capacities, and the names, keys and projections of
    /// indexes created.
    pub fn validate(&self) -> Result<(), crate::error::Error> {
        use crate::error::Error;
        super::validate_table_name(&self.table_name)?;
        let updates = self
            .global_secondary_index_updates
            .as_deref()
            .unwrap_or_default();
        if self.billing_mode.is_none()
            && self.provisioned_throughput.is_none()
            && updates.is_empty()
            && self.stream_specification.is_none()
        {
            return Err(Error::validation(
                "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required",
            ));
        }
        let online = updates
            .iter()
            .filter(|u| u.create.is_some() || u.delete.is_some())
            .count();
        if online > 1 {
            return Err(Error::Service {
                error_type: "LimitExceededException".into(),
                message: "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table".into(),
            });
        }
        for update in updates {
            let actions = usize::from(update.create.is_some())
                + usize::from(update.update.is_some())
                + usize::from(update.delete.is_some());
            if actions != 1 {
                return Err(Error::Validation(format!(
                    "One or more parameter values were invalid: {}",
                    "One of GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Update or GlobalSecondaryIndexUpdate.Delete must be specified"
                )));
            }
        }
        if let Some(throughput) = &self.provisioned_throughput {
            super::validate_throughput(throughput, "provisionedThroughput")?;
        }
        for create in updates.iter().filter_map(|u| u.create.as_ref()) {
            super::validate_index_name(&create.index_name)?;
            super::validate_index_key_schema(
                &create.index_name,
                &create.key_schema,
                super::MAX_GSI_KEY_ATTRIBUTES,
            )?;
            super::validate_projection(&create.projection)?;
        }
        Ok(())
    }
}
