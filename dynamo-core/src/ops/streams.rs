//! DynamoDB Streams (`DynamoDBStreams_20120810`): ListStreams,
//! DescribeStream, GetShardIterator and GetRecords, with the shapes of
//! AWS's Streams API, and the [`StreamsBackend`] trait that serves them.
//! Streams are a service of their own in AWS (their own endpoint, SDK crate
//! and target prefix), so they have their own trait rather than more
//! methods on [`crate::Backend`].

use crate::error::Result;
use crate::schema::KeySchemaElement;
use crate::value::AttributeMap;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// What a stream record carries besides the keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StreamViewType {
    /// The item after the change.
    NewImage,
    /// The item before the change.
    OldImage,
    /// Both images.
    NewAndOldImages,
    /// Only the key attributes.
    KeysOnly,
}

/// `StreamSpecification` of CreateTable, UpdateTable and DescribeTable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSpecification {
    /// Whether the table has a stream.
    pub stream_enabled: bool,
    /// What the records carry; required when enabling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_view_type: Option<StreamViewType>,
}

/// A stream's lifecycle state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StreamStatus {
    /// Being enabled.
    Enabling,
    /// Receiving records.
    Enabled,
    /// Being disabled.
    Disabling,
    /// No longer receiving records; readable for 24 hours.
    Disabled,
}

/// Input of `ListStreams`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListStreamsInput {
    /// Only the streams of this table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table_name: Option<String>,
    /// Most streams to return (1 to 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Continue after this stream.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusive_start_stream_arn: Option<String>,
}

/// One stream in `ListStreams`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSummary {
    /// The stream's ARN.
    pub stream_arn: String,
    /// The table it belongs to.
    pub table_name: String,
    /// Its label (a timestamp), unique for the table.
    pub stream_label: String,
}

/// Output of `ListStreams`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListStreamsOutput {
    /// The streams.
    pub streams: Vec<StreamSummary>,
    /// Where the next page starts, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_evaluated_stream_arn: Option<String>,
}

/// Input of `DescribeStream`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeStreamInput {
    /// The stream.
    pub stream_arn: String,
    /// Most shards to return (1 to 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Continue after this shard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusive_start_shard_id: Option<String>,
}

/// The sequence numbers a shard holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SequenceNumberRange {
    /// The first record's sequence number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_sequence_number: Option<String>,
    /// The last record's, once the shard is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ending_sequence_number: Option<String>,
}

/// A shard of a stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Shard {
    /// The shard's id.
    pub shard_id: String,
    /// What it holds.
    pub sequence_number_range: SequenceNumberRange,
    /// The shard it continues, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_shard_id: Option<String>,
}

/// A stream's description.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamDescription {
    /// The stream's ARN.
    pub stream_arn: String,
    /// Its label.
    pub stream_label: String,
    /// Its state.
    pub stream_status: StreamStatus,
    /// What its records carry.
    pub stream_view_type: StreamViewType,
    /// When it was enabled, in epoch seconds.
    pub creation_request_date_time: f64,
    /// The table.
    pub table_name: String,
    /// The table's key schema.
    pub key_schema: Vec<KeySchemaElement>,
    /// The shards.
    pub shards: Vec<Shard>,
    /// Where the next page of shards starts, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_evaluated_shard_id: Option<String>,
}

/// Output of `DescribeStream`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeStreamOutput {
    /// The stream.
    pub stream_description: StreamDescription,
}

/// Where a shard iterator starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ShardIteratorType {
    /// At the given sequence number.
    AtSequenceNumber,
    /// Just after the given sequence number.
    AfterSequenceNumber,
    /// At the oldest record kept.
    TrimHorizon,
    /// After the newest record.
    Latest,
}

/// Input of `GetShardIterator`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetShardIteratorInput {
    /// The stream.
    pub stream_arn: String,
    /// The shard.
    pub shard_id: String,
    /// Where to start.
    pub shard_iterator_type: ShardIteratorType,
    /// For `AT_SEQUENCE_NUMBER` and `AFTER_SEQUENCE_NUMBER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_number: Option<String>,
}

/// Output of `GetShardIterator`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetShardIteratorOutput {
    /// The iterator, valid for 15 minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard_iterator: Option<String>,
}

/// Input of `GetRecords`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetRecordsInput {
    /// Where to read.
    pub shard_iterator: String,
    /// Most records to return (1 to 1000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

/// What happened to the item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OperationType {
    /// A new item.
    Insert,
    /// An item changed.
    Modify,
    /// An item was deleted.
    Remove,
}

/// Who made a change, when it was not a user (TTL deletions).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Identity {
    /// `dynamodb.amazonaws.com` for TTL deletions.
    pub principal_id: String,
    /// `Service` for TTL deletions.
    #[serde(rename = "Type")]
    pub identity_type: String,
}

/// The change a record describes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamRecord {
    /// When the change was committed, in epoch seconds.
    pub approximate_creation_date_time: f64,
    /// The item's key attributes.
    pub keys: AttributeMap,
    /// The item after the change, when the view type includes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_image: Option<AttributeMap>,
    /// The item before the change, when the view type includes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_image: Option<AttributeMap>,
    /// The record's position in its shard.
    pub sequence_number: String,
    /// The size of the record's keys and images, in bytes.
    pub size_bytes: i64,
    /// The stream's view type.
    pub stream_view_type: StreamViewType,
}

/// One record of `GetRecords`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// Unique among the stream's records.
    #[serde(rename = "eventID")]
    pub event_id: String,
    /// INSERT, MODIFY or REMOVE.
    pub event_name: OperationType,
    /// The record format's version.
    pub event_version: String,
    /// `aws:dynamodb`.
    pub event_source: String,
    /// The region of the table.
    pub aws_region: String,
    /// The change.
    pub dynamodb: StreamRecord,
    /// Set for changes DynamoDB made itself (TTL deletions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_identity: Option<Identity>,
}

/// Output of `GetRecords`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetRecordsOutput {
    /// The records, oldest first.
    pub records: Vec<Record>,
    /// Where to read next; absent once a closed shard is read to its end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_shard_iterator: Option<String>,
}

/// Something that serves DynamoDB Streams.
#[async_trait]
pub trait StreamsBackend: Send + Sync + 'static {
    /// `ListStreams`.
    async fn list_streams(&self, input: ListStreamsInput) -> Result<ListStreamsOutput>;
    /// `DescribeStream`.
    async fn describe_stream(&self, input: DescribeStreamInput) -> Result<DescribeStreamOutput>;
    /// `GetShardIterator`.
    async fn get_shard_iterator(
        &self,
        input: GetShardIteratorInput,
    ) -> Result<GetShardIteratorOutput>;
    /// `GetRecords`.
    async fn get_records(&self, input: GetRecordsInput) -> Result<GetRecordsOutput>;
}
