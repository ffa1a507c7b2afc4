//! `CreateTable`.

use super::validate_table_name;
use crate::error::Error;
use crate::schema::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ProvisionedThroughput,
    TableDescription,
};
use serde::{Deserialize, Serialize};

/// Input of `CreateTable`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateTableInput {
    /// The new table's name.
    pub table_name: String,
    /// Types of the attributes used in key schemas (exactly those).
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// Partition key, then optionally a sort key.
    pub key_schema: Vec<KeySchemaElement>,
    /// Billing mode; DynamoDB defaults to `PROVISIONED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_mode: Option<BillingMode>,
    /// Capacity, required for `PROVISIONED` tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_throughput: Option<ProvisionedThroughput>,
}

/// Output of `CreateTable`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateTableOutput {
    /// The new table.
    pub table_description: TableDescription,
}

impl CreateTableInput {
    /// An on-demand table keyed by `key_schema`, with `attribute_definitions`
    /// for its key attributes.
    pub fn new(
        table_name: impl Into<String>,
        key_schema: Vec<KeySchemaElement>,
        attribute_definitions: Vec<AttributeDefinition>,
    ) -> Self {
        Self {
            table_name: table_name.into(),
            attribute_definitions,
            key_schema,
            billing_mode: Some(BillingMode::PayPerRequest),
            provisioned_throughput: None,
        }
    }

    /// Checks the request as DynamoDB does before creating anything.
    pub fn validate(&self) -> Result<(), Error> {
        validate_table_name(&self.table_name)?;
        let invalid = |m: &str| {
            Err(Error::Validation(format!(
                "One or more parameter values were invalid: {m}"
            )))
        };
        match self.key_schema.as_slice() {
            [] => {
                return Err(Error::Validation(
                    "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1".into(),
                ));
            }
            [first, rest @ ..] => {
                if first.key_type != KeyType::Hash {
                    return Err(Error::Validation(
                        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"
                            .into(),
                    ));
                }
                match rest {
                    [] => {}
                    [second] if second.key_type != KeyType::Range => {
                        return Err(Error::Validation(
                            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
                                .into(),
                        ));
                    }
                    [second] if second.attribute_name == first.attribute_name => {
                        return Err(Error::Validation(
                            "Both the Hash Key and the Range Key element in the KeySchema have the same name"
                                .into(),
                        ));
                    }
                    [_] => {}
                    _ => {
                        return Err(Error::Validation(
                            "1 validation error detected: Value at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2".into(),
                        ));
                    }
                }
            }
        }
        for key in &self.key_schema {
            if !self
                .attribute_definitions
                .iter()
                .any(|d| d.attribute_name == key.attribute_name)
            {
                return Err(Error::Validation(
                    "Invalid KeySchema: Some index key attribute have no definition".into(),
                ));
            }
        }
        if self.attribute_definitions.len() != self.key_schema.len() {
            return invalid(
                "Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
            );
        }
        match (
            self.billing_mode.unwrap_or_default(),
            &self.provisioned_throughput,
        ) {
            (BillingMode::Provisioned, None) => invalid(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
            ),
            (BillingMode::PayPerRequest, Some(_)) => invalid(
                "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
            ),
            _ => Ok(()),
        }
    }
}
