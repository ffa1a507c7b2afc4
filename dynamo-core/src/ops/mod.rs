//! The request and response model of every operation, one module each,
//! named after the DynamoDB operation. Structs serialize with DynamoDB's JSON
//! member names; `validate` methods hold the checks DynamoDB makes before it
//! looks at any table, so they run the same in a client and in the engine.

mod batch_get_item;
mod batch_write_item;
mod capacity;
mod create_table;
mod delete_item;
mod delete_table;
mod describe_table;
mod get_item;
mod legacy;
mod list_tables;
mod put_item;
mod query;
mod scan;
mod streams;
mod tags;
mod time_to_live;
mod transact;
mod update_item;
mod update_table;
mod wire;

pub use batch_get_item::{
    BatchGetItemInput, BatchGetItemOutput, KeysAndAttributes, MAX_BATCH_GET_KEYS,
};
pub use batch_write_item::{
    BatchWriteItemInput, BatchWriteItemOutput, MAX_BATCH_WRITES, WriteRequest,
};
pub use capacity::{Capacity, ConsumedCapacity, ReturnConsumedCapacity};
pub use create_table::{
    CreateTableInput, CreateTableOutput, MAX_GLOBAL_SECONDARY_INDEXES, MAX_GSI_KEY_ATTRIBUTES,
    MAX_LOCAL_SECONDARY_INDEXES, validate_index_key_schema, validate_projection,
};
pub use delete_item::{DeleteItemInput, DeleteItemOutput};
pub use delete_table::{DeleteTableInput, DeleteTableOutput};
pub use describe_table::{DescribeTableInput, DescribeTableOutput};
pub use get_item::{GetItemInput, GetItemOutput};
pub use list_tables::{ListTablesInput, ListTablesOutput};
pub use put_item::{PutItemInput, PutItemOutput};
pub use query::{QueryInput, QueryOutput};
pub use scan::{ScanInput, ScanOutput};
pub use streams::{
    DescribeStreamInput, DescribeStreamOutput, GetRecordsInput, GetRecordsOutput,
    GetShardIteratorInput, GetShardIteratorOutput, Identity, ListStreamsInput, ListStreamsOutput,
    OperationType, Record, SequenceNumberRange, Shard, ShardIteratorType, StreamDescription,
    StreamRecord, StreamSpecification, StreamStatus, StreamSummary, StreamViewType, StreamsBackend,
};
pub use tags::{
    ListTagsOfResourceInput, ListTagsOfResourceOutput, Tag, TagResourceInput, TagsOutput,
    UntagResourceInput, table_name_of_arn,
};
pub use time_to_live::{
    DescribeTimeToLiveInput, DescribeTimeToLiveOutput, UpdateTimeToLiveInput,
    UpdateTimeToLiveOutput,
};
pub use transact::{
    ItemResponse, MAX_TRANSACT_ITEMS, TransactGetItem, TransactGetItemsInput,
    TransactGetItemsOutput, TransactWriteItem, TransactWriteItemsInput, TransactWriteItemsOutput,
};
pub use update_item::{UpdateItemInput, UpdateItemOutput};
pub use update_table::{
    DeleteGlobalSecondaryIndexAction, GlobalSecondaryIndexUpdate, UpdateGlobalSecondaryIndexAction,
    UpdateTableInput, UpdateTableOutput,
};

use crate::error::Error;
use serde::{Deserialize, Serialize};

/// An operation's input that can be checked before it is sent: the checks
/// DynamoDB makes before it looks at any table. Every input of
/// [`crate::Backend`] has one; the typed [`crate::Client`] runs it before
/// any backend sees the request, and the engine starts each operation
/// with it, so both fail the same way.
pub trait Validate {
    /// DynamoDB's ValidationException (type and text) for an invalid
    /// request.
    fn validate(&self) -> Result<(), Error>;
}

macro_rules! validated {
    ($($input:ty),* $(,)?) => {
        $(impl Validate for $input {
            fn validate(&self) -> Result<(), Error> {
                <$input>::validate(self)
            }
        })*
    };
}

validated!(
    CreateTableInput,
    DeleteTableInput,
    DescribeTableInput,
    ListTablesInput,
    UpdateTableInput,
    UpdateTimeToLiveInput,
    DescribeTimeToLiveInput,
    TagResourceInput,
    UntagResourceInput,
    ListTagsOfResourceInput,
    PutItemInput,
    GetItemInput,
    UpdateItemInput,
    DeleteItemInput,
    QueryInput,
    ScanInput,
    BatchGetItemInput,
    BatchWriteItemInput,
    TransactWriteItemsInput,
    TransactGetItemsInput,
);

/// `ReturnValues`: which item image a write returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReturnValue {
    // Declared in the order DynamoDB lists them in validation messages.
    /// The whole item after the write (UpdateItem only).
    AllNew,
    /// The updated attributes as they were before (UpdateItem only).
    UpdatedOld,
    /// The whole item as it was before the write.
    AllOld,
    /// Nothing (the default).
    #[default]
    None,
    /// The updated attributes after the write (UpdateItem only).
    UpdatedNew,
}

/// `ReturnValuesOnConditionCheckFailure`: whether a failed condition
/// returns the item as it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReturnValuesOnConditionCheckFailure {
    /// Nothing (the default).
    #[default]
    None,
    /// The whole item.
    AllOld,
}

/// `ReturnItemCollectionMetrics`: whether a write on a table with local
/// secondary indexes reports the size of the item's collection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReturnItemCollectionMetrics {
    /// Report the size.
    Size,
    /// Nothing (the default).
    #[default]
    None,
}

