//! Typed batches: many gets, puts or deletes of one item type, split into
//! DynamoDB's batch sizes (100 keys a `BatchGetItem`, 25 writes a
//! `BatchWriteItem`), with unprocessed items retried after a growing pause.
//!
//! Batch writes carry no conditions, so a type with a `#[dynamo(version)]`
//! field cannot be batch-written: that would skip its version check.

use super::Client;
use crate::error::{Error, Result};
use crate::item::{Item, Key};
use crate::ops::{BatchGetItemInput, BatchWriteItemInput, KeysAndAttributes, WriteRequest};
use crate::value::AttributeMap;
use std::collections::HashMap;
use std::time::Duration;

/// Keys per `BatchGetItem`.
const GET_BATCH: usize = 100;
/// Writes per `BatchWriteItem`.
const WRITE_BATCH: usize = 25;
/// Attempts at a batch before unprocessed items are an error.
const ATTEMPTS: u32 = 8;

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(25u64 << attempt.min(6))
}

fn unprocessed(what: &str, count: usize) -> Error {
    Error::Service {
        error_type: "ProvisionedThroughputExceededException".into(),
        message: format!("{count} {what} were still unprocessed after {ATTEMPTS} attempts"),
    }
}

impl Client {
    /// Reads the items with `keys`: one entry per key, in the order given,
    /// `None` where there is no item. Duplicate keys are read once.
    pub async fn get_many<T: Item>(
        &self,
        keys: impl IntoIterator<Item = Key<T>>,
    ) -> Result<Vec<Option<T>>> {
        self.get_many_with(keys, false).await
    }

    /// [`Client::get_many`] with strongly consistent reads.
    pub async fn get_many_consistent<T: Item>(
        &self,
        keys: impl IntoIterator<Item = Key<T>>,
    ) -> Result<Vec<Option<T>>> {
        self.get_many_with(keys, true).await
    }

    async fn get_many_with<T: Item>(
        &self,
        keys: impl IntoIterator<Item = Key<T>>,
        consistent: bool,
    ) -> Result<Vec<Option<T>>> {
        let table = T::SCHEMA.table_name;
        let keys: Vec<AttributeMap> = keys.into_iter().map(Key::into_attributes).collect();
        let mut distinct: Vec<&AttributeMap> = Vec::new();
        for key in &keys {
            if !distinct.contains(&key) {
                distinct.push(key);
            }
        }
        let key_names: Vec<&str> = std::iter::once(T::SCHEMA.partition_key.name)
            .chain(T::SCHEMA.sort_key.map(|k| k.name))
            .collect();
        let key_of = |item: &AttributeMap| -> AttributeMap {
            key_names
                .iter()
                .filter_map(|n| item.get(*n).map(|v| ((*n).to_owned(), v.clone())))
                .collect()
        };
        let mut found: Vec<AttributeMap> = Vec::new();
        for chunk in distinct.chunks(GET_BATCH) {
            let mut pending: Vec<AttributeMap> = chunk.iter().map(|k| (*k).clone()).collect();
            let mut attempt = 0;
            while !pending.is_empty() {
                if attempt == ATTEMPTS {
                    return Err(unprocessed("keys", pending.len()));
                }
                if attempt > 0 {
                    self.backend.pause(backoff(attempt)).await;
                }
                attempt += 1;
                let request = KeysAndAttributes {
                    keys: std::mem::take(&mut pending),
                    consistent_read: consistent.then_some(true),
                    projection: None,
                };
                let mut output = self
                    .backend
                    .batch_get_item(BatchGetItemInput {
                        request_items: HashMap::from([(table.to_owned(), request)]),
                        return_consumed_capacity: None,
                    })
                    .await?;
                found.extend(output.responses.remove(table).unwrap_or_default());
                if let Some(rest) = output.unprocessed_keys.remove(table) {
                    pending = rest.keys;
                }
            }
        }
        let mut by_key: Vec<(AttributeMap, AttributeMap)> = found
            .into_iter()
            .map(|item| (key_of(&item), item))
            .collect();
        keys.iter()
            .map(|key| {
                match by_key.iter().position(|(k, _)| k == key) {
                    // A key given twice gets a copy of the item.
                    Some(i) if keys.iter().filter(|k| *k == key).count() > 1 => {
                        T::from_item(by_key[i].1.clone()).map(Some)
                    }
                    Some(i) => T::from_item(by_key.swap_remove(i).1).map(Some),
                    None => Ok(None),
                }
                .map_err(Error::from)
            })
            .collect()
    }

    /// Writes `items` (replacing items with the same keys), 25 a request.
    /// Not atomic: use a transaction for all-or-nothing.
    pub async fn put_many<T: Item>(&self, items: &[T]) -> Result<()> {
        if T::SCHEMA.lifecycle.version.is_some() {
            return Err(Error::validation(
                "batch writes cannot check the #[dynamo(version)] of an item; use put or a transaction",
            ));
        }
        let mut requests = Vec::with_capacity(items.len());
        for item in items {
            let mut attributes = item.to_item()?;
            super::write::stamp::<T>(&mut attributes)?;
            requests.push(WriteRequest::PutRequest { item: attributes });
        }
        self.write_many::<T>(requests).await
    }

    /// Deletes the items with `keys`, 25 a request. Not atomic.
    pub async fn delete_many<T: Item>(&self, keys: impl IntoIterator<Item = Key<T>>) -> Result<()> {
        let requests = keys
            .into_iter()
            .map(|key| WriteRequest::DeleteRequest {
                key: key.into_attributes(),
            })
            .collect();
        self.write_many::<T>(requests).await
    }

    async fn write_many<T: Item>(&self, requests: Vec<WriteRequest>) -> Result<()> {
        let table = T::SCHEMA.table_name;
        for chunk in requests.chunks(WRITE_BATCH) {
            let mut pending = chunk.to_vec();
            let mut attempt = 0;
            while !pending.is_empty() {
                if attempt == ATTEMPTS {
                    return Err(unprocessed("writes", pending.len()));
                }
                if attempt > 0 {
                    self.backend.pause(backoff(attempt)).await;
                }
                attempt += 1;
                let mut output = self
                    .backend
                    .batch_write_item(BatchWriteItemInput {
                        request_items: HashMap::from([(
                            table.to_owned(),
                            std::mem::take(&mut pending),
                        )]),
                        return_consumed_capacity: None,
                    })
                    .await?;
                pending = output.unprocessed_items.remove(table).unwrap_or_default();
            }
        }
        Ok(())
    }
}
