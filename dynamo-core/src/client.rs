//! `Client`: the typed front door. It turns calls on derived items into
//! requests of the [`crate::ops`] model and hands them to a [`Backend`]
//! through one retrying layer (module `retry`: every request a client
//! sends is retried by its [`RetryPolicy`], and only there).
//! Builders are awaited directly (`db.get(key).consistent().await`).

use crate::backend::Backend;
use crate::error::{Error, Result, UndecodableItem};
use crate::item::{
    AttributeError, Collection, IndexKind, IndexSchema, Item, Key, KeyAttributeSchema, TableSchema,
};
use crate::ops::*;
use crate::schema::{
    AttributeDefinition, GlobalSecondaryIndex, LocalSecondaryIndex, Projection, TableDescription,
    TimeToLiveSpecification,
};
use crate::value::AttributeMap;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

mod batch;
mod changes;
mod find;
mod key_query;
mod read;
mod retry;
mod transaction;
mod write;

pub use changes::{Change, ChangeKind, ChangeStream, Changes, Origin, SequenceNumber};
pub use key_query::KeyQuery;
pub use read::{Cursor, CursorError, Lenient, LenientQuery, Page, Query, QueryStream};
pub use retry::{RetryPolicy, RetryStats};
pub use transaction::Transaction;
pub use write::{Delete, InTransaction, Put, Update};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A connection to DynamoDB or to the local engine. Cheap to clone; clones
/// share their [`RetryStats`].
///
/// Every request goes through the client's [`RetryPolicy`]
/// ([`RetryPolicy::default`] unless [`Client::with_retry_policy`] sets
/// another), and reads that do not choose use the client's
/// [`Consistency`] (eventual unless [`Client::with_consistency`] says).
///
/// ```
/// # async fn f(backend: impl dynamo_core::Backend) {
/// use dynamo_core::{Client, Consistency, RetryPolicy};
/// let db = Client::new(backend)
///     .with_retry_policy(RetryPolicy::default().max_attempts(6).retry_conflicts())
///     .with_consistency(Consistency::Strong);
/// assert_eq!(db.retry_stats().retries, 0);
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    /// The backend, reached only through the retries.
    backend: Arc<retry::Retrying>,
    consistency: Consistency,
}

/// Which state a read sees: DynamoDB's `ConsistentRead`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Consistency {
    /// An eventually consistent read (`ConsistentRead` unset): it may miss
    /// the latest writes, costs half, and is the only kind a global
    /// secondary index serves. DynamoDB's default.
    #[default]
    Eventual,
    /// A strongly consistent read (`ConsistentRead: true`): it sees every
    /// write that succeeded before it.
    Strong,
}

impl Consistency {
    /// The `ConsistentRead` member a request carries: set only when strong,
    /// so an eventual read sends what DynamoDB's default is.
    pub(crate) fn consistent_read(self) -> Option<bool> {
        (self == Self::Strong).then_some(true)
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("retry_policy", self.backend.policy())
            .field("consistency", &self.consistency)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client over `backend`.
    pub fn new(backend: impl Backend) -> Self {
        Self::from_arc(Arc::new(backend))
    }

    /// A client over a shared backend.
    pub fn from_arc(backend: Arc<dyn Backend>) -> Self {
        Self {
            backend: Arc::new(retry::Retrying::new(
                backend,
                RetryPolicy::default(),
                Arc::default(),
            )),
            consistency: Consistency::default(),
        }
    }

    /// This client retrying by `policy` (its clones and it keep sharing
    /// their [`RetryStats`]).
    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        let backend = self.backend.inner().clone();
        let stats = self.backend.stats().clone();
        self.backend = Arc::new(retry::Retrying::new(backend, policy, stats));
        self
    }

    /// This client reading with `consistency` wherever a read does not
    /// choose (`.consistent()`, `.eventual()`). A query of a global
    /// secondary index stays eventually consistent: that is all one serves.
    pub fn with_consistency(mut self, consistency: Consistency) -> Self {
        self.consistency = consistency;
        self
    }

    /// The consistency of reads that do not choose one.
    pub fn consistency(&self) -> Consistency {
        self.consistency
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        self.backend.policy()
    }

    /// What the retries did so far, over this client and its clones.
    pub fn retry_stats(&self) -> RetryStats {
        self.backend.snapshot()
    }

    /// The backend, for calling operations with the raw request model.
    /// Calls made on it directly are not retried; see [`Client::retrying`].
    pub fn backend(&self) -> &dyn Backend {
        &**self.backend.inner()
    }

    /// The backend behind this client's retry policy: operations called on
    /// it with the raw request model are retried (and counted) like the
    /// typed client's own.
    pub fn retrying(&self) -> &dyn Backend {
        &*self.backend
    }

    /// Creates the table `T` is declared to live in (on-demand billing),
    /// with the secondary indexes `T` declares (projecting all attributes),
    /// and turns on TTL when `T` has a `#[dynamo(ttl)]` field.
    pub async fn create_table<T: Item>(&self) -> Result<TableDescription> {
        self.create_table_of(&[T::SCHEMA]).await
    }