/// `ItemCollectionMetrics`: the estimated size of an item collection (all
/// items sharing a partition key, with their local index entries).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemCollectionMetrics {
    /// The partition key of the collection.
    pub item_collection_key: crate::value::AttributeMap,
    /// Lower and upper bound of the size, in GB.
    #[serde(rename = "SizeEstimateRangeGB")]
    pub size_estimate_range_gb: Vec<f64>,
}

/// `Select`: what a Query or Scan returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Select {
    // Declared in the order DynamoDB lists them in validation messages.
    /// The attributes named by the projection expression.
    SpecificAttributes,
    /// Only `Count` and `ScannedCount`, no items.
    Count,
    /// Every attribute of each item.
    AllAttributes,
    /// Every attribute projected into the index.
    AllProjectedAttributes,
}

/// How a model-constraint violation shows the value it found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown<'a> {
    /// `Value '<text>' at ...`.
    Value(&'a str),
    /// `Value null at ...`: a required member is absent.
    Null,
    /// `Value at ...`: DynamoDB leaves the value out (list lengths).
    Omitted,
}

/// One model-constraint violation in DynamoDB's words: `Value '<value>'
/// at '<member>' failed to satisfy constraint: <constraint>`.
pub fn violation(value: Shown<'_>, member: &str, constraint: &str) -> String {
    let value = match value {
        Shown::Value(text) => format!(" '{text}'"),
        Shown::Null => " null".to_owned(),
        Shown::Omitted => String::new(),
    };
    format!("Value{value} at '{member}' failed to satisfy constraint: {constraint}")
}

/// DynamoDB's ValidationException for model-constraint violations (at
/// least one): `1 validation error detected: <violation>`, or `N
/// validation errors detected: <v1>; <v2>; ...`. The one place that
/// spells this message.
pub fn validation_errors(violations: &[String]) -> Error {
    match violations {
        [one] => Error::Validation(format!("1 validation error detected: {one}")),
        many => Error::Validation(format!(
            "{} validation errors detected: {}",
            many.len(),
            many.join("; ")
        )),
    }
}

/// A ValidationException for one violated constraint; see [`violation`].
pub fn invalid_member(value: Shown<'_>, member: &str, constraint: &str) -> Error {
    validation_errors(&[violation(value, member, constraint)])
}

/// Checks the `TableName` of a request on an existing table, with
/// DynamoDB's message. These members also accept a table ARN, so the model
/// asks only for 1 to 1024 characters; a name that is too short for a table
/// simply names none.
pub fn validate_table_name(name: &str) -> Result<(), Error> {
    let constraint = if name.is_empty() {
        "Member must have length greater than or equal to 1"
    } else if name.len() > 1024 {
        "Member must have length less than or equal to 1024"
    } else if name.len() > 255 && !name.starts_with("arn:") {
        // Only an ARN may be longer than a table name.
        "Member must have length less than or equal to 255"
    } else if !name.starts_with("arn:")
        && !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    } else {
        return Ok(());
    };
    Err(invalid_member(Shown::Value(name), "tableName", constraint))
}

/// Checks the name of a table being created (3 to 255 characters of
/// `[a-zA-Z0-9_.-]`), with DynamoDB's message.
pub fn validate_new_table_name(name: &str) -> Result<(), Error> {
    validate_name(name, "tableName")
}

/// Checks an index name the same way as a table name.
pub fn validate_index_name(name: &str) -> Result<(), Error> {
    validate_name(name, "indexName")
}

pub(crate) fn validate_name(name: &str, member: &str) -> Result<(), Error> {
    let constraint = if name.len() < 3 {
        "Member must have length greater than or equal to 3"
    } else if name.len() > 255 {
        "Member must have length less than or equal to 255"
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    } else {
        return Ok(());
    };
    Err(invalid_member(Shown::Value(name), member, constraint))
}

/// Checks provisioned capacity values (at least 1 each), reporting every
/// violation at `member` (`provisionedThroughput`, ...).
pub fn validate_throughput(
    throughput: &crate::schema::ProvisionedThroughput,
    member: &str,
) -> Result<(), Error> {
    let mut violations = Vec::new();
    for (name, value) in [
        ("readCapacityUnits", throughput.read_capacity_units),
        ("writeCapacityUnits", throughput.write_capacity_units),
    ] {
        if value < 1 {
            violations.push(violation(
                Shown::Value(&value.to_string()),
                &format!("{member}.{name}"),
                "Member must have value greater than or equal to 1",
            ));
        }
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(validation_errors(&violations))
    }
}

/// Checks DynamoDB's operator and path-depth limits on a request's
/// optional condition (of parameter `kind`), update and projection.
pub(crate) fn check_expression_limits(
    condition: Option<(&crate::expr::Condition, crate::expr::ExpressionKind)>,
    update: Option<&crate::expr::Update>,
    projection: Option<&crate::expr::Projection>,
) -> Result<(), Error> {
    if let Some((condition, kind)) = condition {
        condition.check_limits(kind)?;
    }
    if let Some(update) = update {
        update.check_limits()?;
    }
    if let Some(projection) = projection {
        projection.check_limits()?;
    }
    Ok(())
}

/// Checks that `Limit` is at least 1, with DynamoDB's message.
pub(crate) fn validate_limit(limit: Option<i32>) -> Result<(), Error> {
    match limit {
        Some(l) if l < 1 => Err(invalid_member(
            Shown::Value(&l.to_string()),
            "limit",
            "Member must have value greater than or equal to 1",
        )),
        _ => Ok(()),
    }
}
