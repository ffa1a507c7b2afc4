//! `Client`: the typed front door. It turns calls on derived items into
//! requests of the [`crate::ops`] model and hands them to a [`Backend`].
//! Builders are awaited directly (`db.get(key).consistent().await`).

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::item::{Collection, IndexKind, IndexSchema, Item, Key, KeyAttributeSchema, TableSchema};
use crate::ops::*;
use crate::schema::{
    AttributeDefinition, GlobalSecondaryIndex, LocalSecondaryIndex, Projection, TableDescription,
    TimeToLiveSpecification,
};
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

mod batch;
mod changes;
mod key_query;
mod read;
mod transaction;
mod write;

pub use changes::{Change, ChangeKind, ChangeStream, Changes, Origin, SequenceNumber};
pub use key_query::KeyQuery;
pub use read::{Cursor, CursorError, Page, Query, QueryStream};
pub use transaction::Transaction;
pub use write::{Delete, InTransaction, Put, Update};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A connection to DynamoDB or to the local engine. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    backend: Arc<dyn Backend>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    /// A client over `backend`.
    pub fn new(backend: impl Backend) -> Self {
        Self {
            backend: Arc::new(backend),
        }
    }

    /// A client over a shared backend.
    pub fn from_arc(backend: Arc<dyn Backend>) -> Self {
        Self { backend }
    }

    /// The backend, for calling operations with the raw request model.
    pub fn backend(&self) -> &dyn Backend {
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

    /// Changes some attributes of the item with `key` (creating it when it
    /// does not exist, unless [`Update::if_exists`]).
    pub fn update<T: Item>(&self, key: Key<T>) -> Update<'_, T> {
        Update::new(self, key)
    }

    /// Reads the item with `key`; `None` when there is none.
    pub fn get<T: Item>(&self, key: Key<T>) -> Get<'_, T> {
        Get {
            client: self,
            key,
            consistent: false,
        }
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
    consistent: bool,
}

impl<T> Get<'_, T> {
    /// Read with strong consistency (DynamoDB's default is eventual).
    pub fn consistent(mut self) -> Self {
        self.consistent = true;
        self
    }
}

impl<'a, T: Item + Send + 'a> IntoFuture for Get<'a, T> {
    type Output = Result<Option<T>>;
    type IntoFuture = BoxFuture<'a, Result<Option<T>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut input = GetItemInput::new(T::SCHEMA.table_name, self.key.into_attributes());
            input.consistent_read = self.consistent.then_some(true);
            let output = self.client.backend.get_item(input).await?;
            output
                .item
                .map(T::from_item)
                .transpose()
                .map_err(Error::from)
        })
    }
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