    /// Creates the table shared by the member types of the collection `C`,
    /// with every index any of them declares: the way to create a
    /// single-table design. Members must agree on the table's key and on
    /// the key attributes of an index they both declare.
    pub async fn create_collection_table<C: Collection>(&self) -> Result<TableDescription> {
        self.create_table_of(C::MEMBERS).await
    }

    async fn create_table_of(&self, schemas: &[TableSchema]) -> Result<TableDescription> {
        let (input, ttl) = create_table_input(schemas)?;
        let table_name = input.table_name.clone();
        let description = self.backend.create_table(input).await?.table_description;
        if let Some(ttl) = ttl {
            self.backend
                .update_time_to_live(UpdateTimeToLiveInput {
                    table_name,
                    time_to_live_specification: TimeToLiveSpecification {
                        enabled: true,
                        attribute_name: ttl.to_owned(),
                    },
                })
                .await?;
        }
        Ok(description)
    }

    /// Deletes the table `T` lives in, with all its items.
    pub async fn delete_table<T: Item>(&self) -> Result<TableDescription> {
        let input = DeleteTableInput {
            table_name: T::SCHEMA.table_name.to_owned(),
        };
        Ok(self.backend.delete_table(input).await?.table_description)
    }

    /// Writes `item`, replacing any item with the same key. Maintains the
    /// type's lifecycle attributes: a `#[dynamo(version)]` field makes the
    /// write conditional on the stored version (0 for a new item) and
    /// stores the next one; `updated_at` is set to now, `created_at` to now
    /// when unset.
    pub fn put<'a, T: Item>(&'a self, item: &'a T) -> Put<'a, T> {
        Put::new(self, item)
    }

    /// Changes some attributes of the existing item with `key`. The update
    /// conditions on the item's existence: on a missing item it fails with
    /// [`Error::ItemNotFound`] and writes nothing, since an item holding
    /// only the key and the attributes set could not be read back as a
    /// `T`. To create the item when it is missing, use [`Client::upsert`].
    pub fn update<T: Item>(&self, key: Key<T>) -> Update<'_, T> {
        Update::new(self, key)
    }

    /// Updates the item with `item`'s key, creating it when missing: the
    /// actions added apply to the stored item, or to `item` when there is
    /// none (every attribute of `item` the update does not set is written
    /// with `if_not_exists`, so an existing item keeps its own). Taking a
    /// whole `T` is what makes every required field set, checked by the
    /// compiler.
    ///
    /// ```ignore
    /// // A page's counter, created at 1 on its first hit.
    /// db.upsert(&Counter { page: "home".into(), hits: 0 })
    ///     .add(Counter::HITS, 1u64)
    ///     .await?;
    /// ```
    pub fn upsert<'a, T: Item>(&'a self, item: &T) -> Update<'a, T> {
        Update::upsert(self, item)
    }

    /// Reads the item with `key`; `None` when there is none.
    pub fn get<T: Item>(&self, key: Key<T>) -> Get<'_, T> {
        Get {
            client: self,
            key,
            consistency: None,
        }
    }

    /// Whether an item with `key` exists, read with the client's
    /// [`Consistency`]. Reads only the partition key attribute (a
    /// projection), so a stored item `T` could not decode still counts.
    pub async fn exists<T: Item>(&self, key: Key<T>) -> Result<bool> {
        let mut input = GetItemInput::new(T::SCHEMA.table_name, key.into_attributes());
        input.consistent_read = self.consistency.consistent_read();
        input.projection = Some(crate::expr::Projection {
            paths: vec![crate::expr::Path::attribute(T::SCHEMA.partition_key.name)],
        });
        Ok(self.backend.get_item(input).await?.item.is_some())
    }

    /// Deletes the item with `key`, if there is one.
    pub fn delete<T: Item>(&self, key: Key<T>) -> Delete<'_, T> {
        Delete::new(self, key)
    }
}

/// A pending `get`; await it.
#[must_use = "a get does nothing until it is awaited"]
pub struct Get<'a, T> {
    client: &'a Client,
    key: Key<T>,
    /// `None`: the client's default.
    consistency: Option<Consistency>,
}

impl<T> Get<'_, T> {
    /// Read with strong consistency (DynamoDB's default is eventual).
    pub fn consistent(self) -> Self {
        self.consistency(Consistency::Strong)
    }

    /// Read with eventual consistency, whatever the client's default.
    pub fn eventual(self) -> Self {
        self.consistency(Consistency::Eventual)
    }

    /// Read with `consistency`.
    pub fn consistency(mut self, consistency: Consistency) -> Self {
        self.consistency = Some(consistency);
        self
    }
}

impl<'a, T: Item + Send + 'a> IntoFuture for Get<'a, T> {
    type Output = Result<Option<T>>;
    type IntoFuture = BoxFuture<'a, Result<Option<T>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut input = GetItemInput::new(T::SCHEMA.table_name, self.key.into_attributes());
            input.consistent_read = self
                .consistency
                .unwrap_or(self.client.consistency)
                .consistent_read();
            let output = self.client.backend.get_item(input).await?;
            output.item.map(decode::<T>).transpose()
        })
    }
}

