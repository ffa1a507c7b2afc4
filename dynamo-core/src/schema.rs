//! Table definitions as DynamoDB describes them: attribute definitions, key
//! schemas, billing, and the `TableDescription` returned by control-plane
//! operations. Field names serialize exactly as in DynamoDB's JSON.

use serde::{Deserialize, Serialize};

/// The type of a key attribute (`AttributeDefinitions[].AttributeType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScalarAttributeType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
}

impl ScalarAttributeType {
    /// `"S"`, `"N"` or `"B"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::S => "S",
            Self::N => "N",
            Self::B => "B",
        }
    }
}

/// The role of a key attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum KeyType {
    /// The partition key.
    Hash,
    /// The sort key.
    Range,
}

/// One entry of `AttributeDefinitions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttributeDefinition {
    /// The attribute's name.
    pub attribute_name: String,
    /// Its scalar type.
    pub attribute_type: ScalarAttributeType,
}

/// One entry of a `KeySchema`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeySchemaElement {
    /// The key attribute's name.
    pub attribute_name: String,
    /// Whether it is the partition (HASH) or sort (RANGE) key.
    pub key_type: KeyType,
}

impl KeySchemaElement {
    /// A partition-key element.
    pub fn hash(name: impl Into<String>) -> Self {
        Self {
            attribute_name: name.into(),
            key_type: KeyType::Hash,
        }
    }

    /// A sort-key element.
    pub fn range(name: impl Into<String>) -> Self {
        Self {
            attribute_name: name.into(),
            key_type: KeyType::Range,
        }
    }
}

/// How a table is billed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BillingMode {
    /// Provisioned read and write capacity (DynamoDB's default).
    #[default]
    Provisioned,
    /// On-demand.
    PayPerRequest,
}

/// `ProvisionedThroughput` of a table or index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProvisionedThroughput {
    /// Read capacity units.
    pub read_capacity_units: i64,
    /// Write capacity units.
    pub write_capacity_units: i64,
}

/// `ProvisionedThroughput` as a table description reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ProvisionedThroughputDescription {
    /// Read capacity units (0 for on-demand tables).
    pub read_capacity_units: i64,
    /// Write capacity units (0 for on-demand tables).
    pub write_capacity_units: i64,
    /// Decreases made today.
    pub number_of_decreases_today: i64,
}

/// `BillingModeSummary` of a table description.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct BillingModeSummary {
    /// The billing mode in force.
    pub billing_mode: BillingMode,
}

/// A table's lifecycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TableStatus {
    /// Being created.
    Creating,
    /// Being changed.
    Updating,
    /// Being deleted.
    Deleting,
    /// Ready for use.
    Active,
}

/// DynamoDB's `TableDescription`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TableDescription {
    /// The table's name.
    pub table_name: String,
    /// `arn:aws:dynamodb:<region>:<account>:table/<name>`.
    pub table_arn: String,
    /// A unique identifier of this incarnation of the table.
    pub table_id: String,
    /// Lifecycle state.
    pub table_status: TableStatus,
    /// Creation time, in epoch seconds.
    pub creation_date_time: f64,
    /// The attributes used in key schemas.
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// The primary key.
    pub key_schema: Vec<KeySchemaElement>,
    /// Billing mode, when it was set explicitly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_mode_summary: Option<BillingModeSummary>,
    /// Provisioned capacity (zeros for on-demand tables).
    pub provisioned_throughput: ProvisionedThroughputDescription,
    /// Number of items.
    pub item_count: i64,
    /// Total size of the items, in bytes.
    pub table_size_bytes: i64,
}

impl TableDescription {
    /// The partition key's attribute name.
    pub fn partition_key(&self) -> Option<&str> {
        self.key_schema
            .iter()
            .find(|k| k.key_type == KeyType::Hash)
            .map(|k| k.attribute_name.as_str())
    }

    /// The sort key's attribute name, if the table has one.
    pub fn sort_key(&self) -> Option<&str> {
        self.key_schema
            .iter()
            .find(|k| k.key_type == KeyType::Range)
            .map(|k| k.attribute_name.as_str())
    }
}
