//! Table definitions as DynamoDB describes them: attribute definitions, key
//! schemas, billing, and the `TableDescription` returned by control-plane
//! operations. Field names serialize exactly as in DynamoDB's JSON.

use serde::{Deserialize, Serialize};

/// The type of a key attribute (`AttributeDefinitions[].AttributeType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ScalarAttributeType {
    // Declared in the order DynamoDB lists them in validation messages.
    /// Binary.
    B,
    /// Number.
    N,
    /// String.
    S,
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
    /// Its encryption key is inaccessible.
    InaccessibleEncryptionCredentials,
    /// Being archived.
    Archiving,
    /// Archived.
    Archived,
    /// A replica is not authorized.
    ReplicationNotAuthorized,
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
    /// The table's global secondary indexes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_secondary_indexes: Option<Vec<GlobalSecondaryIndexDescription>>,
    /// The table's local secondary indexes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_secondary_indexes: Option<Vec<LocalSecondaryIndexDescription>>,
    /// The enabled stream's settings (absent when no stream is enabled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_specification: Option<crate::ops::StreamSpecification>,
    /// The ARN of the newest stream, enabled or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_stream_arn: Option<String>,
    /// The label of the newest stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_stream_label: Option<String>,
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

/// Which attributes an index stores besides the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProjectionType {
    /// Every attribute.
    All,
    /// Only the table and index key attributes.
    KeysOnly,
    /// The keys plus `NonKeyAttributes`.
    Include,
}

/// An index's `Projection`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Projection {
    /// What the index stores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projection_type: Option<ProjectionType>,
    /// The extra attributes of an `INCLUDE` projection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub non_key_attributes: Option<Vec<String>>,
}

impl Projection {
    /// A projection of every attribute.
    pub fn all() -> Self {
        Self {
            projection_type: Some(ProjectionType::All),
            non_key_attributes: None,
        }
    }

    /// A projection of the keys only.
    pub fn keys_only() -> Self {
        Self {
            projection_type: Some(ProjectionType::KeysOnly),
            non_key_attributes: None,
        }
    }

    /// A projection of the keys and `attributes`.
    pub fn include<S: Into<String>>(attributes: impl IntoIterator<Item = S>) -> Self {
        Self {
            projection_type: Some(ProjectionType::Include),
            non_key_attributes: Some(attributes.into_iter().map(Into::into).collect()),
        }
    }
}

/// A global secondary index of a `CreateTable` request or an index creation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSecondaryIndex {
    /// The index's name.
    pub index_name: String,
    /// Its key: one to four HASH elements, then up to four RANGE elements.
    pub key_schema: Vec<KeySchemaElement>,
    /// What it stores.
    pub projection: Projection,
    /// Its capacity, for provisioned tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned_throughput: Option<ProvisionedThroughput>,
}

/// A local secondary index of a `CreateTable` request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LocalSecondaryIndex {
    /// The index's name.
    pub index_name: String,
    /// Its key: the table's partition key and another sort key.
    pub key_schema: Vec<KeySchemaElement>,
    /// What it stores.
    pub projection: Projection,
}

/// A secondary index's lifecycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IndexStatus {
    /// Being created (and backfilled).
    Creating,
    /// Being changed.
    Updating,
    /// Being deleted.
    Deleting,
    /// Ready for use.
    Active,
}

/// A global secondary index as a table description reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GlobalSecondaryIndexDescription {
    /// The index's name.
    pub index_name: String,
    /// Its key.
    pub key_schema: Vec<KeySchemaElement>,
    /// What it stores.
    pub projection: Projection,
    /// Lifecycle state.
    pub index_status: IndexStatus,
    /// Whether existing items are still being added to a new index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backfilling: Option<bool>,
    /// Provisioned capacity (zeros for on-demand tables).
    pub provisioned_throughput: ProvisionedThroughputDescription,
    /// Total size of the index entries, in bytes.
    pub index_size_bytes: i64,
    /// Number of index entries.
    pub item_count: i64,
    /// `<table ARN>/index/<name>`.
    pub index_arn: String,
}

/// A local secondary index as a table description reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LocalSecondaryIndexDescription {
    /// The index's name.
    pub index_name: String,
    /// Its key.
    pub key_schema: Vec<KeySchemaElement>,
    /// What it stores.
    pub projection: Projection,
    /// Total size of the index entries, in bytes.
    pub index_size_bytes: i64,
    /// Number of index entries.
    pub item_count: i64,
    /// `<table ARN>/index/<name>`.
    pub index_arn: String,
}

/// `TimeToLiveSpecification`: which attribute holds expiry times.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLiveSpecification {
    /// Turn expiry on or off.
    pub enabled: bool,
    /// The attribute holding epoch seconds.
    pub attribute_name: String,
}

/// A table's TTL state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TimeToLiveStatus {
    /// Being turned on.
    Enabling,
    /// Being turned off.
    Disabling,
    /// On.
    Enabled,
    /// Off.
    Disabled,
}

/// `TimeToLiveDescription`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLiveDescription {
    /// TTL state.
    pub time_to_live_status: TimeToLiveStatus,
    /// The expiry attribute, when TTL is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
}
