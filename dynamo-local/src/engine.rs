//! The engine: a catalog of tables and the `Backend` implementation that
//! dispatches each operation to its executor in `exec`.

use crate::exec;
use crate::table::Table;
use async_trait::async_trait;
use dynamo_core::ops::*;
use dynamo_core::{Backend, Error, Result};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// An in-process DynamoDB-compatible engine holding its data in memory.
///
/// Safe to share across tasks and threads; clone a [`dynamo_core::Client`]
/// built on it rather than the engine itself.
pub struct Engine {
    catalog: RwLock<BTreeMap<String, Arc<Table>>>,
    region: String,
    account_id: String,
    next_id: AtomicU64,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// An empty engine for region `us-east-1`, account `000000000000`.
    pub fn new() -> Self {
        Self {
            catalog: RwLock::new(BTreeMap::new()),
            region: "us-east-1".to_owned(),
            account_id: "000000000000".to_owned(),
            next_id: AtomicU64::new(1),
        }
    }

    pub(crate) fn region(&self) -> &str {
        &self.region
    }

    pub(crate) fn account_id(&self) -> &str {
        &self.account_id
    }

    /// A fresh identifier, unique within this engine.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn catalog(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<Table>>> {
        // The catalog is only ever changed by single insert/remove calls.
        self.catalog.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn catalog_mut(
        &self,
    ) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Arc<Table>>> {
        self.catalog.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The table named `name`, for data-plane operations.
    pub(crate) fn table(&self, name: &str) -> Result<Arc<Table>> {
        self.catalog()
            .get(name)
            .cloned()
            .ok_or_else(|| Error::ResourceNotFound("Requested resource not found".to_owned()))
    }
}

#[async_trait]
impl Backend for Engine {
    async fn create_table(&self, input: CreateTableInput) -> Result<CreateTableOutput> {
        exec::tables::create_table(self, input)
    }

    async fn delete_table(&self, input: DeleteTableInput) -> Result<DeleteTableOutput> {
        exec::tables::delete_table(self, input)
    }

    async fn describe_table(&self, input: DescribeTableInput) -> Result<DescribeTableOutput> {
        exec::tables::describe_table(self, input)
    }

    async fn list_tables(&self, input: ListTablesInput) -> Result<ListTablesOutput> {
        exec::tables::list_tables(self, input)
    }

    async fn put_item(&self, input: PutItemInput) -> Result<PutItemOutput> {
        exec::put_item::put_item(self, input)
    }

    async fn get_item(&self, input: GetItemInput) -> Result<GetItemOutput> {
        exec::get_item::get_item(self, input)
    }

    async fn delete_item(&self, input: DeleteItemInput) -> Result<DeleteItemOutput> {
        exec::delete_item::delete_item(self, input)
    }

    async fn query(&self, input: QueryInput) -> Result<QueryOutput> {
        exec::query::query(self, input)
    }

    async fn scan(&self, input: ScanInput) -> Result<ScanOutput> {
        exec::scan::scan(self, input)
    }
}