/// Reads a stored item as `T`; an item `T` cannot read is
/// [`Error::Undecodable`], naming the table, the key and the attribute.
pub(crate) fn decode<T: Item>(item: AttributeMap) -> Result<T> {
    decode_with(&T::SCHEMA, item, T::from_item)
}

/// Reads a stored item of a table of `schema` with `read`; see [`decode`].
pub(crate) fn decode_with<R>(
    schema: &TableSchema,
    item: AttributeMap,
    read: impl FnOnce(AttributeMap) -> std::result::Result<R, AttributeError>,
) -> Result<R> {
    // The key is copied before `read` consumes the item: the error names it.
    let key = key_of(schema, &item);
    read(item).map_err(|source| {
        Error::Undecodable(Box::new(UndecodableItem {
            table: schema.table_name.to_owned(),
            key,
            source,
        }))
    })
}

/// The primary key attributes of `item` (those it has).
pub(crate) fn key_of(schema: &TableSchema, item: &AttributeMap) -> AttributeMap {
    std::iter::once(schema.partition_key.name)
        .chain(schema.sort_key.map(|k| k.name))
        .filter_map(|name| item.get(name).map(|v| (name.to_owned(), v.clone())))
        .collect()
}

/// The `CreateTable` request for a table holding items of every schema in
/// `schemas`, and the TTL attribute to turn on.
fn create_table_input(schemas: &[TableSchema]) -> Result<(CreateTableInput, Option<&'static str>)> {
    let Some(first) = schemas.first() else {
        return Err(Error::validation("a table needs at least one item type"));
    };
    let conflict = |what: String| {
        Err(Error::validation(format!(
            "the item types of table `{}` disagree: {what}",
            first.table_name
        )))
    };
    let key_eq = |a: &KeyAttributeSchema, b: &KeyAttributeSchema| {
        a.name == b.name && a.scalar_type == b.scalar_type
    };
    let mut definitions: Vec<AttributeDefinition> = Vec::new();
    let mut indexes: Vec<IndexSchema> = Vec::new();
    let mut ttl: Option<&'static str> = None;
    for schema in schemas {
        if schema.table_name != first.table_name {
            return conflict(format!("one lives in table `{}`", schema.table_name));
        }
        let same_sort = match (schema.sort_key, first.sort_key) {
            (Some(a), Some(b)) => key_eq(&a, &b),
            (None, None) => true,
            _ => false,
        };
        if !key_eq(&schema.partition_key, &first.partition_key) || !same_sort {
            return conflict("their primary keys are different attributes".to_owned());
        }
        for definition in schema.attribute_definitions() {
            match definitions
                .iter()
                .find(|d| d.attribute_name == definition.attribute_name)
            {
                Some(d) if d.attribute_type != definition.attribute_type => {
                    return conflict(format!(
                        "key attribute `{}` has two types",
                        d.attribute_name
                    ));
                }
                Some(_) => {}
                None => definitions.push(definition),
            }
        }
        for index in schema.indexes {
            match indexes.iter().find(|i| i.name == index.name) {
                Some(known) => {
                    let same_sort = match (known.sort_key, index.sort_key) {
                        (Some(a), Some(b)) => key_eq(&a, &b),
                        (None, None) => true,
                        _ => false,
                    };
                    if known.kind != index.kind
                        || !key_eq(&known.partition_key, &index.partition_key)
                        || !same_sort
                    {
                        return conflict(format!(
                            "index `{}` is declared with different keys",
                            index.name
                        ));
                    }
                }
                None => indexes.push(*index),
            }
        }
        match (ttl, schema.lifecycle.ttl) {
            (Some(a), Some(b)) if a != b => {
                return conflict(format!("TTL attributes `{a}` and `{b}`"));
            }
            (None, Some(b)) => ttl = Some(b),
            _ => {}
        }
    }
    let mut input = CreateTableInput::new(first.table_name, first.key_schema(), definitions);
    let index_keys = IndexSchema::key_schema;
    let global: Vec<_> = indexes
        .iter()
        .filter(|i| i.kind == IndexKind::Global)
        .map(|i| GlobalSecondaryIndex {
            index_name: i.name.to_owned(),
            key_schema: index_keys(i),
            projection: Projection::all(),
            provisioned_throughput: None,
        })
        .collect();
    let local: Vec<_> = indexes
        .iter()
        .filter(|i| i.kind == IndexKind::Local)
        .map(|i| LocalSecondaryIndex {
            index_name: i.name.to_owned(),
            key_schema: index_keys(i),
            projection: Projection::all(),
        })
        .collect();
    input.global_secondary_indexes = (!global.is_empty()).then_some(global);
    input.local_secondary_indexes = (!local.is_empty()).then_some(local);
    Ok((input, ttl))
}
