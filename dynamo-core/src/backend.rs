//! The `Backend` trait: one async method per DynamoDB operation, taking and
//! returning the request model of [`crate::ops`]. The local engine and the
//! AWS SDK adapter implement it; [`crate::Client`] calls it.

use crate::error::Result;
use crate::ops::*;
use async_trait::async_trait;

/// Something that executes DynamoDB operations.
///
/// Implementations must be safe to share across tasks and threads; the
/// [`crate::Client`] holds one behind an `Arc`.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// `CreateTable`.
    async fn create_table(&self, input: CreateTableInput) -> Result<CreateTableOutput>;
    /// `DeleteTable`.
    async fn delete_table(&self, input: DeleteTableInput) -> Result<DeleteTableOutput>;
    /// `DescribeTable`.
    async fn describe_table(&self, input: DescribeTableInput) -> Result<DescribeTableOutput>;
    /// `ListTables`.
    async fn list_tables(&self, input: ListTablesInput) -> Result<ListTablesOutput>;
    /// `UpdateTable`.
    async fn update_table(&self, input: UpdateTableInput) -> Result<UpdateTableOutput>;
    /// `UpdateTimeToLive`.
    async fn update_time_to_live(
        &self,
        input: UpdateTimeToLiveInput,
    ) -> Result<UpdateTimeToLiveOutput>;
    /// `DescribeTimeToLive`.
    async fn describe_time_to_live(
        &self,
        input: DescribeTimeToLiveInput,
    ) -> Result<DescribeTimeToLiveOutput>;
    /// `TagResource`.
    async fn tag_resource(&self, input: TagResourceInput) -> Result<TagsOutput>;
    /// `UntagResource`.
    async fn untag_resource(&self, input: UntagResourceInput) -> Result<TagsOutput>;
    /// `ListTagsOfResource`.
    async fn list_tags_of_resource(
        &self,
        input: ListTagsOfResourceInput,
    ) -> Result<ListTagsOfResourceOutput>;
    /// `PutItem`.
    async fn put_item(&self, input: PutItemInput) -> Result<PutItemOutput>;
    /// `GetItem`.
    async fn get_item(&self, input: GetItemInput) -> Result<GetItemOutput>;
    /// `UpdateItem`.
    async fn update_item(&self, input: UpdateItemInput) -> Result<UpdateItemOutput>;
    /// `DeleteItem`.
    async fn delete_item(&self, input: DeleteItemInput) -> Result<DeleteItemOutput>;
    /// `Query`.
    async fn query(&self, input: QueryInput) -> Result<QueryOutput>;
    /// `Scan`.
    async fn scan(&self, input: ScanInput) -> Result<ScanOutput>;
    /// `BatchGetItem`.
    async fn batch_get_item(&self, input: BatchGetItemInput) -> Result<BatchGetItemOutput>;
    /// `TransactWriteItems`.
    async fn transact_write_items(
        &self,
        input: TransactWriteItemsInput,
    ) -> Result<TransactWriteItemsOutput>;
    /// `TransactGetItems`.
    async fn transact_get_items(
        &self,
        input: TransactGetItemsInput,
    ) -> Result<TransactGetItemsOutput>;
    /// `BatchWriteItem`.
    async fn batch_write_item(&self, input: BatchWriteItemInput) -> Result<BatchWriteItemOutput>;

    /// The DynamoDB Streams this backend serves, if it serves them.
    fn streams(&self) -> Option<&dyn StreamsBackend> {
        None
    }

    /// Waits `duration` before a retry (of unprocessed batch items). The
    /// default returns at once: an engine that never leaves items
    /// unprocessed needs no pause, and the core knows no async runtime.
    async fn pause(&self, duration: std::time::Duration) {
        let _ = duration;
    }
}
